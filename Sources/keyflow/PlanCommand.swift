import ArgumentParser

// Placeholder until its issue lands; replaced by the command's real implementation.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "(not built yet)", shouldDisplay: false)
    func run() async throws { throw ValidationError("'keyflow plan' is not built yet") }
}
