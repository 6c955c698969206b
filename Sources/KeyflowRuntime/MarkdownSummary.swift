import KeyflowLanguage

/// A plan or run as Markdown, for a pull-request comment (`plan --markdown`) and a GitHub
/// Actions job summary (`$GITHUB_STEP_SUMMARY` under `--format github`). Built from the same
/// events as the text report, with the same wording for steps (`PlanText`), so it never holds
/// a secret either; `print`, `show` and `list` output is left out (it is data, not the plan).
public struct MarkdownSummary: Sendable {
    /// The script's name, for the heading.
    public var script: String
    var mode: Mode?
    var target: String?
    var steps: [String] = []
    var diagnostics: [Diagnostic] = []
    var summary: Summary?

    public init(script: String) { self.script = script }

    public mutating func add(_ event: Event) {
        switch event {
        case .target(let t, let mode):
            target = t.line
            self.mode = mode
        case .planned(let step): steps += PlanText.lines(step)
        case .finished(let step, let result, let seconds): steps += PlanText.done(step, result, seconds: seconds)
        case .failed(let step, let message, _): steps.append("✗ \(step.kind) failed \(Format.quoted(step.keyName)): \(message)")
        case .upToDate(let statement, let name, _) where statement == "rotate":
            steps.append("= rotate \(Format.quoted(name)): rotated already")
        case .diagnostic(let d): diagnostics.append(d)
        case .summary(let s):
            summary = s
            mode = mode ?? s.mode
        case .started, .upToDate, .output, .keys, .key: break
        }
    }

    /// The Markdown, ending with a newline.
    public var text: String {
        let verb = mode == .run ? "run" : "plan"
        var out = "### keyflow \(verb): \(Self.code(script))\n\n"
        if let target { out += Self.escape(target) + "\n\n" }
        if let summary {
            let status = summary.status == .ok ? (summary.changes == 0 ? "✅" : "📝") : "❌"
            let lines = PlanText.summary(summary).split(separator: "\n", omittingEmptySubsequences: false)
            out += "\(status) **\(Self.escape(String(lines[0])))**\n\n"
        }
        if !steps.isEmpty { out += Self.fenced(steps, language: "diff") + "\n" }
        if !diagnostics.isEmpty {
            out += "| severity | where | problem |\n| --- | --- | --- |\n"
            for d in diagnostics {
                let place = d.range.isCommandLine ? "command line" : "\(d.range.file):\(d.range.start.line):\(d.range.start.column)"
                let problem = d.summary + (d.help.map { " — help: \($0)" } ?? "")
                out += "| \(d.severity.rawValue) | \(Self.cell(place)) | \(Self.cell(problem)) (`\(d.id)`) |\n"
            }
            out += "\n"
        }
        if let summary, !summary.notDone.isEmpty {
            out += "Not done (\(summary.notDone.count) planned step\(summary.notDone.count == 1 ? "" : "s")):\n\n"
            out += Self.fenced(summary.notDone.prefix(50).map { PlanText.lines($0)[0] }, language: "diff") + "\n"
        }
        return out
    }

    /// Lines in a fenced block, the fence longer than any run of backticks inside.
    static func fenced(_ lines: [String], language: String) -> String {
        var longest = 0
        for line in lines {
            var run = 0
            for c in line {
                run = c == "`" ? run + 1 : 0
                longest = max(longest, run)
            }
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return fence + language + "\n" + lines.joined(separator: "\n") + "\n" + fence + "\n"
    }

    /// Inline code, fenced past any backticks inside.
    static func code(_ s: String) -> String {
        s.contains("`") ? "`` \(s) ``" : "`\(s)`"
    }

    /// Text outside code: Markdown's punctuation escaped, so a key name cannot become markup.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\\`*_[]<>|#".contains(c) { out.append("\\") }
            out.append(c == "\n" ? " " : c)
        }
        return out
    }

    /// A table cell: one line, its `|` escaped.
    static func cell(_ s: String) -> String { escape(s) }
}
