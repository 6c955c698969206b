import ArgumentParser
import Foundation
import KeyflowCLI
import KeyflowClient
import KeyflowRuntime

/// `keyflow doctor`: checks the target and its credentials (KeyflowClient's `Doctor`).
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the endpoint, the project and the credentials in use.",
        discussion: """
            Exit status 1 when a check failed (the target cannot be used as it is), 0 otherwise: \
            warnings (a key that expires soon, a key creation that could not be probed) do not fail \
            it unless --strict is given. A target that is not configured is 1 too; a named context \
            that does not exist is 2.
            """)

    @OptionGroup var target: TargetFlags

    @OptionGroup var output: OutputFlags

    @Flag(help: "Exit 1 on warnings too, not only on failures.")
    var strict = false

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
        // The report is the result (stdout); under --json a `doctor` event, and under --json and
        // --format github every warning and failure as a diagnostic too.
        let printer = Printer(format: output.chosen, progress: false)
        printer.result(printer.format == .json ? JSONEvents.doctor(report) : report.text)
        if printer.format != .text {
            for d in report.diagnostics { printer.emit(.diagnostic(d)) }
        }
        let code = report.exitCode(strict: strict)
        if code != 0 { throw ExitCode(code) }
    }
}

/// A line on standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
