import ArgumentParser

// Placeholder until its issue lands; replaced by the command's real implementation.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "doctor", abstract: "(not built yet)", shouldDisplay: false)
    func run() async throws { throw ValidationError("'keyflow doctor' is not built yet") }
}
