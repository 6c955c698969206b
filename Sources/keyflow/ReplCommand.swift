import ArgumentParser
import KeyflowREPL

struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl", abstract: "Explore a project's keys interactively: each statement runs as it is entered.")

    func run() async throws {
        let code = await REPL.main()
        if code != 0 { throw ExitCode(code) }
    }
}
