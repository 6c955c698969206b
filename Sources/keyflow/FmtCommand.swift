import ArgumentParser

// Placeholder until its issue lands; replaced by the command's real implementation.
struct FmtCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fmt", abstract: "(not built yet)", shouldDisplay: false)
    func run() async throws { throw ValidationError("'keyflow fmt' is not built yet") }
}
