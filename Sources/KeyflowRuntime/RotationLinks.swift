import Foundation
import KeyflowClient

/// How the keys of a project relate through rotations: a key's successor is the key whose id
/// is `successorID(of: key.id)`. Everything here is computed from a key list alone.
public struct RotationLinks: Sendable {
    private let byID: [String: Key]
    private let predecessorBySuccessorID: [String: Key]

    public init(_ keys: [Key]) {
        var byID: [String: Key] = [:]
        var pred: [String: Key] = [:]
        for k in keys {
            byID[k.id] = k
            pred[RotationLinks.successorID(of: k.id)] = k
        }
        self.byID = byID
        self.predecessorBySuccessorID = pred
    }

    /// The successor's id for a key: `r` and 23 hex digits of a 128-bit FNV-1a hash of the
    /// key's id (24 characters: within the API's 36, first character alphanumeric).
    /// Deterministic, so a re-run on another machine finds the same successor.
    public static func successorID(of id: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in Array("keyflow-successor:\(id)".utf8) {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 ^ (b >> 29)
        }
        func mix(_ x: UInt64) -> UInt64 {
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let hi = String(mix(a ^ 0x9E37_79B9_7F4A_7C15), radix: 16)
        let lo = String(mix(b &+ a), radix: 16)
        let hex = String(repeating: "0", count: 16 - hi.count) + hi + String(repeating: "0", count: 16 - lo.count) + lo
        return "r" + hex.prefix(23)
    }

    public func successor(of key: Key) -> Key? { byID[RotationLinks.successorID(of: key.id)] }
    public func predecessor(of key: Key) -> Key? { predecessorBySuccessorID[key.id] }

    /// What a `rotate` must do about one selected key.
    public enum Status: Sendable {
        /// Rotate it from the start.
        case fresh(Key)
        /// A half-done rotation of `old` (its successor exists, it is not retired yet, or it is
        /// retired and its successor is missing): finish it.
        case unfinished(old: Key, successor: Key?)
        /// Its predecessor is still retiring: the key is the result of a rotation.
        case rotatedAlready(Key, predecessor: Key)
        /// A retiring (or dead retired) key: never selected for rotation.
        case retiring(Key)
    }

    public func status(of key: Key, now: Date = Date()) -> Status {
        let retired = RetiredName.original(of: key.name) != nil
        if let successor = successor(of: key) {
            return retired ? .retiring(key) : .unfinished(old: key, successor: successor)
        }
        if let p = predecessor(of: key), !Self.isExpired(p, now: now) {
            return RetiredName.original(of: p.name) != nil
                ? .rotatedAlready(key, predecessor: p) : .unfinished(old: p, successor: key)
        }
        if retired {
            // Retired, but its successor is gone: still working → finish; expired → leave it.
            return Self.isExpired(key, now: now) ? .retiring(key) : .unfinished(old: key, successor: nil)
        }
        return .fresh(key)
    }

    /// The rotation pair (old, successor) a key belongs to while the old key still works.
    public func pair(of key: Key, now: Date = Date()) -> (old: Key, successor: Key)? {
        if let p = predecessor(of: key), !Self.isExpired(p, now: now) { return (p, key) }
        if let s = successor(of: key), !Self.isExpired(key, now: now) { return (key, s) }
        return nil
    }

    /// Keys that are one rotation pair (both named alike while a rotation is half done).
    public func singlePair(_ keys: [Key]) -> (old: Key, successor: Key)? {
        guard keys.count == 2, let pair = pair(of: keys[0]) else { return nil }
        let ids = Set(keys.map(\.id))
        return ids == [pair.old.id, pair.successor.id] ? pair : nil
    }

    static func isExpired(_ key: Key, now: Date) -> Bool {
        if case .at(let d) = key.expire { return d <= now }
        return false
    }
}
