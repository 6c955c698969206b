import Foundation

/// Where the target and its credentials come from (docs/language.md §13), highest first:
/// command-line flags, the environment, the named context (`--context`, `KEYFLOW_CONTEXT`,
/// else the config's current one), the script's `use` statement; a session from
/// `APPWRITE_SESSION`, else from the context's stored login, else from the stored login for
/// the endpoint. Credentials are never read from a script.
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
    /// The named context (`--context`).
    public var context: String?

    public init(
        endpoint: String? = nil, project: String? = nil, keyFile: String? = nil, organizationKeyFile: String? = nil,
        organization: String? = nil, insecure: Bool = false, context: String? = nil
    ) {
        self.context = context
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
    /// The context in force, and what selected it (`--context`, `KEYFLOW_CONTEXT`,
    /// `current in PATH`); nil without one.
    public var context: String? = nil
    public var contextSource: String? = nil
    /// Where a flag, the environment or the context overrode the script's `use`: one warning each.
    public var overrides: [String] = []

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
    case context(ContextError)
    /// A context names a credential that is not there (the variable unset or empty).
    case contextCredential(context: String, reason: String)

    public var description: String {
        switch self {
        case .badEndpoint(let why): why
        case .noProject(let endpoint):
            "no project for \(endpoint): give --project or set APPWRITE_PROJECT_ID"
        case .keyFile(let path, let reason): "key file \(path) \(reason)"
        case .sessionStore(let path, let reason): "session store \(path) \(reason)"
        case .organizationMissing(let source):
            "an organization key (from \(source)) needs its organization id: give --organization or set APPWRITE_ORGANIZATION_ID"
        case .context(let error): error.description
        case .contextCredential(let context, let reason): "context \(ContextConfig.quoted(context)) \(reason)"
        }
    }
}

public struct TargetResolver: Sendable {
    public var options: TargetOptions
    public var environment: [String: String]
    public var store: SessionStore
    public var contexts: ContextStore

    public init(
        options: TargetOptions, environment: [String: String] = ProcessInfo.processInfo.environment,
        store: SessionStore? = nil, contexts: ContextStore? = nil
    ) {
        self.options = options
        self.environment = environment
        self.store = store ?? SessionStore.standard(environment: environment)
        self.contexts = contexts ?? ContextStore.standard(environment: environment)
    }

    /// The context in force: `--context`, else `KEYFLOW_CONTEXT`, else the config's `current`;
    /// nil when none is. A named context that is not configured is an error listing the known ones.
    public func context() throws(TargetError) -> (context: Context, source: String)? {
        let config: ContextConfig
        do { config = try contexts.load() } catch { throw .context(error) }
        let named: [(String?, String)] = [(options.context, "--context"), (environment["KEYFLOW_CONTEXT"], "KEYFLOW_CONTEXT")]
        let chosen = named.first { !($0.0 ?? "").isEmpty }.map { ($0.0!, $0.1) }
            ?? config.current.map { ($0, "current in \(contexts.path)") }
        guard let (name, source) = chosen else { return nil }
        do { return (try config.context(name), source) } catch { throw .context(error) }
    }

    /// The endpoint alone (flags, environment, context, script), normalised; nil when none is set anywhere.
    public func endpoint(script: ScriptTarget? = nil) throws(TargetError) -> (value: String, source: String)? {
        try endpoint(script: script, context: try context()?.context)
    }

    public func endpoint(script: ScriptTarget?, context: Context?) throws(TargetError) -> (value: String, source: String)? {
        let candidates: [(String?, String)] = [
            (options.endpoint, "--endpoint"), (environment["APPWRITE_ENDPOINT"], "APPWRITE_ENDPOINT"),
            (context?.endpoint, context?.label ?? ""), (script?.endpoint, Self.useSource),
        ]
        guard let (raw, source) = candidates.first(where: { !($0.0 ?? "").isEmpty }), let raw else { return nil }
        if let problem = ClientConfiguration.problem(endpoint: raw) { throw .badEndpoint("\(problem) (from \(source))") }
        return (ClientConfiguration.normalise(endpoint: raw), source)
    }

    static let useSource = "the script's use statement"

