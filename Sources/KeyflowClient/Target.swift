import Foundation

/// Where the target and its credentials come from (docs/language.md §13), highest first:
/// command-line flags, the environment, the script's `use` statement; a session from
/// `APPWRITE_SESSION`, else from the stored login for the endpoint. Credentials are never
/// read from a script.
public struct TargetOptions: Sendable, Hashable {
    public var endpoint: String?
    public var project: String?
    /// A file holding the API key (first line; surrounding white space ignored).
    public var keyFile: String?
    /// A file holding an organization API key (`--organization-key-file`).
    public var organizationKeyFile: String?
    /// The organization id (`--organization`).
    public var organization: String?
    /// Skip TLS verification: only when `--insecure` was named.
    public var insecure: Bool

    public init(
        endpoint: String? = nil, project: String? = nil, keyFile: String? = nil, organizationKeyFile: String? = nil,
        organization: String? = nil, insecure: Bool = false
    ) {
        self.endpoint = endpoint
        self.project = project
        self.keyFile = keyFile
        self.organizationKeyFile = organizationKeyFile
        self.organization = organization
        self.insecure = insecure
    }
}

/// What a script's `use` statement says (no credentials there, by design).
public struct ScriptTarget: Sendable, Hashable {
    public var endpoint: String?
    public var project: String?
    public init(endpoint: String? = nil, project: String? = nil) {
        self.endpoint = endpoint
        self.project = project
    }
}

/// A fully resolved target, with where each part came from (for `doctor` and messages).
public struct ResolvedTarget: Sendable {
    public var endpoint: String
    public var project: String
    public var credentials: Credentials
    public var insecure: Bool
    public var endpointSource: String
    public var projectSource: String
    /// `--key-file PATH` or `APPWRITE_API_KEY`; nil without a key.
    public var apiKeySource: String?
    /// `APPWRITE_SESSION` or `stored login (PATH)`; nil without a session.
    public var sessionSource: String?
    /// `--organization-key-file PATH` or `APPWRITE_ORGANIZATION_KEY`; nil without one.
    public var organizationKeySource: String? = nil
    /// `--organization` or `APPWRITE_ORGANIZATION_ID`; nil without one.
    public var organizationSource: String? = nil

    public func clientConfiguration(routes: ClientConfiguration.Routes = .project) -> ClientConfiguration {
        ClientConfiguration(endpoint: endpoint, project: project, credentials: credentials, routes: routes, insecure: insecure)
    }

    /// The line to print on every run that skips TLS verification.
    public var insecureWarning: String? {
        insecure ? "warning: --insecure: TLS certificates are not verified for \(endpoint)" : nil
    }
}

/// Why a target could not be resolved. No case carries a secret.
public enum TargetError: Error, Sendable, Hashable, CustomStringConvertible {
    case badEndpoint(String)
    case noProject(endpoint: String)
    case keyFile(path: String, reason: String)
    case sessionStore(path: String, reason: String)
    case organizationMissing(keySource: String)

    public var description: String {
        switch self {
        case .badEndpoint(let why): why
        case .noProject(let endpoint):
            "no project for \(endpoint): give --project or set APPWRITE_PROJECT_ID"
        case .keyFile(let path, let reason): "key file \(path) \(reason)"
        case .sessionStore(let path, let reason): "session store \(path) \(reason)"
        case .organizationMissing(let source):
            "an organization key (from \(source)) needs its organization id: give --organization or set APPWRITE_ORGANIZATION_ID"
        }
    }
}

public struct TargetResolver: Sendable {
    public var options: TargetOptions
    public var environment: [String: String]
    public var store: SessionStore

    public init(
        options: TargetOptions, environment: [String: String] = ProcessInfo.processInfo.environment,
        store: SessionStore? = nil
    ) {
        self.options = options
        self.environment = environment
        self.store = store ?? SessionStore.standard(environment: environment)
    }

