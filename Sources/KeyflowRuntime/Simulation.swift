import Foundation
import KeyflowClient

/// The Keys API as `plan` sees it: the first read copies the real key list into memory,
/// and from then on every call — writes included — acts on that copy. Later statements
/// of a plan therefore see what earlier ones would have done, and nothing is sent but reads.
public actor SimulatedKeysAPI: KeysAPI {
    private let source: (any KeysAPI)?
    private let namePrefix: String?
    private var keys: [Key] = []
    private var loaded = false

    /// Simulates over `source`'s keys (nil: over an empty project); with `namePrefix`,
    /// over those whose names start with it, all a script can reach (`KeyReach`).
    public init(over source: (any KeysAPI)?, namePrefix: String? = nil) {
        self.source = source
        self.namePrefix = namePrefix
    }

    /// Simulates over a given key list.
    public init(keys: [Key]) {
        self.source = nil
        self.namePrefix = nil
        self.keys = keys
        self.loaded = true
    }

    private func load() async throws(APIError) {
        guard !loaded else { return }
        if let source { keys = try await KeyCache.fetchAll(from: source, namePrefix: namePrefix) }
        loaded = true
    }

    public func listKeys(queries: [KeyQuery], total: Bool) async throws(APIError) -> KeyList {
        try await load()
        var matching = keys.filter { key in queries.allSatisfy { Self.matches(key, $0) } }
        for q in queries {
            switch q {
            case .orderAsc(let a): matching.sort { Self.field(a, $0) < Self.field(a, $1) }
            case .orderDesc(let a): matching.sort { Self.field(a, $0) > Self.field(a, $1) }
            default: break
            }
        }
        let count = matching.count
        for q in queries {
            switch q {
            case .cursorAfter(let id):
                if let i = matching.firstIndex(where: { $0.id == id }) { matching = Array(matching[(i + 1)...]) }
            case .cursorBefore(let id):
                if let i = matching.firstIndex(where: { $0.id == id }) { matching = Array(matching[..<i]) }
            default: break
            }
        }
        for q in queries { if case .offset(let n) = q { matching = Array(matching.dropFirst(n)) } }
        let limit = queries.lazy.compactMap { if case .limit(let n) = $0 { n } else { nil } }.first ?? 5000
        return KeyList(total: total ? count : 0, keys: Array(matching.prefix(limit)))
    }

    public func getKey(id: String) async throws(APIError) -> Key {
        try await load()
        guard let key = keys.first(where: { $0.id == id }) else { throw Self.notFound }
        return key
    }

    public func createKey(id: String, fields: KeyFields) async throws(APIError) -> Key {
        try await load()
        if keys.contains(where: { $0.id == id }) {
            throw .server(status: 409, type: "key_already_exists", message: "Key with the requested ID already exists.")
        }
        let now = Date()
        let key = Key(
            id: id, createdAt: now, updatedAt: now, name: fields.name, description: fields.description ?? "",
            expire: fields.expire, scopes: fields.scopes, secret: Self.placeholderSecret)
        keys.append(key)
        return key
    }

    public func replaceKey(id: String, fields: KeyFields) async throws(APIError) -> Key {
        try await load()
        guard let i = keys.firstIndex(where: { $0.id == id }) else { throw Self.notFound }
        keys[i].name = fields.name
        keys[i].scopes = fields.scopes
        keys[i].expire = fields.expire
        if let d = fields.description { keys[i].description = d }
        keys[i].updatedAt = Date()
        return keys[i]
    }

    public func deleteKey(id: String) async throws(APIError) {
        try await load()
        guard let i = keys.firstIndex(where: { $0.id == id }) else { throw Self.notFound }
        keys.remove(at: i)
    }

    public func createEphemeralKey(scopes: [String], duration: Int) async throws(APIError) -> Key {
        let now = Date()
        return Key(
            id: KeyID.unique(), createdAt: now, updatedAt: now, name: "", expire: .at(now.addingTimeInterval(TimeInterval(duration))),
            scopes: scopes, secret: Self.placeholderSecret)
    }

    /// What a simulated key holds instead of a secret. Never delivered: plans do not run sinks.
    static let placeholderSecret = Secret("")
    static let notFound = APIError.server(status: 404, type: "key_not_found", message: "Key with the requested ID could not be found.")

    private static func field(_ attribute: String, _ k: Key) -> String {
        switch attribute {
        case "name": k.name
        case "$id": k.id
        case "expire": if case .at(let d) = k.expire { Format.isoTime(d) } else { "" }
        default: Format.isoTime(k.createdAt)
        }
    }

    private static func matches(_ key: Key, _ q: KeyQuery) -> Bool {
        switch q {
        case .equal(let a, let values): values.contains(field(a, key))
        case .notEqual(let a, let values): !values.contains(field(a, key))
        case .lessThan(let a, let v): field(a, key) < v
        case .greaterThan(let a, let v): field(a, key) > v
        case .contains(let a, let values): a == "scopes" ? values.contains { key.scopes.contains($0) } : true
        case .startsWith(let a, let prefix): field(a, key).utf8.starts(with: prefix.utf8)
        default: true
        }
    }
}

/// Key ids as the SDKs' `ID.unique()` makes them: 8 hex digits of seconds, 5 of the
/// sub-second part, 7 random (keys-api.md §7) — 20 lowercase hex characters.
public enum KeyID {
    public static func unique() -> String {
        let now = Date().timeIntervalSince1970
        let seconds = UInt64(now)
        let micros = UInt64((now - Double(seconds)) * 1_000_000) & 0xFFFFF
        let random = UInt64.random(in: 0..<0x1000_0000)
        return String(seconds, radix: 16).leftPadded(8) + String(micros, radix: 16).leftPadded(5)
            + String(random, radix: 16).leftPadded(7)
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String {
        count >= n ? String(suffix(n)) : String(repeating: "0", count: n - count) + self
    }
}
