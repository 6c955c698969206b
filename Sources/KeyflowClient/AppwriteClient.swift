import Foundation
import KeyflowBasics

/// The Keys API over libcurl (docs/appwrite-api.md §4). Creates go through the console session
/// when there is one (servers since 1.9.6 refuse key-authorised creation); every other
/// call prefers the API key. Calls are retried on connection errors and
/// 429/500/502/503/504; a create or delete whose earlier attempt may have been applied
/// resolves the ambiguity by reading the server state back, so a retry neither
/// duplicates a key nor reports a spurious failure.
public struct AppwriteClient: KeysAPI {
    public let configuration: ClientConfiguration
    /// The API key after a run rotated it (`adopt`): shared by every copy of this client
    /// for its project, so the rest of the run authenticates with the successor.
    private let successor = SuccessorKey()

    /// keyflow's identity on the wire (docs/appwrite-api.md §3.1: the SDK headers, our own name).
    public static let sdkName = "keyflow"
    public static let sdkVersion = "0.1.0"
    /// The response format of SDK 27.0.0.
    public static let responseFormat = "2.5.0"

    public init(_ configuration: ClientConfiguration) {
        self.configuration = configuration
    }

    /// Starts loading the transport (libcurl and the 40 libraries it needs, its and TLS's
    /// global set-up) on a thread of its own, so that it overlaps whatever the process does
    /// before its first request: parsing its arguments, reading and checking a script.
    /// Call it first thing in `main`; calling it is optional and it is done once. The
    /// process's exit waits for that thread (exiting half-way through OpenSSL's set-up
    /// crashes in its exit handlers).
    public static func prepare() {
        CurlEngine.preload()
    }

    // MARK: KeysAPI

    public var project: String { configuration.project }

    public func inProject(_ id: String) -> any KeysAPI {
        guard id != configuration.project else { return self }
        var other = configuration
        other.project = id
        other.credentials.apiKey = nil  // a project key belongs to its own project
        return AppwriteClient(other)
    }

    public func listKeys(queries: [KeyQuery], total: Bool) async throws(APIError) -> KeyList {
        let auth = try preferredAuth()
        let exchange = try await send(.get, keysPath(auth), query: FormEncoding.listParameters(queries: queries, total: total), auth: auth)
        return try WireModel.keyList(try successful(exchange))
    }

    public func getKey(id: String) async throws(APIError) -> Key {
        let auth = try preferredAuth()
        let exchange = try await send(.get, keyPath(id, auth), auth: auth)
        return try WireModel.key(try successful(exchange))
    }

    public func createKey(id: String, fields: KeyFields) async throws(APIError) -> Key {
        let auth = try createAuth()
        let exchange: Exchange
        do {
            exchange = try await send(.post, keysPath(auth), body: fields.body(keyId: id), auth: auth)
        } catch .transport(let code, let message) {
            // Every attempt failed on the wire, and one may have been applied: look.
            if let existing = await readBack(id: id, matching: fields) { return existing }
            throw .transport(code: code, message: message)
        }
        if exchange.response.isSuccess { return try WireModel.key(exchange.response) }
        let error = WireModel.error(exchange.response)
        // A 409 (or a final 5xx) after an attempt that may have been applied: the key
        // may be ours. It is if it holds exactly what we sent.
        if exchange.uncertain && (exchange.response.status == 409 || exchange.response.status >= 500),
            let existing = await readBack(id: id, matching: fields)
        {
            return existing
        }
        throw error
    }

    public func replaceKey(id: String, fields: KeyFields) async throws(APIError) -> Key {
        let auth = try preferredAuth()
        let exchange = try await send(.put, keyPath(id, auth), body: fields.body(keyId: nil), auth: auth)
        return try WireModel.key(try successful(exchange))
    }

    public func deleteKey(id: String) async throws(APIError) {
        let auth = try preferredAuth()
        let exchange = try await send(.delete, keyPath(id, auth), body: .object([]), auth: auth)
        if exchange.response.isSuccess { return }
        // 404 after an attempt that may have been applied: that attempt deleted it.
        if exchange.uncertain && exchange.response.status == 404 { return }
        throw WireModel.error(exchange.response)
    }

