import Foundation
import GRDB
import KeyflowBasics

typealias GRDBDatabase = Database

/// The sandbox's durable state: one SQLite database in WAL mode with `synchronous=FULL`
/// (DIR/sandbox.sqlite). Changes are group-committed: whatever changes arrive while one
/// transaction is being made durable wait and then commit together, each in its own
/// savepoint (one change failing rolls back only itself), so concurrent writers share one
/// fsync instead of queueing for one each. A change reads the database, never the
/// in-memory copies, so it sees the changes committed before it in the same group. The
/// in-memory copies (KeyIndex, sessions) are updated only after the commit, in commit
/// order, and only then is any caller answered: an acknowledged write is a durable one.
final class Storage: Sendable {
    private let pool: DatabasePool
    private let group = Locked(GroupState())
    private let committer = DispatchQueue(label: "keyflow-sandbox-commit")

    private struct GroupState {
        var waiting: [PendingChange] = []
        var committing = false
        var transactions = 0
        var changes = 0
    }

    /// Transactions committed (or rolled back) so far and the changes they carried.
    var groupCommits: (transactions: Int, changes: Int) {
        group.withLock { ($0.transactions, $0.changes) }
    }

    init(directory: URL) throws(SandboxError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .storage("cannot create the data directory \(directory.path): \(error.localizedDescription)")
        }
        let path = directory.appendingPathComponent("sandbox.sqlite").path
        // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the
        // database file's mode, and they hold every key's secret too.
        if !fm.fileExists(atPath: path) {
            fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(5)
        configuration.label = "keyflow-sandbox"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // DatabasePool resets the writer to NORMAL after prepareDatabase: set FULL now and check it held.
            let level = try pool.writeWithoutTransaction { db -> Int in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                return try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            }
            guard level == 2 else { throw SandboxError.storage("SQLite refused synchronous=FULL (got \(level))") }
            try Self.migrator.migrate(pool)
        } catch let error as SandboxError {
            throw error
        } catch {
            throw .storage("cannot open \(path): \(error)")
        }
        for file in [path, path + "-wal", path + "-shm"] where fm.fileExists(atPath: file) {
            try? fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
    }

