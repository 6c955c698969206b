import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// How to start a sandbox.
public struct SandboxConfiguration: Sendable {
    /// The data directory: SQLite database and sandbox.json. Created when absent.
    public var directory: URL
    /// Address to bind; loopback unless told otherwise.
    public var host: String
    /// Port; 0 picks a free one.
    public var port: Int
    /// The project id on first start (default `sandbox`); on later starts it must match.
    public var projectID: String?
    /// The organization's projects on first start (`--projects a,b,c`; the first is `project`,
    /// which holds the bootstrap API key); on later starts they must match.
    public var projectIDs: [String]?
    /// Behave like servers 1.9.1–1.9.5: an API key with `keys.write` may create keys.
    public var legacyKeyCreate: Bool
    /// Fault injection for the Keys routes.
    public var chaos: ChaosPlan
    /// Seed for the fault draws; nil draws a random seed.
    public var seed: UInt64?
    /// How long every request waits before it is served (`--latency`), as over a network.
    public var latency: Duration = .zero

    public init(
        directory: URL, host: String = "127.0.0.1", port: Int = 0, projectID: String? = nil,
        projectIDs: [String]? = nil, legacyKeyCreate: Bool = false, chaos: ChaosPlan = .none, seed: UInt64? = nil
    ) {
        self.directory = directory
        self.host = host
        self.port = port
        self.projectID = projectID
        self.projectIDs = projectIDs
        self.legacyKeyCreate = legacyKeyCreate
        self.chaos = chaos
        self.seed = seed
    }
}

/// The bootstrap credentials of a sandbox (also in DIR/sandbox.json). Plain strings;
/// `description` redacts the secrets.
public struct SandboxCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Base URL including `/v1`, e.g. `http://127.0.0.1:54321/v1`.
    public let endpoint: String
    public let project: String
    /// A standard key with `keys.read` and `keys.write`.
    public let apiKey: String
    /// The console session cookie value (`a_session_console`); send with `x-appwrite-mode: admin`.
    public let session: String
    public let email: String
    public let password: String
    /// The organization (team) id owning `projects`; send as `X-Appwrite-Organization`.
    public let organization: String
    /// An organization key (`organization_…`) with `projects.read`, `projects.write`,
    /// `organization.projects.keys.read` and `organization.projects.keys.write`.
    public let organizationKey: String
    /// The organization's project ids (`project` first).
    public let projects: [String]

    public var description: String { "SandboxCredentials(endpoint: \(endpoint), project: \(project), organization: \(organization), projects: \(projects), email: \(email), secrets redacted)" }
    public var debugDescription: String { description }
}

/// Why a sandbox could not start.
public enum SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
    case storage(String)
    case invalidChaos(String)
    case invalidProject(String)
    case bind(String)
    case credentialsFile(String)

    public var description: String {
        switch self {
        case .storage(let m): "sandbox storage: \(m)"
        case .invalidChaos(let m): "invalid --chaos: \(m)"
        case .invalidProject(let m): "invalid project: \(m)"
        case .bind(let m): "cannot listen: \(m)"
        case .credentialsFile(let m): "sandbox credentials: \(m)"
        }
    }
}

/// The Appwrite-compatible Keys API sandbox (docs/appwrite-api.md §12: what it implements,
/// and where it differs from a server).
public enum Sandbox {
    /// Opens (or bootstraps) the data directory, starts the HTTP server and returns once it
    /// accepts connections. Prints and logs nothing.
    /// The HTTP/1 parser's bounds (docs/appwrite-api.md §10): the request line and the headers
    /// together at most 1 MiB, as the Go proxy in front of Appwrite allows (enough for 100
    /// percent-encoded queries of 4096 characters), each header at most that, at most 100
    /// headers. Past them Hummingbird answers 400 and closes the connection before any of it
    /// reaches the sandbox. Bodies are bounded by `SandboxResponder.maxBodyBytes` (413).
    static let http = HTTP1Channel.Configuration(
        httpDecoderConfiguration: .init(maxHeaderFieldSize: 1 << 20, maxHeaderListSize: 1 << 20, maxHeaderFieldCount: 100))

    public static func start(_ configuration: SandboxConfiguration) async throws(SandboxError) -> RunningSandbox {
        let loaded = try await Bootstrap.load(configuration)
        let seed = configuration.seed ?? UInt64.random(in: 0...UInt64.max)
        let chaos = configuration.chaos.faults.isEmpty ? nil : ChaosDice(plan: configuration.chaos, seed: seed)
        let responder = MiddlewareStack(
            middleware: LatencyMiddleware<SandboxRequestContext>(delay: configuration.latency, counter: RequestCounter()),
            next: SandboxResponder(dispatcher: Dispatcher(state: loaded.state, chaos: chaos)))
        let started = StartSignal()
        let app = Application(
            responder: responder,
            server: .http1(configuration: Self.http),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in started.resolve(.success(channel.localAddress?.port ?? configuration.port)) },
            logger: Logger(label: "keyflow.sandbox", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task {
            do {
                try await app.run()
                started.resolve(.failure(.bind("the server stopped before it started")))
            } catch {
                started.resolve(.failure(.bind("\(configuration.host):\(configuration.port): \(error)")))
            }
        }
        let port: Int
        switch await started.value() {
        case .success(let p): port = p
        case .failure(let error):
            task.cancel()
            throw error
        }
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let credentials = SandboxCredentials(
            endpoint: "http://\(host):\(port)/v1", project: loaded.project, apiKey: loaded.apiKey,
            session: loaded.session, email: loaded.email, password: loaded.password,
            organization: loaded.organization, organizationKey: loaded.organizationKey, projects: loaded.projects)
        do {
            try Bootstrap.writeCredentials(credentials, to: configuration.directory)
        } catch {
            task.cancel()
            _ = await task.result
            throw error
        }
        return RunningSandbox(credentials: credentials, port: port, task: task)
    }
}

/// A started sandbox.
public final class RunningSandbox: Sendable {
    /// The bootstrap credentials, with this run's endpoint.
    public let credentials: SandboxCredentials
    /// The bound port.
    public let port: Int
    private let task: Task<Void, Never>

    /// The base URL including `/v1`.
    public var endpoint: URL { URL(string: credentials.endpoint)! }

    init(credentials: SandboxCredentials, port: Int, task: Task<Void, Never>) {
        self.credentials = credentials
        self.port = port
        self.task = task
    }

    /// Stops accepting connections and waits until the server has shut down.
    public func stop() async {
        task.cancel()
        await task.value
    }

    /// Waits until the server stops (it runs until `stop()` or process exit).
    public func waitUntilStopped() async {
        await task.value
    }
}

/// A one-shot result that the server task and `onServerRunning` race to set.
private final class StartSignal: Sendable {
    private let state = Locked<(result: Result<Int, SandboxError>?, waiter: CheckedContinuation<Result<Int, SandboxError>, Never>?)>((nil, nil))

    func resolve(_ result: Result<Int, SandboxError>) {
        let waiter: CheckedContinuation<Result<Int, SandboxError>, Never>? = state.withLock { s in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: result)
    }

    func value() async -> Result<Int, SandboxError> {
        await withCheckedContinuation { continuation in
            let ready: Result<Int, SandboxError>? = state.withLock { s in
                if let result = s.result { return result }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
