import Foundation
import KeyflowClient
import KeyflowLanguage

/// The embedded sandbox, started by the caller (the executable links the sandbox; the
/// runtime does not): its endpoint, project and bootstrap credentials.
public struct EmbeddedTarget: Sendable {
    public var endpoint: String
    public var project: String
    public var apiKey: Secret
    public var session: Secret
    public var directory: String
    public var stop: @Sendable () async -> Void

    public init(
        endpoint: String, project: String, apiKey: Secret, session: Secret, directory: String,
        stop: @escaping @Sendable () async -> Void
    ) {
        self.endpoint = endpoint
        self.project = project
        self.apiKey = apiKey
        self.session = session
        self.directory = directory
        self.stop = stop
    }
}

/// One `keyflow plan` or `keyflow run` from the command line: read and compile the script,
/// resolve the target (LANGUAGE.md §8), plan or run it, print the events, and answer the
/// exit code (§7). The subcommands only fill this in from their flags.
public struct Invocation: Sendable {
    public var mode: Mode
    /// A file, or `-` for standard input.
    public var scriptPath: String
    /// `name=value` arguments after the script.
    public var arguments: [String]
    public var json = false
    public var parallel = 8
    /// `plan --detailed-exitcode`: exit 4 when there are changes.
    public var detailedExitCode = false
    public var target = TargetOptions()
    /// `--sandbox`: the embedded sandbox even without a terminal.
    public var sandbox = false
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public var stdinIsTerminal = isatty(0) == 1
    public var stdoutIsTerminal = isatty(1) == 1
    public var stderrIsTerminal = isatty(2) == 1
    /// Starts the embedded sandbox over a folder.
    public var startSandbox: @Sendable (String) async throws -> EmbeddedTarget

    public init(
        mode: Mode, scriptPath: String, arguments: [String],
        startSandbox: @escaping @Sendable (String) async throws -> EmbeddedTarget
    ) {
        self.mode = mode
        self.scriptPath = scriptPath
        self.arguments = arguments
        self.startSandbox = startSandbox
    }

    /// Runs it; returns the process exit code.
    public func execute() async -> Int32 {
        AppwriteClient.prepare()  // while the script is read and checked (main may have begun it)
        let printer = Printer(json: json, colour: colourWanted, progress: stderrIsTerminal && !json && mode == .run)

        // The script.
        let file = scriptPath == "-" ? "<stdin>" : scriptPath
        let bytes: [UInt8]
        if scriptPath == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let data = FileManager.default.contents(atPath: scriptPath) else {
                return printer.usage("cannot read \(scriptPath): " + (FileManager.default.fileExists(atPath: scriptPath) ? "permission denied" : "no such file"), file: file)
            }
            bytes = Array(data)
        }
        let source = String(decoding: bytes, as: UTF8.self)
        printer.know(file: file, bytes: bytes)
        var params: [String: String] = [:]
        for arg in arguments {
            guard let eq = arg.firstIndex(of: "="), eq != arg.startIndex else {
                return printer.usage("expected name=value after the script, got \(Format.quoted(arg))", file: file)
            }
            params[String(arg[..<eq])] = String(arg[arg.index(after: eq)...])
        }
        let (compiled, diagnostics) = compile(bytes: bytes, file: file, options: CheckOptions(parameters: Set(params.keys)))
        for d in diagnostics { printer.emit(.diagnostic(d)) }
        guard let program = compiled else { return 2 }

