import Crypto

/// A console user (the sandbox's stand-in for an Appwrite Console account). The
/// password is kept as a salted SHA-256; the plain one is only in sandbox.json.
struct ConsoleUser: Sendable, Equatable {
    var id: String
    var email: String
    var passwordSalt: String
    var passwordHash: String
    var createdAt: Int64

    static func hash(password: String, salt: String) -> String {
        hex(SHA256.hash(data: Array((salt + ":" + password).utf8)))
    }

    func accepts(password: String) -> Bool {
        constantTimeEquals(Self.hash(password: password, salt: passwordSalt).utf8, passwordHash.utf8)
    }
}

/// A console session; the cookie value (`a_session_console`) is stored only as its SHA-256.
struct ConsoleSession: Sendable, Equatable {
    var id: String
    var userID: String
    var secretHash: String
    var createdAt: Int64
    var expire: Int64

    static func hash(secret: String) -> String { hex(SHA256.hash(data: Array(secret.utf8))) }
}

/// Console users and sessions in memory, loaded at start and extended after each commit.
final class Accounts: Sendable {
    private struct State {
        var usersByEmail: [String: ConsoleUser] = [:]
        var sessionsByHash: [String: ConsoleSession] = [:]
    }

    private let state = Locked(State())

    init(users: [ConsoleUser], sessions: [ConsoleSession]) {
        state.withLock { s in
            for user in users { s.usersByEmail[user.email.lowercased()] = user }
            for session in sessions { s.sessionsByHash[session.secretHash] = session }
        }
    }

    func user(email: String) -> ConsoleUser? {
        state.withLock { $0.usersByEmail[email.lowercased()] }
    }

    func user(id: String) -> ConsoleUser? {
        state.withLock { s in s.usersByEmail.values.first { $0.id == id } }
    }

    /// The live session whose cookie value is `secret`.
    func session(secret: String, now: Int64) -> ConsoleSession? {
        let hash = ConsoleSession.hash(secret: secret)
        return state.withLock { s in
            guard let session = s.sessionsByHash[hash], session.expire > now else { return nil }
            return session
        }
    }

    func add(_ session: ConsoleSession) {
        state.withLock { $0.sessionsByHash[session.secretHash] = session }
    }

    func remove(_ session: ConsoleSession) {
        state.withLock { _ = $0.sessionsByHash.removeValue(forKey: session.secretHash) }
    }

    func add(_ user: ConsoleUser) {
        state.withLock { $0.usersByEmail[user.email.lowercased()] = user }
    }
}

// MARK: random values

/// `count` random bytes as lowercase hex.
func randomHex(bytes count: Int) -> String {
    var rng = SystemRandomNumberGenerator()
    var out = ""
    out.reserveCapacity(count * 2)
    let digits = Array("0123456789abcdef".utf8)
    for _ in 0..<count {
        let b = UInt8.random(in: 0...255, using: &rng)
        out.unicodeScalars.append(Unicode.Scalar(digits[Int(b >> 4)]))
        out.unicodeScalars.append(Unicode.Scalar(digits[Int(b & 0xF)]))
    }
    return out
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = ""
    for b in bytes {
        out.unicodeScalars.append(Unicode.Scalar(digits[Int(b >> 4)]))
        out.unicodeScalars.append(Unicode.Scalar(digits[Int(b & 0xF)]))
    }
    return out
}

/// A standard key secret: `standard_` + hex of 128 random bytes (265 characters, docs/appwrite-api.md §6.1).
func newStandardSecret() -> String { "standard_" + randomHex(bytes: 128) }

/// An organization key secret: `organization_` + hex of 128 random bytes (269 characters, §6.1).
func newOrganizationSecret() -> String { "organization_" + randomHex(bytes: 128) }

/// An id like the server's `ID::unique()`: 8 hex seconds, 5 hex microseconds, 7 random hex (§7).
func uniqueID() -> String {
    let us = Timestamps.nowMicroseconds()
    let seconds = String(us / 1_000_000, radix: 16)
    let micros = String(us % 1_000_000, radix: 16)
    let s = String(repeating: "0", count: max(0, 8 - seconds.count)) + seconds
    let m = String(repeating: "0", count: max(0, 5 - micros.count)) + micros
    return s + m + String(randomHex(bytes: 4).prefix(7))
}
