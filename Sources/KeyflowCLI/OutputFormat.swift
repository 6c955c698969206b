/// How a command prints what it has to say: for people (`text`), as JSON events
/// (docs/events.md), or for GitHub Actions (`github`: diagnostics as workflow annotations,
/// the plan as a job summary in `$GITHUB_STEP_SUMMARY`).
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, github

    /// `--json`, else `--format`, else `github` when running under GitHub Actions
    /// (`GITHUB_ACTIONS=true`), else `text`.
    public static func choose(json: Bool, format: OutputFormat?, environment: [String: String]) -> OutputFormat {
        if json { return .json }
        if let format { return format }
        return environment["GITHUB_ACTIONS"] == "true" ? .github : .text
    }
}
