import ArgumentParser

// Placeholder until its issue lands; replaced by the command's real implementation.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "(not built yet)", shouldDisplay: false)
    func run() async throws { throw ValidationError("'keyflow run' is not built yet") }
}
