import ArgumentParser

// Placeholder until its issue lands; replaced by the command's real implementation.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "(not built yet)", shouldDisplay: false)
    func run() async throws { throw ValidationError("'keyflow check' is not built yet") }
}
