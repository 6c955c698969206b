import Foundation
import KeyflowBasics

/// What `keyflow doctor` finds out about a target: is the endpoint reachable, which
/// server version, does the project exist, which credential is in use, what the API key
/// itself may do and until when, and whether this server lets keys create keys.
public struct DoctorReport: Sendable {
    public enum Status: String, Sendable {
        case ok, info, warning, failure
    }

    public struct Check: Sendable, Hashable {
        public var name: String
        public var status: Status
        public var detail: String
    }

    /// The API key as the server lists it (never its secret).
    public struct KeySummary: Sendable, Hashable {
        public var id: String
        public var name: String
        public var scopes: [String]
        public var expire: Expiry
    }

    public var endpoint: String
    public var project: String
    public var serverVersion: String?
    /// `api key`, `console session`, `api key and console session` or `none`.
    public var credential: String
    public var key: KeySummary?
    /// nil when it could not be found out.
    public var keysCanCreateKeys: Bool?
    /// The organization, and the projects its credential reaches (nil: not asked or not known).
    public var organization: String?
    public var organizationProjects: [String]?
    public var checks: [Check] = []

    /// All well: no warning and no failure.
    public var healthy: Bool { !checks.contains { $0.status == .warning || $0.status == .failure } }
    /// A check failed: the target cannot be used as it is (exit 1).
    public var failed: Bool { checks.contains { $0.status == .failure } }
    public var warnings: Int { checks.filter { $0.status == .warning }.count }

    /// The exit status: 1 when a check failed, or under `strict` when one warned; else 0.
    public func exitCode(strict: Bool) -> Int32 { failed || (strict && warnings > 0) ? 1 : 0 }

    mutating func add(_ name: String, _ status: Status, _ detail: String) {
        checks.append(Check(name: name, status: status, detail: detail))
    }

    /// One line a check, for people.
    public var text: String {
        let width = checks.map(\.name.count).max() ?? 0
        var lines = checks.map { check in
            let mark = switch check.status {
            case .ok: "ok  "
            case .info: "info"
            case .warning: "warn"
            case .failure: "FAIL"
            }
            return "\(mark)  \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(check.detail)"
        }
        lines.append(failed ? "problems found" : warnings > 0 ? "usable, with \(warnings) warning\(warnings == 1 ? "" : "s")" : "all well")
        return lines.joined(separator: "\n")
    }
}

public struct Doctor: Sendable {
    public var target: ResolvedTarget
    public var now: Date
    /// How soon an expiry earns a warning.
    public var expiryWarning: TimeInterval = 7 * 86_400

    public init(target: ResolvedTarget, now: Date = Date()) {
        self.target = target
        self.now = now
    }

    public func run() async -> DoctorReport {
        let configuration = target.clientConfiguration()
        let client = AppwriteClient(ClientConfiguration(
            endpoint: configuration.endpoint, project: configuration.project, credentials: configuration.credentials,
            insecure: configuration.insecure, connectTimeout: .seconds(5), totalTimeout: .seconds(15),
            retry: RetryPolicy(maxAttempts: 2)))
        let credentials = target.credentials
        var report = DoctorReport(endpoint: target.endpoint, project: target.project, credential: credentials.kinds)
        report.organization = credentials.organization

        if let warning = target.insecureWarning { report.add("tls", .warning, warning.replacingOccurrences(of: "warning: ", with: "")) }
        if let context = target.context {
            // Where each part came from, when a context is in force (flags and variables win).
            report.add(
                "context", .info,
                "\(ContextConfig.quoted(context)) (from \(target.contextSource ?? "?")); endpoint from \(target.endpointSource), project from \(target.projectSource)"
                    + (target.organizationSource.map { ", organization from \($0)" } ?? ""))
        }

        // 1. The endpoint and the server version.
        do {
            let version = try await client.serverVersion()
            report.serverVersion = version
            report.add("endpoint", .ok, "\(target.endpoint) reachable, server version \(version)")
        } catch {
            report.add("endpoint", .failure, "\(target.endpoint): \(error)")
            return report
        }

        // 2. Which credential.
        var sources: [String] = []
        if let source = target.apiKeySource { sources.append("API key from \(source)") }
        if let source = target.sessionSource { sources.append("console session from \(source)") }
        if let source = target.organizationKeySource { sources.append("organization key from \(source)") }
        guard !credentials.isEmpty else {
            report.add(
                "credential", .failure,
                "none: give an API key (--key-file or APPWRITE_API_KEY), an organization key (APPWRITE_ORGANIZATION_KEY with "
                    + "APPWRITE_ORGANIZATION_ID) or sign in with keyflow login (or APPWRITE_SESSION)")
            return report
        }
        report.add("credential", .ok, sources.joined(separator: "; "))

        // 3. The project and the API key itself.
        if let apiKey = credentials.apiKey {
            await checkAPIKey(apiKey, client: client, into: &report)
        }
        if let session = credentials.session {
            await checkSession(session, into: &report)
        }
        if let organizationKey = credentials.organizationKey, let organization = credentials.organization {
            await checkOrganizationKey(organizationKey, organization: organization, into: &report)
        }
        return report
    }

