import Foundation
import KeyflowClient
import KeyflowLanguage
import KeyflowRuntime

/// A session on the resolved target (docs/language.md §13): flags, then environment, then the
/// named context, then the script's `use`; with no endpoint anywhere, the embedded sandbox when a person is at the
/// terminal or `--sandbox` was given, otherwise a usage error. `plan`, `run` and the REPL
/// all open their target here.
public struct Connection: Sendable {
    public var session: Session
    /// The embedded sandbox, when that is the target: stop it when done.
    public var embedded: EmbeddedTarget?
    /// `--insecure`'s warning and those saying what overrode the script's `use`, to print first.
    public var warnings: [String]

    public enum Failure: Error, Sendable {
        /// Exit 2: nothing was sent.
        case usage(String, help: String?)
        /// Exit 1: the embedded sandbox did not start.
        case sandbox(String)
    }

    public static func open(
        target: TargetOptions, script: ScriptTarget?, sandbox: Bool,
        environment: [String: String] = ProcessInfo.processInfo.environment, stdinIsTerminal: Bool = isatty(0) == 1,
        startSandbox: @Sendable (String) async throws -> EmbeddedTarget
    ) async throws(Failure) -> Connection {
        let resolved: ResolvedTarget?
        do {
            resolved = try TargetResolver(options: target, environment: environment).resolve(script: script)
        } catch {
            throw .usage(error.description, help: nil)
        }
        if let resolved {
            let description = TargetDescription(
                endpoint: resolved.endpoint, project: resolved.project, isSandbox: false,
                credential: resolved.credentials.kinds, context: resolved.context)
            let session = Session(
                api: AppwriteClient(resolved.clientConfiguration()), target: description,
                canCreateKeys: resolved.credentials.session != nil || resolved.credentials.organizationKey != nil,
                ownKey: resolved.credentials.apiKey)
            return Connection(
                session: session, embedded: nil, warnings: resolved.overrides + [resolved.insecureWarning].compactMap { $0 })
        }
        guard sandbox || stdinIsTerminal else {
            throw .usage(
                "no endpoint is configured (no --endpoint, no APPWRITE_ENDPOINT, no context, no `use` in the script) and no terminal is attached",
                help: "set APPWRITE_ENDPOINT and APPWRITE_PROJECT_ID for a real project, or pass --sandbox to rehearse against the local sandbox")
        }
        let dir = environment["KEYFLOW_SANDBOX"].flatMap { $0.isEmpty ? nil : $0 } ?? ".keyflow/sandbox"
        let started: EmbeddedTarget
        do {
            started = try await startSandbox(dir)
        } catch {
            throw .sandbox("cannot start the local sandbox over \(dir): \(error)")
        }
        let api = AppwriteClient(
            ClientConfiguration(
                endpoint: started.endpoint, project: started.project,
                credentials: Credentials(
                    apiKey: started.apiKey, session: started.session, organizationKey: started.organizationKey,
                    organization: started.organization)))
        let description = TargetDescription(
            endpoint: started.endpoint, project: started.project, isSandbox: true, sandboxDirectory: dir,
            credential: "api key + session")
        return Connection(
            session: Session(api: api, target: description, canCreateKeys: true, ownKey: started.apiKey), embedded: started, warnings: [])
    }
}

/// The embedded sandbox, started by the caller (the executable links the sandbox; the
/// runtime does not): its endpoint, project and bootstrap credentials.
public struct EmbeddedTarget: Sendable {
    public var endpoint: String
    public var project: String
    public var apiKey: Secret
    public var session: Secret
    /// The organization that owns the sandbox's projects, and its organization key.
    public var organization: String?
    public var organizationKey: Secret?
    public var directory: String
    public var stop: @Sendable () async -> Void

    public init(
        endpoint: String, project: String, apiKey: Secret, session: Secret, organization: String? = nil,
        organizationKey: Secret? = nil, directory: String, stop: @escaping @Sendable () async -> Void
    ) {
        self.endpoint = endpoint
        self.project = project
        self.apiKey = apiKey
        self.session = session
        self.organization = organization
        self.organizationKey = organizationKey
        self.directory = directory
        self.stop = stop
    }
}
