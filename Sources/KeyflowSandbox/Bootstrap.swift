import Foundation
import KeyflowBasics

/// First start on an empty data directory creates an admin console user, a console
/// session, an organization (a team the user owns) with its projects (`--projects`, or the
/// one `--project`), an organization API key, and a project API key with `keys.read` +
/// `keys.write` in the first project; later starts load them. A database made before
/// organizations gets its organization on its next start. The credentials go to
/// DIR/sandbox.json (mode 0600) on every start, with the endpoint of that run.
enum Bootstrap {
    static let defaultProject = "sandbox"
    static let adminEmail = "admin@sandbox.keyflow.local"
    static let bootstrapKeyID = "sandbox-admin"
    static let organizationKeyID = "sandbox-organization"
    static let organizationName = "Sandbox organization"
    static let organizationKeyScopes = [
        "projects.read", "projects.write", "organization.projects.keys.read", "organization.projects.keys.write",
    ]

    struct Loaded {
        var state: SandboxState
        var project: String
        var apiKey: String
        var session: String
        var email: String
        var password: String
        var organization: String
        var organizationKey: String
        var projects: [String]
    }

    static func load(_ configuration: SandboxConfiguration) async throws(SandboxError) -> Loaded {
        let wanted = try wantedProjects(configuration)
        let storage = try Storage(directory: configuration.directory)
        do {
            var settings = try storage.read(Storage.settings)
            if settings["project"] == nil {
                settings = try await firstStart(storage, projects: wanted ?? [defaultProject])
            }
            guard let project = settings["project"], let apiKey = settings["apiKey"], let session = settings["session"],
                let email = settings["email"], let password = settings["password"], let jwtSecret = settings["jwtSecret"]
            else {
                throw SandboxError.storage("the sandbox database in \(configuration.directory.path) is incomplete")
            }
            let bootstrapped = settings["projects"].map { $0.split(separator: ",").map(String.init) } ?? [project]
            if let wanted, configuration.projectIDs != nil ? wanted != bootstrapped : wanted != [project] {
                let holds = configuration.projectIDs != nil ? bootstrapped.joined(separator: ",") : project
                let flag = configuration.projectIDs != nil ? "--projects" : "--project"
                throw SandboxError.invalidProject(
                    "\(configuration.directory.path) holds project '\(holds)', not '\(wanted.joined(separator: ","))': use another --data directory or drop \(flag)")
            }
            if settings["organization"] == nil {
                settings.merge(try await addOrganization(storage, email: email)) { $1 }
            }
            guard let organization = settings["organization"], let organizationKey = settings["organizationKey"] else {
                throw SandboxError.storage("the sandbox database in \(configuration.directory.path) is incomplete")
            }
            let (keys, organizationKeys, users, sessions) = try storage.read { db in
                (try Storage.keys(db), try Storage.keys(db, .organization), try Storage.users(db), try Storage.sessions(db))
            }
            let (teams, projects, memberships) = try storage.read { db in
                (try Storage.teams(db), try Storage.projects(db), try Storage.memberships(db))
            }
            let state = SandboxState(
                storage: storage, index: KeyIndex(keys), organizationIndex: KeyIndex(organizationKeys),
                accounts: Accounts(users: users, sessions: sessions),
                organizations: Organizations(teams: teams, projects: projects, memberships: memberships),
                tokens: EphemeralTokens(secretHex: jwtSecret), legacyKeyCreate: configuration.legacyKeyCreate)
            return Loaded(
                state: state, project: project, apiKey: apiKey, session: session, email: email, password: password,
                organization: organization, organizationKey: organizationKey,
                projects: projects.filter { $0.teamID == organization }.map(\.id))
        } catch let error as SandboxError {
            throw error
        } catch {
            throw .storage("cannot load the sandbox database in \(configuration.directory.path): \(error)")
        }
    }

    /// The project ids asked for (`--projects`, else `--project`), checked; nil when neither.
    private static func wantedProjects(_ configuration: SandboxConfiguration) throws(SandboxError) -> [String]? {
        guard let wanted = configuration.projectIDs ?? configuration.projectID.map({ [$0] }) else { return nil }
        if configuration.projectIDs != nil, let single = configuration.projectID, wanted.first != single {
            throw .invalidProject("--project '\(single)' must be the first of --projects")
        }
        guard !wanted.isEmpty else { throw .invalidProject("--projects names no project") }
        for project in wanted {
            guard Validation.isValidUID(project), project != SandboxState.consoleProject else {
                throw .invalidProject(
                    "'\(project)' is not a usable project id (1–36 of a-z, A-Z, 0-9, '.', '-', '_', not starting with a special character, not 'console')"
                )
            }
        }
        guard Set(wanted).count == wanted.count else { throw .invalidProject("--projects names a project twice") }
        return wanted
    }