    /// The context `login` and `logout` store a session for: the one in force, but not merely
    /// the current one when `--endpoint` names another target.
    public func loginContext() throws(TargetError) -> Context? {
        guard let found = try context() else { return nil }
        if options.endpoint != nil && found.source.hasPrefix("current") { return nil }
        return found.context
    }

    /// `warning: --endpoint overrides the script's use endpoint …`, when it does.
    static func override(_ part: String, source: String, value: String, script: String?) -> String? {
        guard source != useSource, let script, !script.isEmpty, script != value else { return nil }
        return "warning: \(source) overrides the script's `use` \(part): \(value) instead of \(script)"
    }

    /// The whole target; nil when no endpoint is set anywhere (the caller may then use the
    /// embedded sandbox, docs/language.md §13). Credentials may be empty: calls then fail with
    /// `APIError.noCredential`, and `doctor` says so.
    public func resolve(script: ScriptTarget? = nil) throws(TargetError) -> ResolvedTarget? {
        let found = try context()
        let context = found?.context
        guard let (endpoint, endpointSource) = try self.endpoint(script: script, context: context) else { return nil }
        let projects: [(String?, String)] = [
            (options.project, "--project"), (environment["APPWRITE_PROJECT_ID"], "APPWRITE_PROJECT_ID"),
            (context?.project, context?.label ?? ""), (script?.project, Self.useSource),
        ]
        guard let (projectValue, projectSource) = projects.first(where: { !($0.0 ?? "").isEmpty }), let project = projectValue
        else { throw .noProject(endpoint: endpoint) }
        let overrides = [
            Self.override(
                "endpoint", source: endpointSource, value: endpoint,
                script: script?.endpoint.map { ClientConfiguration.normalise(endpoint: $0) }),
            Self.override("project", source: projectSource, value: project, script: script?.project),
        ].compactMap { $0 }
        // A context's credentials go to its own endpoint only: with --endpoint or
        // APPWRITE_ENDPOINT naming another server, they stay home.
        let credentialContext = context.flatMap { ClientConfiguration.normalise(endpoint: $0.endpoint) == endpoint ? $0 : nil }

        var apiKey: Secret?
        var apiKeySource: String?
        if let path = options.keyFile {
            apiKey = try Self.readKeyFile(path)
            apiKeySource = "--key-file \(path)"
        } else if let value = environment["APPWRITE_API_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
            apiKey = Secret(value)
            apiKeySource = "APPWRITE_API_KEY"
        } else if let context = credentialContext,
            let (secret, source) = try credential(context, env: context.apiKeyEnv, file: context.apiKeyFile, kind: "api_key")
        {
            apiKey = secret
            apiKeySource = source
        }

        var session: Secret?
        var sessionSource: String?
        if let value = environment["APPWRITE_SESSION"]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
            session = Secret(value)
            sessionSource = "APPWRITE_SESSION"
        } else if let context = credentialContext, let entry = try store.entry(context: context.name), entry.endpoint == endpoint {
            session = entry.session
            sessionSource = "stored login for \(context.label) (\(store.path))"
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
        } else if let context = credentialContext,
            let (secret, source) = try credential(
                context, env: context.organizationKeyEnv, file: context.organizationKeyFile, kind: "organization_key")
        {
            organizationKey = secret
            organizationKeySource = source
        }
        let organizations: [(String?, String)] = [
            (options.organization, "--organization"), (environment["APPWRITE_ORGANIZATION_ID"], "APPWRITE_ORGANIZATION_ID"),
            (context?.organization, context?.label ?? ""),
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
        resolved.context = context?.name
        resolved.contextSource = found?.source
        resolved.overrides = overrides
        return resolved
    }

    /// A context's credential: from the variable it names (which must be set), else the file.
    func credential(_ context: Context, env: String?, file: String?, kind: String) throws(TargetError) -> (Secret, String)? {
        if let env {
            guard let value = environment[env]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                throw .contextCredential(context: context.name, reason: "takes its \(kind.replacingOccurrences(of: "_", with: " ")) from \(env) (\(kind)_env), which is not set")
            }
            return (Secret(value), "\(context.label) (\(kind)_env \(env))")
        }
        if let file { return (try Self.readKeyFile(file), "\(context.label) (\(kind)_file \(file))") }
        return nil
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
