import ArgumentParser
import Foundation
import KeyflowREPL
import KeyflowCLI
import KeyflowRuntime

/// `keyflow repl`: statements run as they are entered, against the same runtime session
/// `keyflow run` uses, opened the same way (`Connection`). Without a terminal on stdin it
/// is `keyflow run -`.
struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Explore a project's keys interactively: each statement runs as it is entered.",
        discussion: """
            With no endpoint configured it works on the local sandbox. Type :help for every statement \
            with an example; Tab completes keywords, scopes, key names and variables; Up recalls earlier \
            lines (kept in $XDG_STATE_HOME/keyflow/history, else ~/.local/state/keyflow/history). With \
            standard input from a pipe or file it reads statements without prompt or editing, like \
            `keyflow run -`. See docs/repl.md.
            """)

    @OptionGroup var target: TargetFlags

    @Flag(help: "Use the embedded local sandbox even without a terminal (when no endpoint is set).")
    var sandbox = false

    @OptionGroup var color: ColorFlag

    func run() async throws {
        guard isatty(0) == 1 else {
            var invocation = Invocation(mode: .run, scriptPath: "-", arguments: [], startSandbox: SandboxProcess.start)
            invocation.target = target.options
            invocation.sandbox = sandbox
            invocation.colour = color.choice
            let code = await invocation.execute()
            if code != 0 { throw ExitCode(code) }
            return
        }
        let environment = ProcessInfo.processInfo.environment
        let connection: Connection
        do {
            connection = try await Connection.open(
                target: target.options, script: nil, sandbox: sandbox, environment: environment, stdinIsTerminal: true,
                startSandbox: SandboxProcess.start)
        } catch {
            switch error {
            case .usage(let message, let help):
                FileHandle.standardError.write(Data("error: \(message)\n\(help.map { "  help: \($0)\n" } ?? "")".utf8))
                throw ExitCode(2)
            case .sandbox(let message):
                FileHandle.standardError.write(Data("error: \(message)\n".utf8))
                throw ExitCode(1)
            }
        }
        for warning in connection.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        let colour = color.choice.palette(isTerminal: isatty(1) == 1 && isatty(2) == 1, environment: environment).enabled
        let history = HistoryFile.defaultPath(environment: environment).map { HistoryFile(path: $0) }
        let repl = REPL(session: connection.session, history: history, colour: colour)
        let code = await repl.run()
        await connection.embedded?.stop()
        if code != 0 { throw ExitCode(code) }
    }
}
