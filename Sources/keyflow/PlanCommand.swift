import ArgumentParser
import KeyflowCLI
import KeyflowRuntime

/// `keyflow plan FILE [name=value...]`: reads only, prints the steps a run would take.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the steps a script would take, without changing anything.",
        discussion: """
            Evaluates the script with reads against the target; writes are applied to an in-memory copy \
            of the key list so later statements see earlier ones. Prints one line per step on standard \
            output (+ create, ~ update with field differences, - delete, ↻ rotate, → secret); the target \
            line and the summary go to standard error. Secrets are never shown and sinks are not touched.

            With no endpoint configured, plans against the embedded local sandbox when a terminal is \
            attached (or with --sandbox); otherwise exits 2.

            Examples:
              keyflow plan examples/onboard.kf service=search
              keyflow plan --detailed-exitcode rotate.kf      # exit 4 when there is work to do
              keyflow plan --markdown rotate.kf > plan.md      # for a pull-request comment
              keyflow plan --format github rotate.kf           # annotations, and a job summary
              APPWRITE_ENDPOINT=https://cloud.appwrite.io/v1 APPWRITE_PROJECT_ID=p1 \\
                APPWRITE_API_KEY=… keyflow plan --json sweep.kf
              cat script.kf | keyflow plan --sandbox -
              keyflow plan -o rotate.plan rotate.kf         # review it, then: keyflow run rotate.plan

            With -o FILE the plan is also saved (mode 0600, no secrets; docs/saved-plans.md): \
            `keyflow run FILE` executes exactly its steps, and refuses before its first write when \
            the target or any key the plan read has changed since.
            """)

    @OptionGroup var script: ScriptArguments
    @OptionGroup var target: TargetFlags

    @Flag(help: "Exit 4 when the plan has changes to make (0: none, 1: error, 2: invalid).")
    var detailedExitcode = false

    @Option(name: [.customShort("o"), .customLong("output")], help: "Save the plan to this file, for `keyflow run FILE`.")
    var saveTo: String?

    @Flag(help: "Print the plan as Markdown on standard output (for a pull-request comment); diagnostics go to standard error.")
    var markdown = false

    func validate() throws {
        if markdown && script.output.chosen == .json { throw ValidationError("--markdown and --json contradict each other") }
    }

    func run() async throws {
        var invocation = script.invocation(mode: .plan, target: target)
        invocation.detailedExitCode = detailedExitcode
        invocation.savePath = saveTo
        invocation.markdown = markdown
        let code = await invocation.execute()
        if code != 0 { throw ExitCode(code) }
    }
}

/// Arguments shared by `plan` and `run`.
struct ScriptArguments: ParsableArguments {
    @Argument(
        help: "The script, or - to read it from standard input (for run, also a saved plan).",
        completion: .file(extensions: FileKinds.scriptOrPlan))
    var file: String

    @Argument(help: "Parameters for the script's `param` statements, as name=value.")
    var parameters: [String] = []

    @OptionGroup var output: OutputFlags

    @OptionGroup var color: ColorFlag

    @Option(help: "At most this many requests in flight for a bulk statement.")
    var parallel = 8

    @Flag(help: "Use the embedded local sandbox even without a terminal (when no endpoint is set).")
    var sandbox = false

    @Flag(help: "Treat warnings that would mislead a run as errors (a create of a name an active key has).")
    var strict = false

    @Flag(help: "Let the run delete, retire at once, or cut the scopes or expiry of the API key it authenticates with.")
    var allowSelf = false

    @Option(help: "At most this many steps (creates, updates, deletes, deliveries) in one plan or run.")
    var maxSteps = Limits.standard.maxSteps

    @Option(help: "At most this many loop iterations, over every loop of the script.")
    var maxIterations = Limits.standard.maxIterations

    func validate() throws {
        guard (1...64).contains(parallel) else { throw ValidationError("--parallel takes a number from 1 to 64") }
        guard maxSteps >= 1, maxIterations >= 1 else { throw ValidationError("--max-steps and --max-iterations take a number of at least 1") }
    }

    func invocation(mode: Mode, target: TargetFlags) -> Invocation {
        var i = Invocation(mode: mode, scriptPath: file, arguments: parameters, startSandbox: SandboxProcess.start)
        i.format = output.chosen
        i.colour = color.choice
        i.parallel = parallel
        i.sandbox = sandbox
        i.target = target.options
        i.strict = strict
        i.allowSelf = allowSelf
        i.limits.maxSteps = maxSteps
        i.limits.maxIterations = maxIterations
        return i
    }
}

/// `keyflow show-plan FILE`: prints a saved plan as `plan` printed it; nothing is sent.
struct ShowPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show-plan",
        abstract: "Print a plan saved with `keyflow plan -o FILE`, without contacting the server.",
        discussion: """
            Checks the file's format version and checksum, then prints its target, its steps and \
            its summary as `plan` did. See docs/saved-plans.md for the format.

            Examples:
              keyflow show-plan rotate.plan
              keyflow show-plan --json rotate.plan | jq -c 'select(.event == "step_planned")'
            """)

    @Argument(help: "The saved plan (by convention FILE.kfplan).", completion: .file(extensions: ["kfplan"]))
    var file: String

    @OptionGroup var output: OutputFlags

    func run() async throws {
        var invocation = Invocation(mode: .plan, scriptPath: file, arguments: [], startSandbox: SandboxProcess.start)
        invocation.format = output.chosen
        invocation.showOnly = true
        let code = await invocation.execute()
        if code != 0 { throw ExitCode(code) }
    }
}
