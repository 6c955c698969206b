import KeyflowBasics

/// Prints diagnostics: as text for people (`file:line:col: error: summary`, the source
/// line, a caret under the whole range, a help line). The JSON event and the workflow
/// annotation are in DiagnosticFormats.swift.
public struct DiagnosticRenderer: Sendable {
    /// The source bytes of each file, by the name used in ranges.
    public var sources: [String: [UInt8]]
    /// Longest excerpt of a source line shown (long lines are cut around the range).
    public var maxExcerpt = 120
    /// The colours on a terminal (severity, carets, `help:`); plain by default.
    public var palette = Palette.plain

    public init(sources: [String: [UInt8]] = [:]) {
        self.sources = sources
    }

    /// The text form, lines ending with "\n".
    public func render(_ d: Diagnostic) -> String {
        let severity = paint(d.severity)
        var out = palette.bold("\(d.range.file):\(d.range.start.line):\(d.range.start.column):") + " "
            + severity("\(d.severity.rawValue):") + " " + palette.bold(d.summary) + "\n"
        out += excerpt(d.range, carets: severity)
        if let detail = d.detail { out += "  \(detail)\n" }
        if let help = d.help { out += "  " + palette.help("help:") + " \(help)\n" }
        for note in d.notes {
            if let r = note.range {
                out += palette.bold("\(r.file):\(r.start.line):\(r.start.column):") + " " + palette.note("note:") + " \(note.message)\n"
                out += excerpt(r, carets: palette.note)
            } else {
                out += "  " + palette.note("note:") + " \(note.message)\n"
            }
        }
        return out
    }

    public func render(_ ds: [Diagnostic]) -> String { ds.map { render($0) }.joined() }

    /// The colour of a severity.
    func paint(_ severity: Diagnostic.Severity) -> (String) -> String {
        switch severity {
        case .error: palette.error
        case .warning: palette.warning
        case .note: palette.note
        }
    }

    /// The source line of the range's start with carets under the range (to the end of
    /// that line when the range spans lines). Empty when the source is unknown.
    func excerpt(_ range: SourceRange, carets: (String) -> String = { $0 }) -> String {
        guard let bytes = sources[range.file], range.start.offset <= bytes.count else { return "" }
        var lineStart = range.start.offset
        while lineStart > 0 && bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
        var lineEnd = range.start.offset
        while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
        if lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        let caretStart = min(range.start.offset, lineEnd)
        let caretEnd = max(caretStart + 1, min(range.end.offset, lineEnd))
        // Cut long lines to a window around the range.
        var windowStart = lineStart
        var windowEnd = lineEnd
        var prefix = ""
        var suffix = ""
        if lineEnd - lineStart > maxExcerpt {
            windowStart = max(lineStart, caretStart - maxExcerpt / 3)
            while windowStart > lineStart && windowStart < bytes.count && bytes[windowStart] & 0xC0 == 0x80 { windowStart -= 1 }
            windowEnd = min(lineEnd, max(caretEnd, windowStart + maxExcerpt))
            while windowEnd < lineEnd && bytes[windowEnd] & 0xC0 == 0x80 { windowEnd += 1 }
            if windowStart > lineStart { prefix = "…" }
            if windowEnd < lineEnd { suffix = "…" }
        }
        let clippedCaretEnd = min(caretEnd, windowEnd == lineEnd ? max(windowEnd, caretStart + 1) : windowEnd)
        let before = printable(bytes[windowStart..<caretStart])
        let under = printable(bytes[caretStart..<min(clippedCaretEnd, lineEnd)])
        let lineText = printable(bytes[windowStart..<windowEnd]).joined()
        let number = String(range.start.line)
        let gutter = String(repeating: " ", count: number.count)
        var out = " \(number) | \(prefix)\(lineText)\(suffix)\n"
        let pad = String(repeating: " ", count: prefix.isEmpty ? 0 : 1) + before.map { $0 == "\t" ? "\t" : " " }.joined()
        out += " \(gutter) | \(pad)\(carets(String(repeating: "^", count: max(1, under.count))))\n"
        return out
    }

    /// Source text made safe to print: control characters shown as U+FFFD.
    func printable(_ bytes: ArraySlice<UInt8>) -> [String] {
        let s = String(decoding: bytes, as: UTF8.self)
        return s.map { c in
            if c == "\t" { return "\t" }
            if c.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "\u{FFFD}" }
            return String(c)
        }
    }
}
