/// Who is calling, once the pipeline of docs/appwrite-api.md §6.2 has run.
enum Caller: Sendable {
    /// A stored standard key of the project (role `keys`).
    case standardKey(KeyRecord)
    /// A valid ephemeral key for the project (role `keys`).
    case ephemeralKey(EphemeralTokens.Claims)
    /// A console user with a session, in admin mode (owner role).
    case console(userID: String)
    /// Anyone else (role `guests`).
    case guest

    /// Scopes every key holds besides its own (docs/appwrite-api.md §11).
    static let keyBaseScopes = ["global", "health.read", "graphql"]

    func holds(_ scope: String) -> Bool {
        switch self {
        case .standardKey(let key): key.scopes.contains(scope) || Self.keyBaseScopes.contains(scope)
        case .ephemeralKey(let claims): claims.scopes.contains(scope) || Self.keyBaseScopes.contains(scope)
        case .console: scope == "keys.read" || scope == "keys.write"
        case .guest: false
        }
    }

    /// Authorised by a project API key (standard, ephemeral or `dynamic`).
    var isAPIKey: Bool {
        switch self {
        case .standardKey, .ephemeralKey: true
        case .console, .guest: false
        }
    }
}

/// The per-request authentication pipeline, in the server's order (docs/appwrite-api.md §6.2):
/// project, key decoding, project header check, project existence, expiry, key lookup
/// (with `accessedAt` bookkeeping), scope.
struct Authentication: Sendable {
    let state: SandboxState

    /// SDK names the server records in `sdks`; compared case-sensitively, as the server does (§6.4).
    static let serverSDKs: Set<String> = [
        "python", "node.js", "php", "ruby", "dart", "deno", "kotlin", "swift", "dotnet", "go", "rust", "cli",
    ]
    static let accessInterval: Int64 = 24 * 3600 * 1000

    /// Runs steps 1–6 for a route needing `scope` and returns the project and caller.
    /// `pathProject` is the project of a legacy `/projects/{projectId}/…` route.
    func authenticate(_ request: APIRequest, scope: String, pathProject: String? = nil) async throws(APIFailure) -> (project: String, caller: Caller) {
        // 1. Project: the `project` parameter, else the header; empty is the console.
        var project = pathProject ?? request.query["project"] ?? ""
        if project.isEmpty { project = request.projectHeader ?? "" }
        if project.isEmpty { project = SandboxState.consoleProject }

        var caller = Caller.guest
        var unknownStandardKey = false
        let now = Timestamps.now()

        // 2. Decode the key, falling back to a guest; the header must name the project.
        if let secret = request.keyHeader, !secret.isEmpty {
            let type = secret.firstIndex(of: "_").map { String(secret[..<$0]) } ?? "standard"
            switch type {
            case "standard":
                if let key = state.index.key(secret: secret), key.projectID == project {
                    caller = .standardKey(key)
                } else {
                    unknownStandardKey = true
                }
            case "ephemeral", "dynamic":
                let token = String(secret[secret.index(after: secret.firstIndex(of: "_")!)...])
                if let claims = state.tokens.verify(token, nowSeconds: now / 1000), claims.projectID == project {
                    caller = .ephemeralKey(claims)
                }
            default:
                break
            }
            guard let header = request.projectHeader, header == project else { throw .projectIDMissing }
        } else if request.modeHeader == "admin", let cookie = request.cookie("a_session_console"),
            let session = state.accounts.session(secret: cookie, now: now), project != SandboxState.consoleProject
        {
            caller = .console(userID: session.userID)
        }

        // 3. The project must exist.
        guard project == SandboxState.consoleProject || state.projects.contains(project) else { throw .projectNotFound }

        // 4. Expired standard key.
        if case .standardKey(let key) = caller, key.isExpired(at: now) { throw .keyExpired }

        // 5. A standard key that matches nothing; bookkeeping for one that does.
        if unknownStandardKey { throw .userUnauthorized }
        if case .standardKey(let key) = caller {
            caller = .standardKey(await recordAccess(key, sdk: request.sdkName, now: now))
        }

        // 6. Scope.
        guard caller.holds(scope) else {
            switch caller {
            case .standardKey, .ephemeralKey:
                let host = request.host.map(Self.hostname) ?? "localhost"
                throw .missingScope(identity: "app.\(project)@service.\(host)", role: "applications", scope: scope)
            case .console, .guest:
                throw .missingScope(identity: "User", role: "guests", scope: scope)
            }
        }
        return (project, caller)
    }

    /// Refreshes `accessedAt` when older than 24 h and records a server SDK name (§6.4).
    private func recordAccess(_ key: KeyRecord, sdk: String?, now: Int64) async -> KeyRecord {
        let stale = key.accessedAt.map { now - $0 > Self.accessInterval } ?? true
        let newSDK = sdk.flatMap { Self.serverSDKs.contains($0) && !key.sdks.contains($0) ? $0 : nil }
        guard stale || newSDK != nil else { return key }
        let index = state.index
        let updated = try? await state.storage.write { db -> KeyRecord? in
            guard var current = try Storage.key(db, id: key.id, project: key.projectID) else { return nil }
            current.accessedAt = now
            if let newSDK, !current.sdks.contains(newSDK) { current.sdks.append(newSDK) }
            try Storage.updateKey(db, current)
            return current
        } thenApply: { record in
            if let record { index.put(record) }
        }
        return (updated ?? nil) ?? key
    }

    static func hostname(_ host: String) -> String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return String(host[...close]) }
        return host.split(separator: ":", maxSplits: 1).first.map(String.init) ?? host
    }
}
