import ArgumentParser
import Foundation
import KeyflowClient

/// `keyflow doctor`: checks the target and its credentials (KeyflowClient's `Doctor`).
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the endpoint, the project and the credentials in use.",
        discussion: "Exit status 0 when all is well, 1 otherwise.")

    @OptionGroup var target: TargetFlags

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        // Whatever is wrong, doctor says so and exits 1 (not the usage status).
        let resolved: ResolvedTarget
        do {
            guard let found = try target.resolver.resolve() else {
                printError("error: no endpoint: give --endpoint or set APPWRITE_ENDPOINT")
                throw ExitCode(1)
            }
            resolved = found
        } catch let error as TargetError {
            throw failure(error)  // 1, but 2 for a context that is not configured
        }
        if let warning = resolved.insecureWarning { printError(warning) }
        let report = await Doctor(target: resolved).run()
        print(json ? report.json : report.text)
        if !report.healthy { throw ExitCode(1) }
    }
}

/// A line on standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