    /// The endpoint alone (flags, environment, script), normalised; nil when none is set anywhere.
    public func endpoint(script: ScriptTarget? = nil) throws(TargetError) -> (value: String, source: String)? {
        let candidates: [(String?, String)] = [
            (options.endpoint, "--endpoint"), (environment["APPWRITE_ENDPOINT"], "APPWRITE_ENDPOINT"),
            (script?.endpoint, "the script's use statement"),
        ]
        guard let (raw, source) = candidates.first(where: { !($0.0 ?? "").isEmpty }), let raw else { return nil }
        if let problem = ClientConfiguration.problem(endpoint: raw) { throw .badEndpoint("\(problem) (from \(source))") }
        return (ClientConfiguration.normalise(endpoint: raw), source)
    }

    /// The whole target; nil when no endpoint is set anywhere (the caller may then use the
    /// embedded sandbox, docs/language.md §13). Credentials may be empty: calls then fail with
    /// `APIError.noCredential`, and `doctor` says so.
    public func resolve(script: ScriptTarget? = nil) throws(TargetError) -> ResolvedTarget? {
        guard let (endpoint, endpointSource) = try self.endpoint(script: script) else { return nil }
        let projects: [(String?, String)] = [
            (options.project, "--project"), (environment["APPWRITE_PROJECT_ID"], "APPWRITE_PROJECT_ID"),
            (script?.project, "the script's use statement"),
        ]
        guard let (projectValue, projectSource) = projects.first(where: { !($0.0 ?? "").isEmpty }), let project = projectValue
        else { throw .noProject(endpoint: endpoint) }

        var apiKey: Secret?
        var apiKeySource: String?
        if let path = options.keyFile {
            apiKey = try Self.readKeyFile(path)
            apiKeySource = "--key-file \(path)"
        } else if let value = environment["APPWRITE_API_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
            apiKey = Secret(value)
            apiKeySource = "APPWRITE_API_KEY"
        }

        var session: Secret?
        var sessionSource: String?
        if let value = environment["APPWRITE_SESSION"]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
            session = Secret(value)
            sessionSource = "APPWRITE_SESSION"
        } else if let entry = try store.entry(for: endpoint) {
            session = entry.session
            sessionSource = "stored login (\(store.path))"
        }

        var organizationKey: Secret?
        var organizationKeySource: String?
        if let path = options.organizationKeyFile {
            organizationKey = try Self.readKeyFile(path)
            organizationKeySource = "--organization-key-file \(path)"
        } else if let value = environment["APPWRITE_ORGANIZATION_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
            organizationKey = Secret(value)
            organizationKeySource = "APPWRITE_ORGANIZATION_KEY"
        }
        let organizations: [(String?, String)] = [
            (options.organization, "--organization"), (environment["APPWRITE_ORGANIZATION_ID"], "APPWRITE_ORGANIZATION_ID"),
        ]
        let organization = organizations.first { !($0.0 ?? "").isEmpty }
        if let organizationKeySource, organization == nil { throw .organizationMissing(keySource: organizationKeySource) }

        var resolved = ResolvedTarget(
            endpoint: endpoint, project: project,
            credentials: Credentials(apiKey: apiKey, session: session, organizationKey: organizationKey, organization: organization?.0),
            insecure: options.insecure, endpointSource: endpointSource, projectSource: projectSource,
            apiKeySource: apiKeySource, sessionSource: sessionSource)
        resolved.organizationKeySource = organizationKeySource
        resolved.organizationSource = organization?.1
        return resolved
    }

    static func readKeyFile(_ path: String) throws(TargetError) -> Secret {
        guard FileManager.default.fileExists(atPath: path) else { throw .keyFile(path: path, reason: "does not exist") }
        guard let data = FileManager.default.contents(atPath: path) else { throw .keyFile(path: path, reason: "cannot be read") }
        let text = String(decoding: data, as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
        guard let line else { throw .keyFile(path: path, reason: "is empty") }
        return Secret(line)
    }
}
