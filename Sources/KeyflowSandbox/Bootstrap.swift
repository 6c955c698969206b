import Foundation
import KeyflowBasics

/// First start on an empty data directory creates the project, an admin console user, a
/// console session and an API key with `keys.read` + `keys.write`; later starts load
/// them. The credentials go to DIR/sandbox.json (mode 0600) on every start, with the
/// endpoint of that run.
enum Bootstrap {
    static let defaultProject = "sandbox"
    static let adminEmail = "admin@sandbox.keyflow.local"
    static let bootstrapKeyID = "sandbox-admin"

    struct Loaded {
        var state: SandboxState
        var project: String
        var apiKey: String
        var session: String
        var email: String
        var password: String
    }

    static func load(_ configuration: SandboxConfiguration) async throws(SandboxError) -> Loaded {
        if let project = configuration.projectID {
            guard Validation.isValidUID(project), project != SandboxState.consoleProject else {
                throw .invalidProject(
                    "'\(project)' is not a usable project id (1–36 of a-z, A-Z, 0-9, '.', '-', '_', not starting with a special character, not 'console')"
                )
            }
        }
        let storage = try Storage(directory: configuration.directory)
        do {
            var settings = try storage.read(Storage.settings)
            if settings["project"] == nil {
                settings = try await firstStart(storage, project: configuration.projectID ?? defaultProject)
            }
            guard let project = settings["project"], let apiKey = settings["apiKey"], let session = settings["session"],
                let email = settings["email"], let password = settings["password"], let jwtSecret = settings["jwtSecret"]
            else {
                throw SandboxError.storage("the sandbox database in \(configuration.directory.path) is incomplete")
            }
            if let wanted = configuration.projectID, wanted != project {
                throw SandboxError.invalidProject(
                    "\(configuration.directory.path) holds project '\(project)', not '\(wanted)': use another --data directory or drop --project")
            }
            let (keys, users, sessions, projects) = try storage.read { db in
                (try Storage.keys(db), try Storage.users(db), try Storage.sessions(db), try Storage.projects(db))
            }
            let state = SandboxState(
                storage: storage, index: KeyIndex(keys), accounts: Accounts(users: users, sessions: sessions),
                tokens: EphemeralTokens(secretHex: jwtSecret), projects: Set(projects),
                legacyKeyCreate: configuration.legacyKeyCreate)
            return Loaded(state: state, project: project, apiKey: apiKey, session: session, email: email, password: password)
        } catch let error as SandboxError {
            throw error
        } catch {
            throw .storage("cannot load the sandbox database in \(configuration.directory.path): \(error)")
        }
    }

    /// Creates everything in one transaction: either all of it exists afterwards, or none.
    private static func firstStart(_ storage: Storage, project: String) async throws -> [String: String] {
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
        let settings = [
            "project": project, "apiKey": apiKey, "session": sessionSecret, "email": adminEmail,
            "password": password, "jwtSecret": randomHex(bytes: 32),
        ]
        try await storage.write { db in
            for (name, value) in settings { try Storage.setSetting(db, name, value) }
            try Storage.insertProject(db, id: project, at: now)
            try Storage.insertUser(db, user)
            try Storage.insertSession(db, session)
            _ = try Storage.insertKey(db, key)
        }
        return settings
    }

    /// Writes DIR/sandbox.json with mode 0600 (a temporary file renamed over the old one).
    static func writeCredentials(_ credentials: SandboxCredentials, to directory: URL) throws(SandboxError) {
        var w = JSONWriter(capacity: 600, style: .plain)
        w.raw("{\n  ")
        for (n, (name, value)) in [
            ("endpoint", credentials.endpoint), ("project", credentials.project), ("apiKey", credentials.apiKey),
            ("session", credentials.session), ("email", credentials.email), ("password", credentials.password),
        ].enumerated() {
            if n > 0 { w.raw(",\n  ") }
            w.string(name)
            w.raw(": ")
            w.string(value)
        }
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
