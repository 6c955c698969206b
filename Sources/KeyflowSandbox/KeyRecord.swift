import Crypto
import KeyflowBasics

/// One stored standard key. Instants are milliseconds since the epoch (UTC); nil means
/// "never expires" / "never accessed".
struct KeyRecord: Sendable, Equatable {
    /// Insertion order (`$sequence`), assigned by SQLite.
    var sequence: Int64
    var id: String
    var projectID: String
    var createdAt: Int64
    var updatedAt: Int64
    var name: String
    var description: String
    var expire: Int64?
    var scopes: [String]
    var secret: String
    var accessedAt: Int64?
    var sdks: [String]

    func isExpired(at now: Int64) -> Bool {
        if let expire { return expire < now }
        return false
    }

    /// The Key model (docs/appwrite-api.md §5.1): every field, in the server's order, `""` for null dates.
    func render(into w: inout JSONWriter) {
        w.raw("{")
        w.key("$id", first: true)
        w.string(id)
        w.key("$createdAt")
        w.string(Timestamps.format(createdAt))
        w.key("$updatedAt")
        w.string(Timestamps.format(updatedAt))
        w.key("name")
        w.string(name)
        w.key("description")
        w.string(description)
        w.key("expire")
        w.string(expire.map(Timestamps.format) ?? "")
        w.key("scopes")
        w.strings(scopes)
        w.key("secret")
        w.string(secret)
        w.key("accessedAt")
        w.string(accessedAt.map(Timestamps.format) ?? "")
        w.key("sdks")
        w.strings(sdks)
        w.raw("}")
    }

    func json() -> String {
        var w = JSONWriter(capacity: 600, style: .server)
        render(into: &w)
        return w.text
    }
}

/// The SHA-256 of a secret: the index looks secrets up by digest, then compares the
/// secret itself in constant time, so lookup timing tells nothing about the secret.
struct SecretDigest: Hashable, Sendable {
    let digest: SHA256.Digest
    init(_ secret: String) { digest = SHA256.hash(data: Array(secret.utf8)) }
}

/// Compares two byte strings in time that depends only on their lengths.
func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}