    /// Creates everything in one transaction: either all of it exists afterwards, or none.
    private static func firstStart(_ storage: Storage, projects: [String]) async throws -> [String: String] {
        let project = projects[0]
        let now = Timestamps.now()
        let password = randomHex(bytes: 12)
        let sessionSecret = randomHex(bytes: 64)
        let apiKey = newStandardSecret()
        let salt = randomHex(bytes: 16)
        let user = ConsoleUser(
            id: uniqueID(), email: adminEmail, passwordSalt: salt,
            passwordHash: ConsoleUser.hash(password: password, salt: salt), createdAt: now)
        let session = ConsoleSession(
            id: uniqueID(), userID: user.id, secretHash: ConsoleSession.hash(secret: sessionSecret),
            createdAt: now, expire: now + 100 * 365 * 24 * 3600 * 1000)
        let key = KeyRecord(
            sequence: 0, id: bootstrapKeyID, projectID: project, createdAt: now, updatedAt: now,
            name: "Sandbox bootstrap key", description: "", expire: nil, scopes: ["keys.read", "keys.write"],
            secret: apiKey, accessedAt: nil, sdks: [])
        let organization = newOrganization(owner: user.id, at: now)
        var settings = [
            "project": project, "apiKey": apiKey, "session": sessionSecret, "email": adminEmail,
            "password": password, "jwtSecret": randomHex(bytes: 32), "projects": projects.joined(separator: ","),
        ]
        settings.merge(organization.settings) { $1 }
        try await storage.write { [settings] db in
            for (name, value) in settings { try Storage.setSetting(db, name, value) }
            try Storage.insertUser(db, user)
            try Storage.insertSession(db, session)
            _ = try Storage.insertTeam(db, organization.team, organization.membership)
            _ = try Storage.insertKey(db, organization.key, .organization)
            for id in projects {
                _ = try Storage.insertProject(
                    db, ProjectRecord(sequence: 0, id: id, name: id, teamID: organization.team.id, createdAt: now, updatedAt: now))
            }
            _ = try Storage.insertKey(db, key)
        }
        return settings
    }

    /// The bootstrap organization: a team the console user owns and its organization key.
    private static func newOrganization(owner: String, at now: Int64) -> (
        team: TeamRecord, membership: MembershipRecord, key: KeyRecord, settings: [String: String]
    ) {
        let team = TeamRecord(sequence: 0, id: uniqueID(), name: organizationName, createdAt: now, updatedAt: now)
        let secret = newOrganizationSecret()
        let key = KeyRecord(
            sequence: 0, id: organizationKeyID, projectID: team.id, createdAt: now, updatedAt: now,
            name: "Sandbox organization key", description: "", expire: nil, scopes: organizationKeyScopes,
            secret: secret, accessedAt: nil, sdks: [])
        let membership = MembershipRecord(teamID: team.id, userID: owner, roles: ["owner"], createdAt: now)
        return (team, membership, key, ["organization": team.id, "organizationKey": secret])
    }

    /// A database made before organizations: its console user gets an organization owning every project.
    private static func addOrganization(_ storage: Storage, email: String) async throws -> [String: String] {
        let users = try storage.read(Storage.users)
        guard let user = users.first(where: { $0.email == email }) ?? users.first else {
            throw SandboxError.storage("the sandbox database has no console user")
        }
        let organization = newOrganization(owner: user.id, at: Timestamps.now())
        try await storage.write { db in
            for (name, value) in organization.settings { try Storage.setSetting(db, name, value) }
            _ = try Storage.insertTeam(db, organization.team, organization.membership)
            _ = try Storage.insertKey(db, organization.key, .organization)
            try Storage.adoptProjects(db, team: organization.team.id)
        }
        return organization.settings
    }

    /// Writes DIR/sandbox.json with mode 0600 (a temporary file renamed over the old one).
    static func writeCredentials(_ credentials: SandboxCredentials, to directory: URL) throws(SandboxError) {
        var w = JSONWriter(capacity: 1000, style: .plain)
        w.raw("{\n  ")
        for (n, (name, value)) in [
            ("endpoint", credentials.endpoint), ("project", credentials.project), ("apiKey", credentials.apiKey),
            ("session", credentials.session), ("email", credentials.email), ("password", credentials.password),
            ("organization", credentials.organization), ("organizationKey", credentials.organizationKey),
        ].enumerated() {
            if n > 0 { w.raw(",\n  ") }
            w.string(name)
            w.raw(": ")
            w.string(value)
        }
        w.raw(",\n  ")
        w.string("projects")
        w.raw(": ")
        w.strings(credentials.projects)
        w.raw("\n}\n")
        let final = directory.appendingPathComponent("sandbox.json")
        let temporary = directory.appendingPathComponent(".sandbox.json.\(randomHex(bytes: 4))")
        guard FileManager.default.createFile(
            atPath: temporary.path, contents: Data(w.text.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw .credentialsFile("cannot write \(temporary.path)")
        }
        guard rename(temporary.path, final.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw .credentialsFile("cannot rename the credentials into \(final.path)")
        }
    }
}
