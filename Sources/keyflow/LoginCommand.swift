import ArgumentParser

// Placeholder until its issue lands; replaced by the command's real implementation.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "(not built yet)", shouldDisplay: false)
    func run() async throws { throw ValidationError("'keyflow login' is not built yet") }
}