    public func createEphemeralKey(scopes: [String], duration: Int) async throws(APIError) -> Key {
        let body = JSONValue.object([("scopes", .array(scopes.map(JSONValue.string))), ("duration", .integer(Int64(duration)))])
        let auth = try preferredAuth()
        let exchange = try await send(.post, keysPath(auth) + "/ephemeral", body: body, auth: auth)
        return try WireModel.key(try successful(exchange))
    }

    /// `GET /organization/projects`, every page (docs/appwrite-api.md §4.7).
    public func listProjects() async throws(APIError) -> [Project] {
        let auth = try organizationAuth()
        var all: [Project] = []
        var cursor: String?
        let pageSize = 100
        while true {
            var queries = [#"{"method":"limit","values":[\#(pageSize)]}"#]
            if let cursor { queries.append(#"{"method":"cursorAfter","values":["\#(cursor)"]}"#) }
            var query = queries.enumerated().map { ("queries[\($0.offset)]", $0.element) }
            query.append(("total", "false"))
            let response = try successful(try await send(.get, "/organization/projects", query: query, auth: auth))
            let page = try WireModel.projects(response)
            all += page
            guard page.count == pageSize, let last = page.last else { return all }
            cursor = last.id
        }
    }

    /// The API key requests authenticate with: the configured one, or its successor once
    /// a rotation of it has delivered one.
    public var apiKey: Secret? { successor.secret ?? configuration.credentials.apiKey }

    public func adopt(successor secret: Secret, replacing old: Secret) {
        guard let current = apiKey, current == old, !secret.isEmpty else { return }
        successor.secret = secret
    }

    // MARK: Beyond the protocol

    /// Update as a patch: reads the key, changes only the fields given, and re-sends every
    /// other field through `replaceKey` — so an expiry survives a scopes-only change
    /// (the API's PUT would drop it, docs/appwrite-api.md §4.5). `description` is re-sent only
    /// when the server reported one or a new one is given.
    public func updateKey(
        id: String, name: String? = nil, scopes: [String]? = nil, expire: Expiry? = nil, description: String? = nil
    ) async throws(APIError) -> Key {
        try await updateKey(id: id) { fields in
            if let name { fields.name = name }
            if let scopes { fields.scopes = scopes }
            if let expire { fields.expire = expire }
            if let description { fields.description = description }
        }
    }

    /// Update as a patch, with a closure over the key's current fields.
    public func updateKey(id: String, _ change: (inout KeyFields) -> Void) async throws(APIError) -> Key {
        let current = try await getKey(id: id)
        var fields = KeyFields(
            name: current.name, scopes: current.scopes, expire: current.expire,
            description: current.description.isEmpty ? nil : current.description)
        change(&fields)
        return try await replaceKey(id: id, fields: fields)
    }

    /// `GET /health/version`: the server's version string.
    public func serverVersion() async throws(APIError) -> String {
        let exchange = try await send(.get, "/health/version", auth: .none)
        let response = try successful(exchange)
        guard let version = JSONValue.parse(response.body)?["version"]?.stringValue else {
            throw .malformedResponse(status: response.status, detail: "expected {\"version\": …}")
        }
        return version
    }

    /// Signs in to the console (`POST /account/sessions/email`, project `console`) and
    /// returns the session cookie's value.
    public static func createConsoleSession(
        endpoint: String, email: String, password: Secret, insecure: Bool = false,
        timeout: Duration = .seconds(30)
    ) async throws(APIError) -> Secret {
        let client = AppwriteClient(ClientConfiguration(
            endpoint: endpoint, project: "console", credentials: Credentials(), insecure: insecure,
            totalTimeout: timeout, retry: RetryPolicy(maxAttempts: 2)))
        let body = JSONValue.object([("email", .string(email)), ("password", .string(password.reveal()))])
        let response = try client.successful(try await client.send(.post, "/account/sessions/email", body: body, auth: .none))
        if let session = SessionCookie.find(in: response) { return session }
        throw .malformedResponse(status: response.status, detail: "the server set no a_session_console cookie")
    }

    /// Ends the console session on the server (`DELETE /account/sessions/current`).
    public func deleteCurrentSession() async throws(APIError) {
        guard let session = configuration.credentials.session else { throw .noCredential("no console session to end") }
        _ = try successful(try await send(.delete, "/account/sessions/current", body: .object([]), auth: .session(session)))
    }

    // MARK: Requests

    enum Auth {
        case none
        case apiKey(Secret)
        case session(Secret)
        /// An organization key and its organization: the organization routes.
        case organizationKey(Secret, organization: String)
    }

    /// What came back, and whether an earlier attempt may have been applied by the server.
    struct Exchange {
        var response: HTTPResponse
        var uncertain: Bool
    }

    /// The keys routes for a credential: an organization key goes to the organization
    /// routes, which name the project in the path; the others to `/project/keys` (or the
    /// organization routes when the configuration asks for them).
    func keysPath(_ auth: Auth) -> String {
        if case .organizationKey = auth { return organizationKeysPath }
        switch configuration.routes {
        case .project: return "/project/keys"
        case .organization: return organizationKeysPath
        }
    }

    private var organizationKeysPath: String { "/organization/projects/\(FormEncoding.pathSegment(configuration.project))/keys" }

    private func keyPath(_ id: String, _ auth: Auth) -> String { keysPath(auth) + "/" + FormEncoding.pathSegment(id) }

    private var organizationKey: Auth? {
        guard let key = configuration.credentials.organizationKey, let organization = configuration.credentials.organization else {
            return nil
        }
        return .organizationKey(key, organization: organization)
    }

    /// Reads, updates, deletes and ephemeral keys: the project API key where there is one
    /// (it suffices), else the organization key, else the session (docs/language.md §13).
    private func preferredAuth() throws(APIError) -> Auth {
        if let key = apiKey { return .apiKey(key) }
        if let organizationKey { return organizationKey }
        if let session = configuration.credentials.session { return .session(session) }
        throw .noCredential(
            "no credential: give an API key (--key-file or APPWRITE_API_KEY), an organization key "
                + "(APPWRITE_ORGANIZATION_KEY with APPWRITE_ORGANIZATION_ID), or sign in with keyflow login (or APPWRITE_SESSION)")
    }

    /// Creates: current servers refuse them with a project API key (docs/appwrite-api.md §2),
    /// so the organization key, else the session, else the API key (older servers).
    private func createAuth() throws(APIError) -> Auth {
        if let organizationKey { return organizationKey }
        if let session = configuration.credentials.session { return .session(session) }
        return try preferredAuth()
    }

    /// `projects`: the organization key, else the session with the organization id.
    private func organizationAuth() throws(APIError) -> Auth {
        if let organizationKey { return organizationKey }
        if configuration.credentials.session != nil, configuration.credentials.organization != nil,
            let session = configuration.credentials.session
        {
            return .session(session)
        }
        throw .noCredential(
            "listing projects needs an organization: give APPWRITE_ORGANIZATION_KEY and APPWRITE_ORGANIZATION_ID "
                + "(or --organization-key-file and --organization), or a console session with --organization")
    }

    private func successful(_ exchange: Exchange) throws(APIError) -> HTTPResponse {
        guard exchange.response.isSuccess else { throw WireModel.error(exchange.response) }
        return exchange.response
    }

    private func readBack(id: String, matching fields: KeyFields) async -> Key? {
        guard let key = try? await getKey(id: id) else { return nil }
        return KeyMatch.holds(key, fields) ? key : nil
    }

    func headers(for method: HTTPRequest.Method, auth: Auth) -> [String] {
        // GET carries an empty content-type, as the Python SDK's does (docs/appwrite-api.md §3.1).
        var lines = method == .get ? AppwriteClient.getHeaderLines : AppwriteClient.bodyHeaderLines
        switch auth {
        case .none: break
        case .apiKey(let key): lines.append("x-appwrite-key: \(key.reveal())")
        case .session(let session):
            lines.append("cookie: a_session_console=\(session.reveal())")
            lines.append("x-appwrite-mode: admin")
        case .organizationKey(let key, let organization):
            // The organization client of docs/appwrite-api.md §4.7: project `console`, the
            // organization in its header, the project (if any) in the path.
            lines.append("x-appwrite-key: \(key.reveal())")
            lines.append("X-Appwrite-Organization: \(organization)")
            lines.append("X-Appwrite-Project: console")
            lines.append("accept: application/json")
            return lines
        }
        if case .session = auth, let organization = configuration.credentials.organization {
            lines.append("X-Appwrite-Organization: \(organization)")
        }
        lines.append("X-Appwrite-Project: \(configuration.project)")
        lines.append("accept: application/json")
        return lines
    }

    func send(
        _ method: HTTPRequest.Method, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil, auth: Auth
    ) async throws(APIError) -> Exchange {
        var url = configuration.endpoint + path
        if !query.isEmpty { url += "?" + FormEncoding.query(query) }
        let request = HTTPRequest(
            method: method, url: url, headers: headers(for: method, auth: auth),
            body: body.map { Array($0.encoded(.python).utf8) },
            connectTimeout: configuration.connectTimeout, totalTimeout: configuration.totalTimeout,
            insecure: configuration.insecure)
        let policy = configuration.retry
        var uncertain = false
        var attempt = 1
        while true {
            if Task.isCancelled { throw .cancelled }
            let result: Result<HTTPResponse, APIError>
            switch CurlEngine.shared {
            case .success(let engine): result = await engine.send(request)
            case .failure(let error): result = .failure(error)
            }
            let wait: Duration
            switch result {
            case .success(let response):
                guard RetryPolicy.retryableStatuses.contains(response.status), attempt < policy.maxAttempts else {
                    return Exchange(response: response, uncertain: uncertain)
                }
                if response.status != 429 && response.status != 503 { uncertain = true }
                wait = policy.delay(afterAttempt: attempt, retryAfter: RetryPolicy.retryAfter(response.header("Retry-After")))
            case .failure(.transport(let code, let message)):
                let mayHaveArrived = !RetryPolicy.notSentTransportCodes.contains(code)
                guard RetryPolicy.retryableTransportCodes.contains(code), attempt < policy.maxAttempts else {
                    if mayHaveArrived { uncertain = true }
                    throw .transport(code: code, message: message)
                }
                if mayHaveArrived { uncertain = true }
                wait = policy.delay(afterAttempt: attempt, retryAfter: nil)
            case .failure(let error):
                throw error
            }
            do { try await Task.sleep(for: wait) } catch { throw .cancelled }
            attempt += 1
        }
    }

    private static let sdkHeaderLines = [
        "user-agent: \(userAgent)",
        "x-sdk-name: \(sdkName)",
        "x-sdk-platform: server",
        "x-sdk-language: swift",
        "x-sdk-version: \(sdkVersion)",
        "X-Appwrite-Response-Format: \(responseFormat)",
    ]
    private static let getHeaderLines = ["content-type;"] + sdkHeaderLines
    private static let bodyHeaderLines = ["content-type: application/json"] + sdkHeaderLines

    static let userAgent: String = {
        var info = utsname()
        uname(&info)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "keyflow/\(sdkVersion) (\(field(info.sysname)); \(field(info.release)); \(field(info.machine)))"
    }()
}

/// Whether a key read back holds what a create sent.
enum KeyMatch {
    static func holds(_ key: Key, _ fields: KeyFields) -> Bool {
        guard key.name == fields.name, key.scopes == fields.scopes else { return false }
        if let description = fields.description, key.description != description { return false }
        switch (key.expire, fields.expire) {
        case (.never, .never): return true
        // The server keeps milliseconds.
        case (.at(let a), .at(let b)): return abs(a.timeIntervalSince(b)) < 0.001
        default: return false
        }
    }
}

/// The console session cookie in a login response: `Set-Cookie: a_session_console=…`,
/// or Appwrite's `X-Fallback-Cookies` JSON for clients that cannot read cookies.
enum SessionCookie {
    static let name = "a_session_console"

    static func find(in response: HTTPResponse) -> Secret? {
        for header in response.headers(named: "Set-Cookie") {
            guard let pair = header.split(separator: ";").first else { continue }
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == name, !parts[1].isEmpty { return Secret(parts[1]) }
        }
        if let fallback = response.header("X-Fallback-Cookies"),
            let value = JSONValue.parse(fallback)?[name]?.stringValue, !value.isEmpty
        {
            return Secret(value)
        }
        return nil
    }
}

/// The successor of the API key an `AppwriteClient` was configured with, once adopted.
private final class SuccessorKey: @unchecked Sendable {
    private let lock = NSLock()
    private var _secret: Secret?
    var secret: Secret? {
        get { lock.withLock { _secret } }
        set { lock.withLock { _secret = newValue } }
    }
}