    private static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE projects (id TEXT PRIMARY KEY, createdAt INTEGER NOT NULL);
                    CREATE TABLE users (
                        id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE,
                        passwordSalt TEXT NOT NULL, passwordHash TEXT NOT NULL, createdAt INTEGER NOT NULL);
                    CREATE TABLE sessions (
                        id TEXT PRIMARY KEY, userId TEXT NOT NULL REFERENCES users(id),
                        secretHash TEXT NOT NULL UNIQUE, createdAt INTEGER NOT NULL, expire INTEGER NOT NULL);
                    CREATE TABLE keys (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE, projectId TEXT NOT NULL,
                        name TEXT NOT NULL, description TEXT NOT NULL,
                        expire INTEGER, scopes TEXT NOT NULL, secret TEXT NOT NULL,
                        accessedAt INTEGER, sdks TEXT NOT NULL,
                        createdAt INTEGER NOT NULL, updatedAt INTEGER NOT NULL);
                    """)
        }
        // Organizations (docs/appwrite-api.md §4.7): teams, their members, the team owning each
        // project, and organization API keys (the columns of `keys`, owned by a team).
        m.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE projects ADD COLUMN name TEXT NOT NULL DEFAULT '';
                    ALTER TABLE projects ADD COLUMN teamId TEXT NOT NULL DEFAULT '';
                    ALTER TABLE projects ADD COLUMN updatedAt INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE teams (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                        name TEXT NOT NULL, createdAt INTEGER NOT NULL, updatedAt INTEGER NOT NULL);
                    CREATE TABLE memberships (
                        teamId TEXT NOT NULL REFERENCES teams(id), userId TEXT NOT NULL REFERENCES users(id),
                        roles TEXT NOT NULL, createdAt INTEGER NOT NULL, PRIMARY KEY (teamId, userId));
                    CREATE TABLE organizationKeys (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE, teamId TEXT NOT NULL,
                        name TEXT NOT NULL, description TEXT NOT NULL,
                        expire INTEGER, scopes TEXT NOT NULL, secret TEXT NOT NULL,
                        accessedAt INTEGER, sdks TEXT NOT NULL,
                        createdAt INTEGER NOT NULL, updatedAt INTEGER NOT NULL);
                    """)
        }
        return m
    }

    // MARK: transactions

    /// Runs `change` in a transaction (with whatever other changes are waiting), then,
    /// after the commit, `apply`; answers once the change is durable.
    func write<T: Sendable>(
        _ change: @escaping @Sendable (Database) throws -> T,
        thenApply apply: @escaping @Sendable (T) -> Void = { _ in }
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let result = Locked<T?>(nil)
            let pending = PendingChange(
                change: { db in
                    let value = try change(db)
                    result.withLock { $0 = value }
                },
                apply: { result.withLock { apply($0!) } },
                finish: { error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else {
                        continuation.resume(returning: result.withLock { $0! })
                    }
                })
            let startCommitter = group.withLock { state -> Bool in
                state.waiting.append(pending)
                if state.committing { return false }
                state.committing = true
                return true
            }
            if startCommitter { committer.async { self.commitWaiting() } }
        }
    }

    /// Commits groups of waiting changes until none is left.
    private func commitWaiting() {
        while true {
            let batch = group.withLock { state -> [PendingChange] in
                let batch = state.waiting
                state.waiting.removeAll(keepingCapacity: true)
                if batch.isEmpty { state.committing = false }
                if !batch.isEmpty {
                    state.transactions += 1
                    state.changes += batch.count
                }
                return batch
            }
            if batch.isEmpty { return }
            commit(batch)
        }
    }

    private func commit(_ batch: [PendingChange]) {
        var failures = [Error?](repeating: nil, count: batch.count)
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    for (n, pending) in batch.enumerated() {
                        do {
                            try db.inSavepoint {
                                try pending.change(db)
                                return .commit
                            }
                        } catch {
                            failures[n] = error
                        }
                    }
                    return .commit
                }
            }
        } catch {
            // The transaction rolled back: nothing of this group is stored or applied.
            for pending in batch { pending.finish(error) }
            return
        }
        for (n, pending) in batch.enumerated() where failures[n] == nil { pending.apply() }
        for (n, pending) in batch.enumerated() { pending.finish(failures[n]) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    // MARK: rows

    static func settings(_ db: Database) throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, value FROM settings") {
            out[row["name"]] = row["value"] as String
        }
        return out
    }

    static func setSetting(_ db: Database, _ name: String, _ value: String) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", arguments: [name, value])
    }

    static func projects(_ db: Database) throws -> [ProjectRecord] {
        try Row.fetchAll(db, sql: "SELECT rowid AS sequence, * FROM projects ORDER BY rowid").map {
            ProjectRecord(
                sequence: $0["sequence"], id: $0["id"], name: $0["name"], teamID: $0["teamId"],
                createdAt: $0["createdAt"], updatedAt: $0["updatedAt"])
        }
    }

    static func projectExists(_ db: Database, id: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM projects WHERE id = ?)", arguments: [id]) ?? false
    }

    /// Inserts a project and returns it with its `sequence`.
    static func insertProject(_ db: Database, _ project: ProjectRecord) throws -> ProjectRecord {
        try db.execute(
            sql: "INSERT INTO projects (id, name, teamId, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [project.id, project.name, project.teamID, project.createdAt, project.updatedAt])
        var stored = project
        stored.sequence = db.lastInsertedRowID
        return stored
    }

    /// Gives every project without an organization to `team` (databases made before organizations).
    static func adoptProjects(_ db: Database, team: String) throws {
        try db.execute(sql: "UPDATE projects SET teamId = ?, name = CASE name WHEN '' THEN id ELSE name END, updatedAt = CASE updatedAt WHEN 0 THEN createdAt ELSE updatedAt END WHERE teamId = ''", arguments: [team])
    }

    static func teams(_ db: Database) throws -> [TeamRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM teams ORDER BY sequence").map {
            TeamRecord(sequence: $0["sequence"], id: $0["id"], name: $0["name"], createdAt: $0["createdAt"], updatedAt: $0["updatedAt"])
        }
    }

    static func teamExists(_ db: Database, id: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?)", arguments: [id]) ?? false
    }

    /// Inserts a team with its first member and returns it with its `sequence`.
    static func insertTeam(_ db: Database, _ team: TeamRecord, _ membership: MembershipRecord) throws -> TeamRecord {
        try db.execute(
            sql: "INSERT INTO teams (id, name, createdAt, updatedAt) VALUES (?, ?, ?, ?)",
            arguments: [team.id, team.name, team.createdAt, team.updatedAt])
        var stored = team
        stored.sequence = db.lastInsertedRowID
        try db.execute(
            sql: "INSERT INTO memberships (teamId, userId, roles, createdAt) VALUES (?, ?, ?, ?)",
            arguments: [membership.teamID, membership.userID, encodeStrings(membership.roles), membership.createdAt])
        return stored
    }

    static func memberships(_ db: Database) throws -> [MembershipRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM memberships").map {
            MembershipRecord(teamID: $0["teamId"], userID: $0["userId"], roles: decodeStrings($0["roles"]), createdAt: $0["createdAt"])
        }
    }

    static func keys(_ db: Database, _ table: KeyTable = .project) throws -> [KeyRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM \(table.rawValue) ORDER BY sequence").map { keyRecord($0, table) }
    }

    /// The key `id` of `project` (a team for organization keys) as stored (changes earlier in the transaction included).
    static func key(_ db: Database, id: String, project: String, _ table: KeyTable = .project) throws -> KeyRecord? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM \(table.rawValue) WHERE id = ? AND \(table.ownerColumn) = ?", arguments: [id, project]
        ).map { keyRecord($0, table) }
    }

    private static func keyRecord(_ row: Row, _ table: KeyTable) -> KeyRecord {
        KeyRecord(
            sequence: row["sequence"], id: row["id"], projectID: row[table.ownerColumn],
            createdAt: row["createdAt"], updatedAt: row["updatedAt"],
            name: row["name"], description: row["description"], expire: row["expire"],
            scopes: decodeStrings(row["scopes"]), secret: row["secret"],
            accessedAt: row["accessedAt"], sdks: decodeStrings(row["sdks"]))
    }

    /// Whether any key, project or organization, has this id (ids are instance-wide, §7).
    static func keyExists(_ db: Database, id: String) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM keys WHERE id = ?) OR EXISTS (SELECT 1 FROM organizationKeys WHERE id = ?)",
            arguments: [id, id]) ?? false
    }

    /// Inserts a key and returns it with its `sequence`.
    static func insertKey(_ db: Database, _ key: KeyRecord, _ table: KeyTable = .project) throws -> KeyRecord {
        try db.execute(
            sql: """
                INSERT INTO \(table.rawValue) (id, \(table.ownerColumn), name, description, expire, scopes, secret, accessedAt, sdks, createdAt, updatedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                key.id, key.projectID, key.name, key.description, key.expire, encodeStrings(key.scopes),
                key.secret, key.accessedAt, encodeStrings(key.sdks), key.createdAt, key.updatedAt,
            ])
        var stored = key
        stored.sequence = db.lastInsertedRowID
        return stored
    }

    static func updateKey(_ db: Database, _ key: KeyRecord, _ table: KeyTable = .project) throws {
        try db.execute(
            sql: """
                UPDATE \(table.rawValue) SET name = ?, description = ?, expire = ?, scopes = ?, accessedAt = ?, sdks = ?, updatedAt = ?
                WHERE id = ?
                """,
            arguments: [
                key.name, key.description, key.expire, encodeStrings(key.scopes), key.accessedAt,
                encodeStrings(key.sdks), key.updatedAt, key.id,
            ])
    }

    static func deleteKey(_ db: Database, id: String, _ table: KeyTable = .project) throws -> Bool {
        try db.execute(sql: "DELETE FROM \(table.rawValue) WHERE id = ?", arguments: [id])
        return db.changesCount > 0
    }

    static func insertUser(_ db: Database, _ user: ConsoleUser) throws {
        try db.execute(
            sql: "INSERT INTO users (id, email, passwordSalt, passwordHash, createdAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [user.id, user.email, user.passwordSalt, user.passwordHash, user.createdAt])
    }

    static func users(_ db: Database) throws -> [ConsoleUser] {
        try Row.fetchAll(db, sql: "SELECT * FROM users").map {
            ConsoleUser(
                id: $0["id"], email: $0["email"], passwordSalt: $0["passwordSalt"],
                passwordHash: $0["passwordHash"], createdAt: $0["createdAt"])
        }
    }

    static func insertSession(_ db: Database, _ session: ConsoleSession) throws {
        try db.execute(
            sql: "INSERT INTO sessions (id, userId, secretHash, createdAt, expire) VALUES (?, ?, ?, ?, ?)",
            arguments: [session.id, session.userID, session.secretHash, session.createdAt, session.expire])
    }

    static func deleteSession(_ db: Database, id: String) throws {
        try db.execute(sql: "DELETE FROM sessions WHERE id = ?", arguments: [id])
    }

    static func sessions(_ db: Database) throws -> [ConsoleSession] {
        try Row.fetchAll(db, sql: "SELECT * FROM sessions").map {
            ConsoleSession(
                id: $0["id"], userID: $0["userId"], secretHash: $0["secretHash"],
                createdAt: $0["createdAt"], expire: $0["expire"])
        }
    }

    static func encodeStrings(_ items: [String]) -> String {
        var w = JSONWriter(capacity: 64, style: .server)
        w.strings(items)
        return w.text
    }

    static func decodeStrings(_ text: String) -> [String] {
        guard case .array(let items)? = JSONValue.parse(text) else { return [] }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }
}

/// Where keys live: project keys in `keys`, organization keys in `organizationKeys` (whose
/// owner column is the team; `KeyRecord.projectID` then holds the team id).
enum KeyTable: String, Sendable {
    case project = "keys"
    case organization = "organizationKeys"

    var ownerColumn: String { self == .project ? "projectId" : "teamId" }
}

/// One change waiting for the next group commit, its result type erased.
private struct PendingChange: Sendable {
    let change: @Sendable (Database) throws -> Void
    let apply: @Sendable () -> Void
    let finish: @Sendable ((any Error)?) -> Void
}
