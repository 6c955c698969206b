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
    /// `plan -o FILE`: save the plan there for `keyflow run FILE` (docs/saved-plans.md).
    public var savePath: String?
    /// `run --yes`: no confirmation on a terminal.
    public var yes = false
    /// `show-plan FILE`: print a saved plan as `plan` does; nothing is sent.
    public var showOnly = false
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
        if showOnly || SavedPlan.looksSaved(bytes) { return await executeSaved(bytes, file: file, printer: printer) }
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
        switch await connect(script: use, sandbox: sandbox, stdinIsTerminal: stdinIsTerminal, printer, file: file) {
        case .success(let opened): connection = opened
        case .failure(let failed): return failed.code
        }
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
        configure(&options, printer)
        let recording = savePath.map { _ in PlanRecording() }
        let summary = await KeyTable.$palette.withValue(printer.report.style) {
            mode == .plan
                ? await session.plan(program, source: source, options: options, recording: recording, emit: printer.emit)
                : await session.run(program, source: source, options: options, emit: printer.emit)
        }
        printer.finish()
        if let savePath, let recording {
            if summary.status == .ok {
                let saved = await recording.saved(
                    target: session.target, script: SavedPlan.Script(file: file, bytes: bytes, parameters: params))
                do {
                    try saved.write(to: savePath)
                } catch {
                    printer.fail("cannot save the plan to \(savePath): \(error.reason)")
                    if let embedded { await embedded.stop() }
                    return 1
                }
                printer.note("Saved the plan (\(saved.steps.count) step\(saved.steps.count == 1 ? "" : "s")) to \(savePath): run it with `keyflow run \(savePath)`")
            } else {
                printer.note("The plan was not saved: it did not finish")
            }
        }
        if let embedded { await embedded.stop() }
        return exitCode(summary)
    }

    /// Progress lines and the confirmation prompt, for a run at a terminal.
    func configure(_ options: inout RunOptions, _ printer: Printer) {
        if printer.progress {
            options.onStepFinished = { @Sendable (_: Step) in printer.stepDone() }
            options.onPlanReady = { @Sendable (count: Int) in printer.expect(count) }
        }
        // Only a person at a terminal is asked (docs/language.md §12.6b): cron and CI never are.
        if mode == .run, !yes, stdinIsTerminal, stderrIsTerminal {
            options.confirm = { @Sendable steps, question in printer.confirm(steps, question) }
        }
    }

    func exitCode(_ summary: Summary) -> Int32 {
        switch summary.status {
        case .ok: return detailedExitCode && mode == .plan && summary.changes > 0 ? 4 : 0
        case .failed: return 1
        case .assertFailed: return 3
        case .invalid: return 2
        }
    }

    /// `run FILE`, `plan FILE` and `show-plan FILE` for a saved plan (docs/saved-plans.md):
    /// `show-plan` and `plan` print it as `plan` does; `run` executes exactly its steps.
    func executeSaved(_ bytes: [UInt8], file: String, printer: Printer) async -> Int32 {
        let plan: SavedPlan
        do {
            plan = try SavedPlan.decode(bytes)
        } catch {
            printer.fail("\(file): \(error)")
            if case .unknownVersion = error { return invalid(1, printer, status: .failed) }
            return invalid(2, printer)
        }
        guard savePath == nil else {
            return invalid(printer.usage("\(file) is a saved plan already: -o saves the plan of a script", file: file), printer)
        }
        guard arguments.isEmpty else {
            return invalid(
                printer.usage(
                    "a saved plan takes no name=value parameters: they were fixed when it was made",
                    help: "plan the script again with the new values", file: file), printer)
        }
        // The script, when it is still at hand and unchanged, gives diagnostics their excerpts.
        if let script = FileManager.default.contents(atPath: plan.script.file).map({ [UInt8]($0) }) {
            if SavedPlan.sha256(script) == plan.script.sha256 {
                printer.know(file: plan.script.file, bytes: script)
            } else if !showOnly && mode == .run {
                printer.note("\(plan.script.file) changed since the plan was saved; the saved steps run as they were planned")
            }
        }
        if plan.projects.count > 1 { printer.nameProjects() }
        if showOnly || mode == .plan {
            for event in plan.events { printer.emit(event) }
            printer.finish()
            return 0
        }

        // The target the plan names stands where a script's `use` would: flags and the
        // environment still win, and the session refuses a target that is not the plan's.
        let connection: Connection
        let planned = ScriptTarget(endpoint: plan.target.endpoint, project: plan.target.project)
        switch await connect(script: planned, sandbox: false, stdinIsTerminal: false, printer, file: file) {
        case .success(let opened): connection = opened
        case .failure(let failed): return failed.code
        }
        var options = RunOptions(parallel: parallel, sinks: SinkWriter(standardOutput: { text in printer.raw(text) }))
        options.allowSelf = allowSelf
        configure(&options, printer)
        let summary = await connection.session.run(saved: plan, file: file, options: options, emit: printer.emit)
        printer.finish()
        return exitCode(summary)
    }

    /// Why no connection was opened: already reported, ended with this exit code.
    struct NotConnected: Error {
        let code: Int32
    }

    /// Opens the target (flags and environment over `script`'s target), printing its
    /// warnings; a failure is reported as a usage error (exit 2) or a failed start of the
    /// sandbox (exit 1), each with the closing summary.
    func connect(script: ScriptTarget?, sandbox: Bool, stdinIsTerminal: Bool, _ printer: Printer, file: String) async
        -> Result<Connection, NotConnected>
    {
        do {
            let connection = try await Connection.open(
                target: target, script: script, sandbox: sandbox, environment: environment, stdinIsTerminal: stdinIsTerminal,
                startSandbox: startSandbox)
            for warning in connection.warnings { printer.warn(warning) }
            return .success(connection)
        } catch {
            switch error {
            case .usage(let message, let help): return .failure(NotConnected(code: invalid(printer.usage(message, help: help, file: file), printer)))
            case .sandbox(let message):
                printer.fail(message)
                return .failure(NotConnected(code: invalid(1, printer, status: .failed)))
            }
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
