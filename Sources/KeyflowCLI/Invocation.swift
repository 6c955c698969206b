import Foundation
import KeyflowBasics
import KeyflowClient
import KeyflowLanguage
import KeyflowRuntime

/// One `keyflow plan` or `keyflow run` from the command line: read and compile the script,
/// resolve the target (docs/language.md §13), plan or run it, print the events, and answer the
/// exit code (docs/language.md §12.7). The subcommands only fill this in from their flags.
public struct Invocation: Sendable {
    public var mode: Mode
    /// A file, or `-` for standard input.
    public var scriptPath: String
    /// `name=value` arguments after the script.
    public var arguments: [String]
    /// `--color`: whether text is coloured (decided by `ColourChoice`, per stream).
    public var colour = ColourChoice.auto
    /// `--json`, `--format`, or `github` under GitHub Actions (`OutputFormat.choose`).
    public var format = OutputFormat.text
    /// `--json`.
    public var json: Bool {
        get { format == .json }
        set { format = newValue ? .json : .text }
    }
    /// `plan --markdown`: the Markdown summary on standard output instead of the text report.
    public var markdown = false
    public var parallel = 8
    /// What the script may consume (`--max-steps`, `--max-iterations`).
    public var limits = Limits.standard
    /// `--strict`: a create of a name an active key has is an error, not a warning.
    public var strict = false
    /// `--allow-self`: the run may delete or cut down the API key it authenticates with.
    public var allowSelf = false
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
        // The script.
        let file = ScriptFile.name(scriptPath)
        let printer = Printer(
            format: format, colour: colour.palette(isTerminal: stdoutIsTerminal, environment: environment),
            errorColour: colour.palette(isTerminal: stderrIsTerminal, environment: environment),
            progress: stderrIsTerminal && mode == .run, markdown: markdown, script: file, environment: environment)
        let bytes: [UInt8]
        switch ScriptFile.read(scriptPath) {
        case .success(let read): bytes = read
        case .failure(let unreadable):
            printer.emit(.diagnostic(ScriptFile.parameterBeforeScript(scriptPath, rest: arguments, command: mode.rawValue) ?? unreadable.diagnostic))
            printer.emit(.summary(Summary(mode: mode, status: .invalid)))
            printer.finish()
            return 2
        }
        let source = String(decoding: bytes, as: UTF8.self)
        printer.know(file: file, bytes: bytes)
        var params: [String: String] = [:]
        for arg in arguments {
            guard let eq = arg.firstIndex(of: "="), eq != arg.startIndex else {
                return invalid(printer.usage("expected name=value after the script, got \(Format.quoted(arg))", file: file), printer)
            }
            params[String(arg[..<eq])] = String(arg[arg.index(after: eq)...])
        }
        let (compiled, diagnostics) = compile(bytes: bytes, file: file, options: CheckOptions(parameters: Set(params.keys)))
        for d in diagnostics { printer.emit(.diagnostic(d)) }
        guard let program = compiled else { return invalid(2, printer) }
        if KeyReach.reachesOtherProjects(program) { printer.nameProjects() }

        // The target: flags, environment, the context, the script's `use`; else the embedded sandbox.
        let use = Self.useStatement(program)
        let connection: Connection
        do {
            connection = try await Connection.open(
                target: target, script: use, sandbox: sandbox, environment: environment, stdinIsTerminal: stdinIsTerminal,
                startSandbox: startSandbox)
        } catch {
            switch error {
            case .usage(let message, let help): return invalid(printer.usage(message, help: help, file: file), printer)
            case .sandbox(let message):
                printer.fail(message)
                return invalid(1, printer, status: .failed)
            }
        }
        for warning in connection.warnings { printer.warn(warning) }
        let session = connection.session
        let embedded = connection.embedded
        let scriptDirectory =
            scriptPath == "-"
            ? FileManager.default.currentDirectoryPath
            : URL(fileURLWithPath: scriptPath).deletingLastPathComponent().path
        var options = RunOptions(
            parallel: parallel, params: params, sinks: SinkWriter(standardOutput: { text in printer.raw(text) }),
            scriptDirectory: scriptDirectory)
        options.limits = limits
        options.strict = strict
        options.allowSelf = allowSelf
        if printer.progress {
            options.onStepFinished = { @Sendable (_: Step) in printer.stepDone() }
            options.onPlanReady = { @Sendable (count: Int) in printer.expect(count) }
        }
        let summary = await KeyTable.$palette.withValue(printer.report.style) {
            mode == .plan
                ? await session.plan(program, source: source, options: options, emit: printer.emit)
                : await session.run(program, source: source, options: options, emit: printer.emit)
        }
        printer.finish()
        if let embedded { await embedded.stop() }
        switch summary.status {
        case .ok: return detailedExitCode && mode == .plan && summary.changes > 0 ? 4 : 0
        case .failed: return 1
        case .assertFailed: return 3
        case .invalid: return 2
        }
    }

    /// Ends a plan or run that stopped before it began: the closing `summary` event
    /// docs/events.md promises, then the code.
    func invalid(_ code: Int32, _ printer: Printer, status: Summary.Status = .invalid) -> Int32 {
        printer.emit(.summary(Summary(mode: mode, status: status)))
        printer.finish()
        return code
    }

    /// The script's `use endpoint "…" project "…"` (the checker allows plain strings only).
    public static func useStatement(_ program: Program) -> ScriptTarget? {
        for s in program.statements {
            if case .use(let endpoint, let project) = s.kind {
                return ScriptTarget(endpoint: endpoint?.plainString, project: project?.plainString)
            }
        }
        return nil
    }
}
