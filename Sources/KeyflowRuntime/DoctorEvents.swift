import KeyflowClient
import KeyflowLanguage

/// `keyflow doctor` in the vocabulary of docs/events.md: its report as one `doctor` event, and
/// each check that warned or failed as a `diagnostic` (so `--json` and `--format github`
/// treat them like any other problem).
extension DoctorReport {
    /// A warning, or an error for a failed check; a check has no place in a script.
    public var diagnostics: [Diagnostic] {
        checks.compactMap { check in
            let severity: Diagnostic.Severity
            switch check.status {
            case .warning: severity = .warning
            case .failure: severity = .error
            case .ok, .info: return nil
            }
            let id = "doctor-" + check.name.split(separator: " ").joined(separator: "-")
            return Diagnostic(severity, id: id, summary: "\(check.name): \(check.detail)", range: .commandLine)
        }
    }
}

extension JSONEvents {
    /// `{"event":"doctor", …}`: `status` (`ok`, `warning`, `failure`), the target, the credential,
    /// the API key (never its secret; `expire` is `"never"` or a time), and every check.
    /// What could not be found out is left out.
    public static func doctor(_ report: DoctorReport) -> String {
        var o: [String: Any] = [
            "event": "doctor", "status": report.failed ? "failure" : report.warnings > 0 ? "warning" : "ok",
            "endpoint": report.endpoint, "project": report.project, "credential": report.credential,
            "checks": report.checks.map { ["name": $0.name, "status": $0.status.rawValue, "detail": $0.detail] as [String: Any] },
        ]
        if let version = report.serverVersion { o["server_version"] = version }
        if let key = report.key {
            o["key"] = ["id": key.id, "name": key.name, "scopes": key.scopes, "expire": expiryText(key.expire)] as [String: Any]
        }
        if let creates = report.keysCanCreateKeys { o["keys_can_create_keys"] = creates }
        if let organization = report.organization { o["organization"] = organization }
        if let projects = report.organizationProjects { o["organization_projects"] = projects }
        return encode(o)
    }
}