    /// An organization key: the organization, the projects it reaches, and whether it may
    /// read and create keys in the target project (the organization routes let it create).
    private func checkOrganizationKey(_ key: Secret, organization: String, into report: inout DoctorReport) async {
        let orgOnly = AppwriteClient(ClientConfiguration(
            endpoint: target.endpoint, project: target.project, credentials: Credentials(organizationKey: key, organization: organization),
            insecure: target.insecure, connectTimeout: .seconds(5), totalTimeout: .seconds(15), retry: RetryPolicy(maxAttempts: 2)))
        do {
            let projects = try await orgOnly.listProjects()
            report.organizationProjects = projects.map(\.id)
            let names = projects.prefix(10).map(\.id).joined(separator: ", ") + (projects.count > 10 ? ", …" : "")
            report.add("organization", .ok, "\(organization): the organization key reaches \(projects.count) project\(projects.count == 1 ? "" : "s") (\(names))")
        } catch {
            report.add("organization", error.type == "general_unauthorized_scope" ? .warning : .failure,
                       "\(organization): cannot list its projects: \(error)" + (error.remedy.map { " — \($0)" } ?? ""))
        }
        do {
            let list = try await orgOnly.listKeys(queries: [.limit(1)], total: true)
            if !report.checks.contains(where: { $0.name == "project" }) {
                report.add("project", .ok, "\(target.project) (\(list.total) key\(list.total == 1 ? "" : "s"))")
            }
            report.keysCanCreateKeys = report.keysCanCreateKeys ?? false
            report.add("key creation", .ok, "creates go through the organization key (the organization routes allow it)")
        } catch {
            report.add("project", .failure, "\(target.project) through the organization key: \(error)" + (error.remedy.map { " — \($0)" } ?? ""))
        }
    }

