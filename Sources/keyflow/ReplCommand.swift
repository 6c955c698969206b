import ArgumentParser

// Placeholder until its issue lands; replaced by the command's real implementation.
struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "repl", abstract: "(not built yet)", shouldDisplay: false)
    func run() async throws { throw ValidationError("'keyflow repl' is not built yet") }
}
