import ArgumentParser

/// The `keyflow` command: a thin shell that wires flags to the libraries.
/// Each subcommand lives in its own file, named after it.
@main
struct Keyflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyflow",
        abstract: "Check, plan and run API-key workflows against Appwrite's Keys API.",
        version: "0.1.0",
        subcommands: [
            CheckCommand.self, FmtCommand.self,
            PlanCommand.self, RunCommand.self,
            ReplCommand.self,
            ServeCommand.self,
            LoginCommand.self, LogoutCommand.self, DoctorCommand.self, BenchClientCommand.self,
        ]
    )
}