        // The target: flags, environment, the script's `use`; else the embedded sandbox.
        let use = Self.useStatement(program)
        let connection: Connection
        do {
            connection = try await Connection.open(
                target: target, script: use, sandbox: sandbox, environment: environment, stdinIsTerminal: stdinIsTerminal,
                startSandbox: startSandbox)
        } catch {
            switch error {
            case .usage(let message, let help): return printer.usage(message, help: help, file: file)
            case .sandbox(let message):
                printer.fail(message)
                return 1
            }
        }
        if let warning = connection.warning { printer.warn(warning) }
        let session = connection.session
        let embedded = connection.embedded
        let scriptDirectory =
            scriptPath == "-"
            ? FileManager.default.currentDirectoryPath
            : URL(fileURLWithPath: scriptPath).deletingLastPathComponent().path
        var options = RunOptions(
            parallel: parallel, params: params, sinks: SinkWriter(standardOutput: { text in printer.raw(text) }),
            scriptDirectory: scriptDirectory)
        if printer.progress {
            options.onStepFinished = { @Sendable (_: Step) in printer.stepDone() }
            options.onPlanReady = { @Sendable (count: Int) in printer.expect(count) }
        }
        let summary =
            mode == .plan
            ? await session.plan(program, source: source, options: options, emit: printer.emit)
            : await session.run(program, source: source, options: options, emit: printer.emit)
        printer.finish()
        if let embedded { await embedded.stop() }
        switch summary.status {
        case .ok: return detailedExitCode && mode == .plan && summary.changes > 0 ? 4 : 0
        case .failed: return 1
        case .assertFailed: return 3
        case .invalid: return 2
        }
    }

    var colourWanted: Bool {
        stdoutIsTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    static func credentialText(_ c: Credentials) -> String {
        switch (c.apiKey != nil, c.session != nil) {
        case (true, true): "api key + session"
        case (true, false): "api key"
        case (false, true): "session"
        case (false, false): "no credential"
        }
    }

    /// The script's `use endpoint "…" project "…"` (plain strings only).
    static func useStatement(_ program: Program) -> ScriptTarget? {
        for s in program.statements {
            if case .use(let endpoint, let project) = s.kind {
                return ScriptTarget(endpoint: endpoint.flatMap(literal), project: project.flatMap(literal))
            }
        }
        return nil
    }

    static func literal(_ e: Expr) -> String? {
        guard case .string(let parts) = e.kind else { return nil }
        var out = ""
        for p in parts {
            guard case .text(let t) = p.kind else { return nil }
            out += t
        }
        return out
    }
}

/// A session on the resolved target (LANGUAGE.md §8): flags, then environment, then the
/// script's `use`; with no endpoint anywhere, the embedded sandbox when a person is at the
/// terminal or `--sandbox` was given, otherwise a usage error. `plan`, `run` and the REPL
/// all open their target here.
public struct Connection: Sendable {
    public var session: Session
    /// The embedded sandbox, when that is the target: stop it when done.
    public var embedded: EmbeddedTarget?
    /// `--insecure`'s warning, to print on every run.
    public var warning: String?

    public enum Failure: Error, Sendable {
        /// Exit 2: nothing was sent.
        case usage(String, help: String?)
        /// Exit 1: the embedded sandbox did not start.
        case sandbox(String)
    }

    public static func open(
        target: TargetOptions, script: ScriptTarget?, sandbox: Bool,
        environment: [String: String] = ProcessInfo.processInfo.environment, stdinIsTerminal: Bool = isatty(0) == 1,
        startSandbox: @Sendable (String) async throws -> EmbeddedTarget
    ) async throws(Failure) -> Connection {
        let resolved: ResolvedTarget?
        do {
            resolved = try TargetResolver(options: target, environment: environment).resolve(script: script)
        } catch {
            throw .usage(error.description, help: nil)
        }
        if let resolved {
            let description = TargetDescription(
                endpoint: resolved.endpoint, project: resolved.project, isSandbox: false,
                credential: Invocation.credentialText(resolved.credentials))
            let session = Session(
                api: AppwriteClient(resolved.clientConfiguration()), target: description,
                hasSession: resolved.credentials.session != nil)
            return Connection(session: session, embedded: nil, warning: resolved.insecureWarning)
        }
        guard sandbox || stdinIsTerminal else {
            throw .usage(
                "no endpoint is configured (no --endpoint, no APPWRITE_ENDPOINT, no `use` in the script) and no terminal is attached",
                help: "set APPWRITE_ENDPOINT and APPWRITE_PROJECT_ID for a real project, or pass --sandbox to rehearse against the local sandbox")
        }
        let dir = environment["KEYFLOW_SANDBOX"].flatMap { $0.isEmpty ? nil : $0 } ?? ".keyflow/sandbox"
        let started: EmbeddedTarget
        do {
            started = try await startSandbox(dir)
        } catch {
            throw .sandbox("cannot start the local sandbox over \(dir): \(error)")
        }
        let api = AppwriteClient(
            ClientConfiguration(
                endpoint: started.endpoint, project: started.project,
                credentials: Credentials(apiKey: started.apiKey, session: started.session)))
        let description = TargetDescription(
            endpoint: started.endpoint, project: started.project, isSandbox: true, sandboxDirectory: dir,
            credential: "api key + session")
        return Connection(session: Session(api: api, target: description, hasSession: true), embedded: started, warning: nil)
    }
}

/// Writes events as text or JSON lines, keeps a progress line on a terminal's stderr.
final class Printer: @unchecked Sendable {
    private let lock = NSLock()
    let json: Bool
    let progress: Bool
    var report: TextReport
    func know(file: String, bytes: [UInt8]) { lock.withLock { report.diagnostics.sources[file] = bytes } }
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
