import Foundation
import KeyflowBasics
import KeyflowClient
import KeyflowLanguage

/// Turns events into what a person reads, and says which stream each line belongs on:
/// results (the plan's steps, the run's outcomes, `print`, `show`, `list`) on stdout; the
/// target line, the summary and diagnostics on stderr, so a pipe carries only results.
/// `--json` uses `JSONEvents` instead (all of it on stdout).
public struct TextReport: Sendable {
    public var style: PlanText.Style
    /// Also list every statement that found nothing to change.
    public var verbose = false
    /// Start every step's line with its project (a script that acts on several).
    public var namesProjects = false
    /// Renders diagnostics with the source line and a caret (knows the script's text).
    public var diagnostics: DiagnosticRenderer

    public init(style: PlanText.Style = .plain, sources: [String: [UInt8]] = [:]) {
        self.style = style
        self.diagnostics = DiagnosticRenderer(sources: sources)
    }

    public enum Stream: Sendable { case stdout, stderr }

    /// A step's lines, the first one led by `[project]` when the script acts on several.
    func named(_ step: Step, _ lines: [String]) -> String {
        guard namesProjects, !step.project.isEmpty, let first = lines.first else { return lines.joined(separator: "\n") }
        return ([style.dim("[\(step.project)]") + " " + first] + lines.dropFirst()).joined(separator: "\n")
    }

    /// The text for one event (nil: nothing to print), and where it goes.
    public func render(_ event: Event) -> (Stream, String)? {
        switch event {
        case .target(let t, _):
            return (.stderr, style.bold(t.line))
        case .planned(let step):
            return (.stdout, named(step, PlanText.lines(step, style: style)))
        case .started:
            return nil
        case .finished(let step, let result, let seconds):
            return (.stdout, named(step, PlanText.done(step, result, seconds: seconds, style: style)))
        case .failed(let step, let message, _):
            return (.stdout, named(step, [style.error("✗ \(step.kind) failed") + " \(Format.quoted(step.keyName)): \(message)"]))
        case .upToDate(let statement, let name, _):
            // A rotation already done is news; other up-to-date statements are counted in the
            // summary and listed one by one only when asked (bulk work would drown in them).
            if statement == "rotate" { return (.stdout, style.dim("= rotate \(Format.quoted(name)): rotated already")) }
            return verbose ? (.stdout, style.dim("= \(statement) \(Format.quoted(name)): up to date")) : nil
        case .output(let text, _, _):
            return (.stdout, text)
        case .keys(let keys, _):
            return (.stdout, Render.table(keys))
        case .key(let key, _):
            return (.stdout, Render.show(key))
        case .diagnostic(let d):
            var text = diagnostics.render(d)
            if text.hasSuffix("\n") { text.removeLast() }
            return (.stderr, text)
        case .summary(let s):
            return (.stderr, PlanText.summary(s))
        }
    }
}
