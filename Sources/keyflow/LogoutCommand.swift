import ArgumentParser

// Placeholder until its issue lands; replaced by the command's real implementation.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "(not built yet)", shouldDisplay: false)
    func run() async throws { throw ValidationError("'keyflow logout' is not built yet") }
}
