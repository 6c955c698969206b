import ArgumentParser

// Placeholder until its issue lands; replaced by the command's real implementation.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "(not built yet)", shouldDisplay: false)
    func run() async throws { throw ValidationError("'keyflow serve' is not built yet") }
}