    private func checkAPIKey(_ apiKey: Secret, client: AppwriteClient, into report: inout DoctorReport) async {
        let keyOnly = AppwriteClient(ClientConfiguration(
            endpoint: client.configuration.endpoint, project: target.project, credentials: Credentials(apiKey: apiKey),
            insecure: target.insecure, connectTimeout: .seconds(5), totalTimeout: .seconds(15), retry: RetryPolicy(maxAttempts: 2)))
        let list: KeyList
        do {
            list = try await keyOnly.listKeys(queries: [], total: true)
            report.add("project", .ok, "\(target.project) (\(list.total) key\(list.total == 1 ? "" : "s"))")
        } catch {
            switch error.type {
            case "project_not_found": report.add("project", .failure, "\(target.project): \(error)")
            case "general_unauthorized_scope" where apiKey.reveal().hasPrefix("ephemeral_"):
                report.add("api key", .failure, "the ephemeral key is expired, invalid or lacks keys.read: \(error)")
            case "general_unauthorized_scope":
                report.add("api key", .warning, "cannot list keys, so cannot identify itself (it lacks keys.read?): \(error)")
            default: report.add("api key", .failure, "rejected: \(error)")
            }
            return
        }

        guard let own = list.keys.first(where: { $0.secret.reveal() == apiKey.reveal() }) else {
            if let payload = EphemeralToken.payload(of: apiKey) {
                let summary = DoctorReport.KeySummary(id: "(ephemeral)", name: "(ephemeral)", scopes: payload.scopes, expire: payload.expire)
                report.key = summary
                report.add("api key", .ok, "ephemeral key, scopes \(payload.scopes.joined(separator: ", ")), \(describe(payload.expire))")
                warnAboutExpiry(summary, into: &report)
            } else {
                report.add("api key", .warning, "not among the project's keys (listed \(list.keys.count)); cannot tell its name, scopes or expiry")
            }
            return
        }
        let summary = DoctorReport.KeySummary(id: own.id, name: own.name, scopes: own.scopes, expire: own.expire)
        report.key = summary
        report.add("api key", .ok, "\"\(own.name)\" (\(own.id)), scopes \(own.scopes.joined(separator: ", ")), \(describe(own.expire))")
        warnAboutExpiry(summary, into: &report)

        // 4. May keys create keys here? A create of the key's own id: servers that refuse
        // key-authorised creation answer 403 key_creation_denied; servers that allow it
        // answer 409 key_already_exists. Either way nothing is created.
        guard own.scopes.contains("keys.write") else {
            report.add("key creation", .info, "not probed: the key lacks keys.write")
            return
        }
        switch await KeyCreationProbe.run(keyOnly, existingId: own.id) {
        case .denied:
            report.keysCanCreateKeys = false
            report.add("key creation", .info, "this server refuses key-authorised creation: creates need a console session (keyflow login)")
        case .allowed:
            report.keysCanCreateKeys = true
            report.add("key creation", .ok, "this server lets API keys create keys")
        case .unclear(let error):
            report.add("key creation", .warning, "could not tell (probe answered \(error))")
        }
    }

    private func checkSession(_ session: Secret, into report: inout DoctorReport) async {
        let sessionOnly = AppwriteClient(ClientConfiguration(
            endpoint: target.endpoint, project: target.project, credentials: Credentials(session: session),
            insecure: target.insecure, connectTimeout: .seconds(5), totalTimeout: .seconds(15), retry: RetryPolicy(maxAttempts: 2)))
        do {
            let list = try await sessionOnly.listKeys(queries: [.limit(1)], total: true)
            if !report.checks.contains(where: { $0.name == "project" }) {
                report.add("project", .ok, "\(target.project) (\(list.total) key\(list.total == 1 ? "" : "s"))")
            }
            report.add("session", .ok, "console session accepted; creates go through it")
        } catch {
            if error.type == "project_not_found" {
                report.add("project", .failure, "\(target.project): \(error)")
            } else {
                report.add("session", .failure, "console session rejected (expired? sign in again with keyflow login): \(error)")
            }
        }
    }

    private func warnAboutExpiry(_ key: DoctorReport.KeySummary, into report: inout DoctorReport) {
        switch key.expire {
        case .at(let date) where date <= now:
            report.add("expiry", .warning, "the key expired at \(WireDate.format(date))")
        case .at(let date) where date.timeIntervalSince(now) < expiryWarning:
            report.add("expiry", .warning, "the key expires within 7 days, at \(WireDate.format(date))")
        case .never where key.scopes.contains("keys.write"):
            report.add("expiry", .warning, "the key holds keys.write and never expires: give it an expiry")
        default:
            break
        }
    }

    private func describe(_ expiry: Expiry) -> String {
        switch expiry {
        case .never: "never expires"
        case .at(let date): "expires \(WireDate.format(date))"
        }
    }
}

/// The unverified payload of an `ephemeral_` key (docs/appwrite-api.md §6.1): enough for doctor to
/// describe it. Nothing here checks the signature; the server does.
enum EphemeralToken {
    static func payload(of key: Secret) -> (scopes: [String], expire: Expiry)? {
        let text = key.reveal()
        guard text.hasPrefix("ephemeral_") || text.hasPrefix("dynamic_") else { return nil }
        let jwt = text[text.index(after: text.firstIndex(of: "_")!)...]
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let object = JSONValue.parse(Array(data)) else { return nil }
        let expire: Expiry = object["exp"]?.integerValue.map { .at(Date(timeIntervalSince1970: TimeInterval($0))) } ?? .never
        return (object["scopes"]?.stringsValue ?? [], expire)
    }
}
