import Foundation
import KeyflowClient
import KeyflowLanguage

/// Turns events into what a person reads: the plan or the run's outcomes on stdout,
/// diagnostics on stderr. `--json` uses `JSONEvents` instead.
public struct TextReport: Sendable {
    public var style: PlanText.Style
    /// The script text, for the source line under a diagnostic.
    public var source: String?

    public init(style: PlanText.Style = .plain, source: String? = nil) {
        self.style = style
        self.source = source
    }

    public enum Stream: Sendable { case stdout, stderr }

    /// The text for one event (nil: nothing to print), and where it goes.
    public func render(_ event: Event) -> (Stream, String)? {
        switch event {
        case .target(let t, _):
            return (.stdout, style.bold(t.line))
        case .planned(let step):
            return (.stdout, PlanText.lines(step, style: style).joined(separator: "\n"))
        case .started:
            return nil
        case .finished(let step, let result, let seconds):
            return (.stdout, PlanText.done(step, result, seconds: seconds, style: style).joined(separator: "\n"))
        case .failed(let step, let message, _):
            return (.stdout, style.error("✗ \(step.kind) failed") + " \(Format.quoted(step.keyName)): \(message)")
        case .upToDate(let statement, let name, _):
            return (.stdout, style.dim("= \(statement) \(Format.quoted(name)): up to date"))
        case .output(let text, _):
            return (.stdout, text)
        case .diagnostic(let d):
            return (.stderr, DiagnosticText.render(d, source: source, style: style))
        case .summary(let s):
            return (s.status == .ok ? .stdout : .stderr, PlanText.summary(s))
        }
    }
}

/// `file:line:col: error: summary`, the source line, a caret under the range, help and notes.
public enum DiagnosticText {
    public static func render(_ d: Diagnostic, source: String?, style: PlanText.Style = .plain) -> String {
        let r = d.range
        var out = "\(r.file):\(r.start.line):\(r.start.column): " + style.error("\(d.severity.rawValue):") + " \(d.summary)"
        if let source, r.length > 0 || d.id != "usage", let line = sourceLine(source, r.start.line) {
            let gutter = String(r.start.line)
            let caretStart = max(0, r.start.column - 1)
            let width = r.end.line == r.start.line ? max(1, r.end.column - r.start.column) : max(1, line.utf8.count - caretStart)
            let prefix = String(decoding: Array(line.utf8).prefix(caretStart), as: UTF8.self)
            let pad = String(prefix.map { $0 == "\t" ? "\t" : " " })
            out += "\n \(gutter) | \(line)"
            out += "\n \(String(repeating: " ", count: gutter.count)) | \(pad)" + style.error(String(repeating: "^", count: min(width, 200)))
        }
        if let detail = d.detail { out += "\n  " + detail }
        for note in d.notes { out += "\n  note: " + note.message }
        if let help = d.help { out += "\n  help: " + help }
        return out
    }

    static func sourceLine(_ source: String, _ n: Int) -> String? {
        var i = 1
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if i == n { return String(line.hasSuffix("\r") ? line.dropLast() : line) }
            i += 1
        }
        return nil
    }
}
