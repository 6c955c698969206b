import Foundation
import KeyflowClient
import KeyflowLanguage
import KeyflowRuntime

/// Writes events as text or JSON lines, keeps a progress line on a terminal's stderr.
final class Printer: @unchecked Sendable {
    private let lock = NSLock()
    let json: Bool
    let progress: Bool
    var report: TextReport
    func know(file: String, bytes: [UInt8]) { lock.withLock { report.diagnostics.sources[file] = bytes } }
    /// Lead every step's line with its project (a script that acts on several).
    func nameProjects() { lock.withLock { report.namesProjects = true } }
    private var expected = 0
    private var done = 0
    private var progressShown = false

    init(json: Bool, colour: Bool, progress: Bool) {
        self.json = json
        self.progress = progress
        self.report = TextReport(style: PlanText.Style(colour: colour))
    }

    func emit(_ event: Event) {
        lock.withLock {
            if json {
                write(JSONEvents.line(event) + "\n", to: .stdout)
                return
            }
            guard let (stream, text) = report.render(event) else { return }
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

    func expect(_ steps: Int) { lock.withLock { expected = steps } }

    func stepDone() {
        lock.withLock {
            done += 1
            drawProgress()
        }
    }

    func finish() { lock.withLock { clearProgress() } }

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
        let start = SourceLocation(offset: 0, line: 1, column: 1)
        let range = SourceRange(file: "keyflow", start: start, end: start)  // the command line: no excerpt
        emit(.diagnostic(Diagnostic(id: "usage", summary: message, help: help, range: range)))
        return 2
    }

    func fail(_ message: String) {
        lock.withLock {
            if json {
                write(JSONEvents.encode(["event": "error", "message": message]) + "\n", to: .stdout)
            } else {
                write("error: \(message)\n", to: .stderr)
            }
        }
    }

    /// A line about the command itself (a saved plan's file): stderr, or a JSON `note` event.
    func note(_ message: String) {
        lock.withLock {
            if json {
                write(JSONEvents.encode(["event": "note", "message": message]) + "\n", to: .stdout)
            } else {
                write(message + "\n", to: .stderr)
            }
        }
    }

    /// Shows the steps a run is about to take and asks `question` on the terminal (stderr,
    /// then a line from stdin): true for y or yes.
    func confirm(_ steps: [Step], _ question: String) -> Bool {
        for step in steps { emit(.planned(step)) }
        lock.withLock {
            clearProgress()
            write(question, to: .stderr)
        }
        guard let answer = readLine(strippingNewline: true) else {
            lock.withLock { write("\n", to: .stderr) }
            return false
        }
        return Confirmation.isYes(answer)
    }

    func warn(_ message: String) {
        lock.withLock {
            if json {
                write(JSONEvents.encode(["event": "warning", "message": message]) + "\n", to: .stdout)
            } else {
                write(message + "\n", to: .stderr)
            }
        }
    }
}
