import Foundation

/// Validates JSON lines against docs/events.schema.json with scripts/validate-events (Python's
/// `jsonschema`, from the venv scripts/bootstrap makes: env KEYFLOW_SCHEMA_PYTHON, else
/// `.venv/schema/bin/python`). One validator process serves the whole test run, a batch of
/// lines at a time, so checking every line the binary prints costs a pipe round trip, not a
/// Python start. `runProcess` calls it for every run of the keyflow binary.
public final class EventSchema: @unchecked Sendable {
    public static let shared = EventSchema()

    private let lock = NSLock()
    private var process: Process?
    private var input: FileHandle?
    private var output: FileHandle?

    /// The lines of a keyflow run's standard output that are JSON events: every non-empty line
    /// under `--json` / `--format json` (nothing else may be there), else those that begin like
    /// one (`{"event":`).
    public static func eventLines(stdout: String, arguments: [String]) -> [String] {
        let json = arguments.contains("--json") || zip(arguments, arguments.dropFirst()).contains { $0 == ("--format", "json") }
        let lines = stdout.split(separator: "\n").map(String.init)
        return json ? lines : lines.filter { $0.hasPrefix("{\"event\":") }
    }

    /// Throws, naming the line and what is wrong with it, when a line is not a valid event.
    public func validate(_ lines: [String]) throws {
        guard !lines.isEmpty else { return }
        let answer: String = try lock.withLock {
            let (input, output) = try started()
            let batch = "\(lines.count)\n" + lines.map { $0.replacingOccurrences(of: "\n", with: " ") + "\n" }.joined()
            input.write(Data(batch.utf8))
            return output.firstLine()
        }
        guard answer == "ok" else {
            throw TestSupportFailure("keyflow printed a line that docs/events.schema.json does not allow: \(answer.isEmpty ? "(the validator stopped)" : answer)")
        }
    }

    private func started() throws -> (FileHandle, FileHandle) {
        if let process, process.isRunning, let input, let output { return (input, output) }
        guard let python = TestPaths.sdkPython("KEYFLOW_SCHEMA_PYTHON", venv: "schema") else {
            throw TestSupportFailure("no Python with jsonschema for docs/events.schema.json: run scripts/bootstrap (it makes .venv/schema)")
        }
        let toValidator = Pipe(), fromValidator = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestPaths.packageRoot.appendingPathComponent("scripts/validate-events").path, "--serve"]
        process.standardInput = toValidator
        process.standardOutput = fromValidator
        try process.run()
        self.process = process
        self.input = toValidator.fileHandleForWriting
        self.output = fromValidator.fileHandleForReading
        return (toValidator.fileHandleForWriting, fromValidator.fileHandleForReading)
    }
}
