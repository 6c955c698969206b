import Foundation
import KeyflowBasics

/// Console sessions saved by `keyflow login`, one per endpoint, in
/// `$XDG_CONFIG_HOME/keyflow/sessions.json` (or `~/.config/keyflow/…`), mode 0600 in a
/// 0700 folder, written to a temporary file, synced and renamed over the old one.
public struct SessionStore: Sendable {
    public struct Entry: Sendable, Hashable {
        public var session: Secret
        public var email: String
        public var createdAt: Date
    }

    public let directory: String
    public var path: String { directory + "/sessions.json" }

    public init(directory: String) { self.directory = directory }

    /// The user's store: `$XDG_CONFIG_HOME/keyflow`, else `$HOME/.config/keyflow`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> SessionStore {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return SessionStore(directory: xdg + "/keyflow")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return SessionStore(directory: home + "/.config/keyflow")
    }

    public func entry(for endpoint: String) throws(TargetError) -> Entry? {
        try load()[ClientConfiguration.normalise(endpoint: endpoint)]
    }

    public func save(session: Secret, email: String, for endpoint: String, now: Date = Date()) throws(TargetError) {
        var entries = try load()
        entries[ClientConfiguration.normalise(endpoint: endpoint)] = Entry(session: session, email: email, createdAt: now)
        try write(entries)
    }

    /// Removes the endpoint's session; false when there was none.
    @discardableResult
    public func remove(for endpoint: String) throws(TargetError) -> Bool {
        var entries = try load()
        guard entries.removeValue(forKey: ClientConfiguration.normalise(endpoint: endpoint)) != nil else { return false }
        try write(entries)
        return true
    }

    /// Endpoints with a stored session.
    public func endpoints() throws(TargetError) -> [String] { try load().keys.sorted() }

    private func load() throws(TargetError) -> [String: Entry] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .sessionStore(path: path, reason: "cannot be read")
        }
        guard case .object(let sessions)? = JSONValue.parse(data)?["sessions"] else {
            throw .sessionStore(path: path, reason: "is not a keyflow session file")
        }
        var entries: [String: Entry] = [:]
        for (endpoint, fields) in sessions {
            guard let session = fields["session"]?.stringValue else { continue }
            entries[endpoint] = Entry(
                session: Secret(session), email: fields["email"]?.stringValue ?? "",
                createdAt: fields["createdAt"]?.stringValue.flatMap(WireDate.parse) ?? Date(timeIntervalSince1970: 0))
        }
        return entries
    }

    private func write(_ entries: [String: Entry]) throws(TargetError) {
        let members = entries.keys.sorted().map { endpoint -> (String, JSONValue) in
            let entry = entries[endpoint]!
            return (endpoint, .object([
                ("session", .string(entry.session.reveal())),
                ("email", .string(entry.email)),
                ("createdAt", .string(WireDate.format(entry.createdAt))),
            ]))
        }
        let text = JSONValue.object([("sessions", .object(members))]).encoded(.python) + "\n"
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .sessionStore(path: directory, reason: "cannot be created")
        }
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, 0o600)
        guard fd >= 0 else { throw .sessionStore(path: temporary, reason: String(cString: strerror(errno))) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .sessionStore(path: path, reason: "could not be written")
        }
    }
}
