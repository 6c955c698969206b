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
    /// that line when the range spans lines). Empty when the source is unknown. A line
    /// longer than `maxExcerpt` is cut to a window around the range's start, marked with
    /// `…`; the scan for the line's ends stops beyond the window, so each diagnostic costs
    /// O(maxExcerpt) however long the line (thousands of diagnostics on one long line
    /// would otherwise be quadratic).
    func excerpt(_ range: SourceRange, carets: (String) -> String = { $0 }) -> String {
        guard let bytes = sources[range.file], range.start.offset <= bytes.count else { return "" }
        let start = range.start.offset
        var lineStart = start
        let backLimit = max(0, start - maxExcerpt)
        while lineStart > backLimit && bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
        let cutBefore = lineStart > 0 && bytes[lineStart - 1] != 0x0A
        var lineEnd = start
        let forwardLimit = min(bytes.count, start + maxExcerpt)
        while lineEnd < forwardLimit && bytes[lineEnd] != 0x0A { lineEnd += 1 }
        let cutAfter = lineEnd < bytes.count && bytes[lineEnd] != 0x0A
        if !cutAfter && lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        let caretStart = min(start, lineEnd)
        let caretEnd = max(caretStart + 1, min(range.end.offset, lineEnd))
        // Cut long lines to a window around the range's start.
        var windowStart = lineStart
        var windowEnd = lineEnd
        if cutBefore || cutAfter || lineEnd - lineStart > maxExcerpt {
            windowStart = max(lineStart, caretStart - maxExcerpt / 3)
            while windowStart > lineStart && windowStart < bytes.count && bytes[windowStart] & 0xC0 == 0x80 { windowStart -= 1 }
            windowEnd = min(lineEnd, windowStart + maxExcerpt)
            while windowEnd < lineEnd && bytes[windowEnd] & 0xC0 == 0x80 { windowEnd += 1 }
        }
        let prefix = cutBefore || windowStart > lineStart ? "…" : ""
        let suffix = cutAfter || windowEnd < lineEnd ? "…" : ""
        let underEnd = max(caretStart, min(caretEnd, windowEnd))
        let before = TerminalText.printable(bytes[windowStart..<caretStart])
        let under = TerminalText.printable(bytes[caretStart..<underEnd])
        let lineText = before + under + TerminalText.printable(bytes[underEnd..<windowEnd])
        let number = String(range.start.line)
        let gutter = String(repeating: " ", count: number.count)
        var out = " \(number) | \(prefix)\(lineText)\(suffix)\n"
        let pad = (prefix.isEmpty ? "" : " ") + TerminalText.blanked(before)
        out += " \(gutter) | \(pad)\(carets(String(repeating: "^", count: max(1, under.count))))\n"
        return out
    }
}
