import ArgumentParser
import Foundation
import KeyflowCLI

extension OutputFormat: ExpressibleByArgument {}

/// `--json` and `--format`, shared by the commands that report diagnostics and events.
struct OutputFlags: ParsableArguments {
    @Flag(help: "Print one JSON object per event or diagnostic on standard output (docs/events.md); the same as --format json.")
    var json = false

    @Option(help: """
        text, json, or github: diagnostics as GitHub Actions workflow annotations, and the plan as a job summary \
        appended to $GITHUB_STEP_SUMMARY (the default when GITHUB_ACTIONS=true).
        """)
    var format: OutputFormat?

    func validate() throws {
        if json, let format, format != .json { throw ValidationError("--json and --format \(format.rawValue) contradict each other") }
    }

    /// The format in force (`OutputFormat.choose`).
    var chosen: OutputFormat { OutputFormat.choose(json: json, format: format, environment: ProcessInfo.processInfo.environment) }
}
