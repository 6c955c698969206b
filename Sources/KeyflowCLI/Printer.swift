import Foundation
import KeyflowBasics
import KeyflowClient
import KeyflowLanguage
import KeyflowRuntime

/// Writes what a command reports, and decides which stream gets it: results (steps, `print`,
/// `show`, `list`, JSON events, the Markdown summary, workflow annotations) on standard output;
/// the target line, status and summary lines, diagnostics as text and the progress bar on
/// standard error, so a pipe carries only data (`TextReport` says which text line is which).
public final class Printer: @unchecked Sendable {
    private let lock = NSLock()
    public let format: OutputFormat
    let progress: Bool
    /// `plan --markdown`: standard output gets the Markdown summary, at the end, and nothing else.
    let markdownOnly: Bool
    /// Where the Markdown summary is appended at the end (`$GITHUB_STEP_SUMMARY` under `github`).
    let stepSummaryPath: String?
    /// Renders what goes to standard output; `errorReport`, what goes to standard error
    /// (the same text in the other stream's colours).
    var report: TextReport
    var errorReport: TextReport
    var markdown: MarkdownSummary?
    public func know(file: String, bytes: [UInt8]) {
        lock.withLock {
            report.diagnostics.sources[file] = bytes
            errorReport.diagnostics.sources[file] = bytes
        }
    }
    /// Lead every step's line with its project (a script that acts on several).
    func nameProjects() {
        lock.withLock {
            report.namesProjects = true
            errorReport.namesProjects = true
        }
    }
    private var expected = 0
    private var done = 0
    private var progressShown = false

    public var json: Bool { format == .json }

    /// `script` names the Markdown summary; `environment` gives `GITHUB_STEP_SUMMARY`.
    /// `colour` paints what goes to standard output, `errorColour` what goes to standard error
    /// (`ColourChoice` decides each, for its own stream); text only, never JSON or Markdown.
    public init(
        format: OutputFormat, colour: Palette = .plain, errorColour: Palette = .plain, progress: Bool, markdown: Bool = false,
        script: String = "", environment: [String: String] = [:]
    ) {
        self.format = format
        self.progress = progress && format == .text && !markdown
        self.markdownOnly = markdown
        let summaryPath = format == .github ? environment["GITHUB_STEP_SUMMARY"].flatMap { $0.isEmpty ? nil : $0 } : nil
        self.stepSummaryPath = summaryPath
        let text = format == .text && !markdown
        self.report = TextReport(style: text ? colour : .plain)
        self.errorReport = TextReport(style: text ? errorColour : .plain)
        self.errorReport.diagnostics.palette = errorReport.style
        if markdown || summaryPath != nil { self.markdown = MarkdownSummary(script: script) }
    }

    public func emit(_ event: Event) {
        lock.withLock {
            markdown?.add(event)
            switch format {
            case .json:
                write(JSONEvents.line(event) + "\n", to: .stdout)
                return
            case .github:
                if case .diagnostic(let d) = event {
                    write(d.githubAnnotation + "\n", to: .stdout)
                    return
                }
            case .text: break
            }
            guard let (stream, plain) = report.render(event) else { return }
            var text = plain
            if stream == .stderr, errorReport.style != report.style, let painted = errorReport.render(event) { text = painted.1 }
            if markdownOnly && stream == .stdout { return }
            clearProgress()
            write(text + "\n", to: stream)
            drawProgress()
        }
    }

    /// The `stdout` sink: the caller asked for the secret on standard output.
    func raw(_ text: String) {
        lock.withLock {
            clearProgress()
            write(text, to: .stdout)
        }
    }

    /// A command's result that is not an event (`doctor`'s report): standard output.
    public func result(_ text: String) {
        lock.withLock {
            clearProgress()
            write(text + "\n", to: .stdout)
        }
    }

    /// A status line for people (`3 errors in 2 files`): standard error, never under `--json`.
    public func status(_ line: String) {
        lock.withLock {
            guard format != .json else { return }
            write(line + "\n", to: .stderr)
        }
    }

    func expect(_ steps: Int) { lock.withLock { expected = steps } }

    func stepDone() {
        lock.withLock {
            done += 1
            drawProgress()
        }
    }

    /// Clears the progress bar; writes the Markdown summary where it goes.
    public func finish() {
        lock.withLock {
            clearProgress()
            guard let text = markdown?.text else { return }
            if markdownOnly { write(text, to: .stdout) }
            if let stepSummaryPath { Self.append(text, to: stepSummaryPath) }
        }
    }

    /// Appends to the job summary file (GitHub creates it; a missing one is created).
    static func append(_ text: String, to path: String) {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            FileHandle.standardError.write(Data("warning: cannot write the job summary to \(path)\n".utf8))
            return
        }
        handle.seekToEndOfFile()
        handle.write(Data(("\n" + text).utf8))
        try? handle.close()
    }

    private func drawProgress() {
        guard progress, expected >= 10, done < expected else { return }
        let width = 30
        let filled = width * done / max(1, expected)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        write("\r\(bar) \(done)/\(expected) steps", to: .stderr)
        progressShown = true
    }

    private func clearProgress() {
        guard progressShown else { return }
        write("\r\u{1B}[K", to: .stderr)
        progressShown = false
    }

    private func write(_ text: String, to stream: TextReport.Stream) {
        (stream == .stdout ? FileHandle.standardOutput : FileHandle.standardError).write(Data(text.utf8))
    }

    /// A usage error (exit 2) before anything was sent.
    func usage(_ message: String, help: String? = nil, file: String) -> Int32 {
        emit(.diagnostic(Diagnostic(id: "usage", summary: message, help: help, range: .commandLine)))
        return 2
    }

    /// A problem outside a script (the sandbox cannot start): an `error` event under `--json`.
    func fail(_ message: String) {
        lock.withLock {
            switch format {
            case .json: write(JSONEvents.encode(["event": "error", "message": message]) + "\n", to: .stdout)
            case .github: write("::error title=keyflow::\(GitHubAnnotation.escapeData(message))\n", to: .stdout)
            case .text: write(errorReport.style.error("error:") + " \(message)\n", to: .stderr)
            }
        }
    }

    /// A warning outside a script (`--insecure`, an override of the script's `use`).
    func warn(_ message: String) {
        lock.withLock {
            switch format {
            case .json: write(JSONEvents.encode(["event": "warning", "message": message]) + "\n", to: .stdout)
            case .github: write("::warning title=keyflow::\(GitHubAnnotation.escapeData(message))\n", to: .stdout)
            case .text: write(message + "\n", to: .stderr)
            }
        }
    }
}
