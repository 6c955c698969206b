import ArgumentParser
import KeyflowCLI
import KeyflowRuntime

/// `keyflow run FILE [name=value...]`: executes the script's steps in order.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a script: execute its steps against the Keys API.",
        discussion: """
            Plans first (a script that cannot finish fails before its first write), then executes each \
            step and prints its outcome. On a failure it stops and prints what was done and what was not.

            Exit codes: 0 success, 1 runtime failure (API error, sink failure, unreachable target), \
            2 invalid script or command line (nothing sent), 3 an assert failed.

            With no endpoint configured, runs against the embedded local sandbox when a terminal is \
            attached (or with --sandbox); otherwise exits 2 rather than rehearse silently.

            Examples:
              keyflow run examples/onboard.kf service=search
              keyflow run --parallel 16 examples/tenants.kf tenants_file=customers.txt
              keyflow run --json examples/sweep.kf > sweep-events.jsonl
              echo 'list' | keyflow run --sandbox -
              keyflow run rotate.plan                       # a plan saved with keyflow plan -o

            On a terminal, a run that deletes or retires keys, or changes more than 20, shows its \
            plan and asks first; --yes skips the question. Without a terminal it never asks.

            FILE may be a plan saved with `keyflow plan -o` (docs/saved-plans.md): the run executes \
            exactly its steps, and refuses before its first write (exit 1) when the target differs \
            or a key the plan read has changed since.
            """)

    @OptionGroup var script: ScriptArguments
    @OptionGroup var target: TargetFlags

    @Flag(name: [.customShort("y"), .long], help: "Do not ask before a destructive run on a terminal.")
    var yes = false

    func run() async throws {
        var invocation = script.invocation(mode: .run, target: target)
        invocation.yes = yes
        let code = await invocation.execute()
        if code != 0 { throw ExitCode(code) }
    }
}
