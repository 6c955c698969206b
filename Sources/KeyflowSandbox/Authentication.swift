/// Who is calling, once the pipeline of docs/appwrite-api.md §6.2 has run.
enum Caller: Sendable {
    /// A stored standard key of the project (role `keys`).
    case standardKey(KeyRecord)
    /// A valid ephemeral key for the project (role `keys`).
    case ephemeralKey(EphemeralTokens.Claims)
    /// An organization API key of a team (role `keys`, only its own scopes; §4.7).
    case organizationKey(KeyRecord)
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
        case .organizationKey(let key): key.scopes.contains(scope)
        case .console: scope == "keys.read" || scope == "keys.write"
        case .guest: false
        }
    }

    /// Authorised by a project API key (standard, ephemeral or `dynamic`).
    var isAPIKey: Bool {
        switch self {
        case .standardKey, .ephemeralKey: true
        case .organizationKey, .console, .guest: false
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

    enum ProjectKey {
        case caller(Caller)
        /// A standard key the project does not have.
        case unknownStandardKey
        /// Not a project key of this project (another type, or an ephemeral token that does
        /// not verify: the caller stays a guest, as on the server).
        case none
    }

    /// Decodes a project key (`standard_…`, `ephemeral_…`, `dynamic_…`) of `project`: the one
    /// rule the project routes and the organization routes share.
    func projectKey(_ secret: String, type: String, project: String, now: Int64) -> ProjectKey {
        switch type {
        case "standard":
            if let key = state.index.key(secret: secret), key.projectID == project { return .caller(.standardKey(key)) }
            return .unknownStandardKey
        case "ephemeral", "dynamic":
            let token = String(secret[secret.index(after: secret.firstIndex(of: "_")!)...])
            if let claims = state.tokens.verify(token, nowSeconds: now / 1000), claims.projectID == project {
                return .caller(.ephemeralKey(claims))
            }
            return .none
        default:
            return .none
        }
    }

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
            switch projectKey(secret, type: type, project: project, now: now) {
            case .caller(let found): caller = found
            case .unknownStandardKey: unknownStandardKey = true
            case .none: break
            }
            guard let header = request.projectHeader, header == project else { throw .projectIDMissing }
        } else if request.modeHeader == "admin", let cookie = request.cookie("a_session_console"),
            let session = state.accounts.session(secret: cookie, now: now), project != SandboxState.consoleProject
        {
            caller = .console(userID: session.userID)
        }

        // 3. The project must exist.
        guard project == SandboxState.consoleProject || state.organizations.project(project) != nil else { throw .projectNotFound }

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
            case .organizationKey, .console, .guest:
                throw .missingScope(identity: "User", role: "guests", scope: scope)
            }
        }
        return (project, caller)
    }

    /// Refreshes `accessedAt` when older than 24 h and records a server SDK name (§6.4).
    private func recordAccess(_ key: KeyRecord, sdk: String?, now: Int64, _ table: KeyTable = .project) async -> KeyRecord {
        let stale = key.accessedAt.map { now - $0 > Self.accessInterval } ?? true
        let newSDK = sdk.flatMap { Self.serverSDKs.contains($0) && !key.sdks.contains($0) ? $0 : nil }
        guard stale || newSDK != nil else { return key }
        let index = table == .project ? state.index : state.organizationIndex
        let updated = try? await state.storage.write { db -> KeyRecord? in
            guard var current = try Storage.key(db, id: key.id, project: key.projectID, table) else { return nil }
            current.accessedAt = now
            if let newSDK, !current.sdks.contains(newSDK) { current.sdks.append(newSDK) }
            try Storage.updateKey(db, current, table)
            return current
        } thenApply: { record in
            if let record { index.put(record) }
        }
        return (updated ?? nil) ?? key
    }

    /// A request to an organization route, authenticated.
    struct OrganizationCall: Sendable {
        /// The project of `X-Appwrite-Project` (`console` when empty).
        var project: String
        /// The organization: the team of that project, or for the console the team named by
        /// `X-Appwrite-Organization`.
        var team: TeamRecord
        var caller: Caller
    }

    /// Scopes every signed-in console user holds, team or not (role `users`).
    static let consoleUserScopes = ["account", "teams.read", "teams.write", "projects.read", "projects.write"]
    /// What an owner, admin or developer of the team holds besides.
    static let teamAdminScopes = ["keys.read", "keys.write", "organization.projects.keys.read", "organization.projects.keys.write"]

    /// The pipeline of the organization routes (docs/appwrite-api.md §4.7): project, team,
    /// key decoding and header checks (403 `project_id_missing` / `organization_id_missing`),
    /// project existence, expiry, unknown key or non-member (401 `user_unauthorized`), one of
    /// `scopes`, then the team itself (404 `team_not_found`).
    func authenticateOrganization(_ request: APIRequest, anyOf scopes: [String]) async throws(APIFailure) -> OrganizationCall {
        // 1. Project, and 2. the team: the project's, or for the console the organization header's.
        var project = request.query["project"] ?? ""
        if project.isEmpty { project = request.projectHeader ?? "" }
        if project.isEmpty { project = SandboxState.consoleProject }
        let organizations = state.organizations
        let team: TeamRecord? =
            project == SandboxState.consoleProject
            ? request.organizationHeader.flatMap { organizations.team($0) }
            : organizations.project(project).flatMap { organizations.team($0.teamID) }

        var caller = Caller.guest
        var unknownKey = false
        let now = Timestamps.now()

        // 3. Decode the key. An organization key must be one of the team's, sent with that
        // team's header; any other key must name its project in the project header.
        if let secret = request.keyHeader, !secret.isEmpty {
            let type = secret.firstIndex(of: "_").map { String(secret[..<$0]) } ?? "standard"
            var checkProjectHeader = true
            switch type {
            case "organization":
                if let team, let key = state.organizationIndex.key(secret: secret), key.projectID == team.id {
                    guard request.organizationHeader == team.id else { throw .organizationIDMissing }
                    caller = .organizationKey(key)
                    checkProjectHeader = false
                } else {
                    unknownKey = true
                }
            default:
                switch projectKey(secret, type: type, project: project, now: now) {
                case .caller(let found): caller = found
                case .unknownStandardKey: unknownKey = true
                case .none: break
                }
            }
            if checkProjectHeader {
                guard let header = request.projectHeader, header == project else { throw .projectIDMissing }
            }
        } else if let cookie = request.cookie("a_session_console"), let session = state.accounts.session(secret: cookie, now: now),
            project == SandboxState.consoleProject || request.modeHeader == "admin"
        {
            caller = .console(userID: session.userID)
        }

        // 4. The project must exist.
        guard project == SandboxState.consoleProject || organizations.project(project) != nil else { throw .projectNotFound }

        // 5. Expiry, then an unknown key or a session of a non-member.
        switch caller {
        case .standardKey(let key), .organizationKey(let key):
            if key.isExpired(at: now) { throw .keyExpired }
        default: break
        }
        if unknownKey { throw .userUnauthorized }
        var sessionScopes: [String] = []
        switch caller {
        case .standardKey(let key):
            caller = .standardKey(await recordAccess(key, sdk: request.sdkName, now: now))
        case .organizationKey(let key):
            caller = .organizationKey(await recordAccess(key, sdk: request.sdkName, now: now, .organization))
        case .console(let userID):
            sessionScopes = Self.consoleUserScopes
            if let team {
                guard let roles = organizations.roles(user: userID, team: team.id) else { throw .userUnauthorized }
                if roles.contains(where: Organizations.adminRoles.contains) { sessionScopes += Self.teamAdminScopes }
            }
        default: break
        }

        // 6. One of the scopes.
        // A session holds what its team roles give here, not the fixed pair of the project routes.
        let held = scopes.contains { scope in
            if case .console = caller { sessionScopes.contains(scope) } else { caller.holds(scope) }
        }
        guard held else {
            let host = request.host.map(Self.hostname) ?? "localhost"
            switch caller {
            case .standardKey, .ephemeralKey, .organizationKey:
                throw .missingScopes(identity: "app.\(project)@service.\(host)", role: "applications", scopes: scopes)
            case .console(let userID):
                throw .missingScopes(identity: state.accounts.user(id: userID)?.email ?? "User", role: "users", scopes: scopes)
            case .guest:
                throw .missingScopes(identity: "User", role: "guests", scopes: scopes)
            }
        }

        // 7. The organization.
        guard let team else { throw .teamNotFound }
        return OrganizationCall(project: project, team: team, caller: caller)
    }

    static func hostname(_ host: String) -> String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return String(host[...close]) }
        return host.split(separator: ":", maxSplits: 1).first.map(String.init) ?? host
    }
}
