import Foundation
import KeyflowBasics

/// Console sessions saved by `keyflow login`, one per endpoint (and one per context for
/// `keyflow login --context NAME`, with the endpoint it was made for), in
/// `$XDG_CONFIG_HOME/keyflow/sessions.json` (or `~/.config/keyflow/…`), mode 0600 in a
/// 0700 folder, written to a temporary file, synced and renamed over the old one.
public struct SessionStore: Sendable {
    public struct Entry: Sendable, Hashable {
        public var session: Secret
        public var email: String
        public var createdAt: Date
        /// For a context's session: the endpoint it was signed in to.
        public var endpoint: String? = nil
    }

    /// What the file holds: sessions by endpoint, and by context name.
    struct Contents {
        var endpoints: [String: Entry] = [:]
        var contexts: [String: Entry] = [:]
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
        try load().endpoints[ClientConfiguration.normalise(endpoint: endpoint)]
    }

    /// The session `keyflow login --context NAME` stored, whatever its endpoint.
    public func entry(context: String) throws(TargetError) -> Entry? {
        try load().contexts[context]
    }

    public func save(session: Secret, email: String, for endpoint: String, now: Date = Date()) throws(TargetError) {
        var contents = try load()
        contents.endpoints[ClientConfiguration.normalise(endpoint: endpoint)] = Entry(session: session, email: email, createdAt: now)
        try write(contents)
    }

    /// Stores a context's session, with the endpoint it was made for.
    public func save(session: Secret, email: String, context: String, endpoint: String, now: Date = Date()) throws(TargetError) {
        var contents = try load()
        contents.contexts[context] = Entry(
            session: session, email: email, createdAt: now, endpoint: ClientConfiguration.normalise(endpoint: endpoint))
        try write(contents)
    }

    /// Removes the endpoint's session; false when there was none.
    @discardableResult
    public func remove(for endpoint: String) throws(TargetError) -> Bool {
        var contents = try load()
        guard contents.endpoints.removeValue(forKey: ClientConfiguration.normalise(endpoint: endpoint)) != nil else { return false }
        try write(contents)
        return true
    }

    /// Removes the context's session; false when there was none.
    @discardableResult
    public func remove(context: String) throws(TargetError) -> Bool {
        var contents = try load()
        guard contents.contexts.removeValue(forKey: context) != nil else { return false }
        try write(contents)
        return true
    }

    /// Endpoints with a stored session.
    public func endpoints() throws(TargetError) -> [String] { try load().endpoints.keys.sorted() }

    private func load() throws(TargetError) -> Contents {
        guard FileManager.default.fileExists(atPath: path) else { return Contents() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .sessionStore(path: path, reason: "cannot be read")
        }
        let parsed = JSONValue.parse(data)
        guard case .object(let sessions)? = parsed?["sessions"] else {
            throw .sessionStore(path: path, reason: "is not a keyflow session file")
        }
        func entries(_ members: [(String, JSONValue)]) -> [String: Entry] {
            var entries: [String: Entry] = [:]
            for (name, fields) in members {
                guard let session = fields["session"]?.stringValue else { continue }
                entries[name] = Entry(
                    session: Secret(session), email: fields["email"]?.stringValue ?? "",
                    createdAt: fields["createdAt"]?.stringValue.flatMap(WireDate.parse) ?? Date(timeIntervalSince1970: 0),
                    endpoint: fields["endpoint"]?.stringValue)
            }
            return entries
        }
        var contexts: [(String, JSONValue)] = []
        if case .object(let members)? = parsed?["contexts"] { contexts = members }
        return Contents(endpoints: entries(sessions), contexts: entries(contexts))
    }

    private func write(_ contents: Contents) throws(TargetError) {
        func members(_ entries: [String: Entry]) -> [(String, JSONValue)] {
            entries.keys.sorted().map { name -> (String, JSONValue) in
                let entry = entries[name]!
                var fields: [(String, JSONValue)] = [
                    ("session", .string(entry.session.reveal())),
                    ("email", .string(entry.email)),
                    ("createdAt", .string(WireDate.format(entry.createdAt))),
                ]
                if let endpoint = entry.endpoint { fields.append(("endpoint", .string(endpoint))) }
                return (name, .object(fields))
            }
        }
        var top: [(String, JSONValue)] = [("sessions", .object(members(contents.endpoints)))]
        if !contents.contexts.isEmpty { top.append(("contexts", .object(members(contents.contexts)))) }
        let text = JSONValue.object(top).encoded(.python) + "\n"
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
