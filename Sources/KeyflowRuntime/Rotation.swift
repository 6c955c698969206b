import Foundation
import KeyflowClient

#if canImport(Glibc)
    import Glibc
#endif

/// `rotate` (LANGUAGE.md §5) as one step: create the successor, deliver its secret to
/// every sink, then retire the old key. The interpreter selects keys (RotationLinks decides
/// what each selected key needs); everything a rotation does to the server happens here.
///
/// Crash safety rests on the server alone. The successor's id is derived from the old key's
/// id (`RotationLinks.successorID`), so the pair is linked on the server and a second create
/// of the same successor answers 409 — the lock. The sequence is ordered so that every state
/// a crash can leave is one a re-run recognises and finishes:
///
/// | server state                                   | a re-run                                      |
/// |------------------------------------------------|-----------------------------------------------|
/// | no successor, old key as it was                | rotates from the start                        |
/// | successor exists, old key not yet retired      | create answers 409: reads the successor (and  |
/// |                                                | its secret) back, delivers it again, retires  |
/// | old key retired (renamed) and successor exists | "rotated already": nothing to do              |
/// | old key retired, successor missing (deleted by | creates the successor (its id is free again)  |
/// | hand, or expired)                              | under the original name, delivers, keeps the  |
/// |                                                | old key's shortened expiry                    |
public enum Rotation {
    public struct Request: Sendable {
        public var old: Key
        /// Seconds the old key keeps working; 0 deletes it at once.
        public var grace: Int
        /// The successor's expiry; nil keeps the old key's lifetime (expire − created) from now.
        public var expire: ExpirySpec?
        public var sinks: [SecretSink]
        /// The successor as the key list showed it when the statement ran: non-nil means a
        /// half-done rotation that this step finishes (shown as such by `plan`).
        public var existingSuccessor: Key?

        public init(old: Key, grace: Int, expire: ExpirySpec?, sinks: [SecretSink], existingSuccessor: Key? = nil) {
            self.old = old
            self.grace = grace
            self.expire = expire
            self.sinks = sinks
            self.existingSuccessor = existingSuccessor
        }

        /// The successor's id: derived from the old key's, never random.
        public var successorID: String { RotationLinks.successorID(of: old.id) }

        /// The name the successor carries: the old key's, or its original name when the old
        /// key was already renamed by an earlier, interrupted rotation.
        public var successorName: String {
            if let s = existingSuccessor { return s.name }
            return RetiredName.original(of: old.name) ?? old.name
        }
    }

    public struct Outcome: Sendable {
        public var successor: Key
        /// The old key after retirement; nil when `grace 0` deleted it.
        public var retired: Key?
        /// The successor existed before this step (a half-done rotation was finished).
        public var resumed: Bool
    }

    public static let defaultGrace = 3600

    /// The successor's expiry: the `expire` clause, else the old key's lifetime from now, else never.
    public static func successorExpiry(_ request: Request, now: Date) -> Expiry {
        if let spec = request.expire { return spec.resolved(now: now) }
        let original = RetirementNote.originalExpiry(in: request.old.description) ?? request.old.expire
        if case .at(let end) = original {
            let lifetime = max(60, end.timeIntervalSince(request.old.createdAt))
            return .at(now.addingTimeInterval(lifetime))
        }
        return .never
    }

    /// The old key's expiry once retired: now + grace, unless it already expires sooner.
    public static func retiredExpiry(of old: Key, grace: Int, now: Date) -> Expiry {
        let graceEnd = now.addingTimeInterval(TimeInterval(grace))
        if case .at(let current) = old.expire, current < graceEnd { return .at(current) }
        return .at(graceEnd)
    }

    // MARK: - Execution

    /// Runs a rotation step. `deliver` is nil when planning (sinks are not touched, no crash hooks).
    static func perform(
        _ request: Request, api: any KeysAPI, now: Date,
        deliver: (@Sendable (Secret, SecretSink, Key) async throws(SinkError) -> Void)?
    ) async throws(StepError) -> Outcome {
        let old = request.old
        let running = deliver != nil
        let originalDescription = RetirementNote.originalDescription(in: old.description) ?? old.description
        let fields = KeyFields(
            name: request.successorName, scopes: old.scopes, expire: successorExpiry(request, now: now),
            description: originalDescription.isEmpty ? nil : originalDescription)

        // 1. The successor: created, or — the id being taken — the one a crashed or concurrent
        //    run created (the 409 is the lock: there is never a second successor).
        if running { CrashHook.reach("create-start") }
        var successor: Key
        var resumed = false
        do {
            successor = try await api.createKey(id: request.successorID, fields: fields)
        } catch {
            guard error.status == 409 else {
                throw .api(error, during: "creating the successor \(request.successorID) of \(Format.quoted(old.name))")
            }
            do {
                successor = try await api.getKey(id: request.successorID)
                resumed = true
            } catch {
                throw .api(error, during: "reading back the existing successor \(request.successorID) of \(Format.quoted(old.name))")
            }
        }
        if running { CrashHook.reach("create") }

        // 2. Delivery. The secret is read from the server, so a re-run delivers exactly what a
        //    crashed run may or may not have delivered.
        if let deliver {
            var done: [SecretSink] = []
            for sink in request.sinks {
                do {
                    try await deliver(successor.secret, sink, successor)
                } catch {
                    // No orphan: sinks already written get the old (still working) secret back,
                    // the successor goes, the old key stays untouched.
                    var notes: [String] = []
                    for written in done where written != .stdout {
                        do {
                            try await deliver(old.secret, written, old)
                        } catch {
                            notes.append("could not put the old secret back into \(written): \(error.reason)")
                        }
                    }
                    var note = "the new key \(successor.id) was deleted; \(Format.quoted(old.name)) (\(old.id)) is unchanged"
                    do {
                        try await api.deleteKey(id: successor.id)
                    } catch {
                        note = "deleting the new key \(successor.id) failed (\(error)); a re-run retries the rotation; "
                            + "\(Format.quoted(old.name)) (\(old.id)) is unchanged"
                    }
                    if !done.isEmpty && notes.isEmpty { note += "; \(done.count) sink\(done.count == 1 ? "" : "s") got the old secret back" }
                    throw .sink(error, note: ([note] + notes).joined(separator: "; "))
                }
                done.append(sink)
                CrashHook.reach("deliver")
            }
            // A concurrent run whose sink failed may have deleted the successor meanwhile:
            // never retire the old key in favour of a key that is gone.
            do {
                successor = try await api.getKey(id: successor.id)
            } catch {
                throw .api(error, during: "checking the successor \(successor.id) before retiring \(Format.quoted(old.name)); the old key is unchanged")
            }
        }

        // 3. Retirement.
        if request.grace == 0 {
            do {
                try await api.deleteKey(id: old.id)
            } catch where error.status == 404 {
                // Deleted already (by a crashed or concurrent run).
            } catch {
                throw .api(error, during: "deleting the old key \(old.id)")
            }
            if running { CrashHook.reach("retire") }
            return Outcome(successor: successor, retired: nil, resumed: resumed)
        }
        if RetiredName.original(of: old.name) != nil {
            // Retired by an earlier run already (its successor had gone): keep it as it is.
            if running { CrashHook.reach("retire") }
            return Outcome(successor: successor, retired: old, resumed: resumed)
        }
        let retiredFields = KeyFields(
            name: RetiredName.make(old.name, at: now), scopes: old.scopes,
            expire: retiredExpiry(of: old, grace: request.grace, now: now),
            description: RetirementNote.make(successor: successor.id, originalExpiry: old.expire, originalDescription: old.description))
        do {
            let retired = try await api.replaceKey(id: old.id, fields: retiredFields)
            if running { CrashHook.reach("retire") }
            return Outcome(successor: successor, retired: retired, resumed: resumed)
        } catch {
            throw .api(error, during: "retiring the old key \(old.id)")
        }
    }

    /// The executor's side of a rotation step: perform, then keep the run's key cache current.
    static func execute(_ request: Request, mode: Mode, api: any KeysAPI, sinks: SinkWriter, cache: KeyCache)
        async throws(StepError) -> StepResult
    {
        let deliver: (@Sendable (Secret, SecretSink, Key) async throws(SinkError) -> Void)? =
            mode == .plan
            ? nil
            : { @Sendable (secret: Secret, sink: SecretSink, key: Key) async throws(SinkError) in
                try await sinks.deliver(secret, to: sink, keyID: key.id, keyName: key.name)
            }
        let outcome = try await perform(request, api: api, now: Date(), deliver: deliver)
        cache.store(outcome.successor)
        if let retired = outcome.retired { cache.store(retired) } else { cache.remove(id: request.old.id) }
        return .rotated(outcome)
    }

    // MARK: - Text

    /// A rotation as `plan` shows it: one line, then its sub-steps.
    static func planLines(_ r: Request, style: PlanText.Style) -> [String] {
        let now = Date()
        var out = [style.rotate("↻ rotate") + " \(Format.quoted(r.successorName)) (\(r.old.id)) grace \(Format.duration(r.grace))"]
        if let s = r.existingSuccessor {
            out.append("    = successor \(s.id) exists (an interrupted rotation): finish it")
        } else {
            out.append(
                "    + create successor \(r.successorID) \(Format.quoted(r.successorName)) scopes \(Format.scopes(r.old.scopes)) "
                    + "expire \(Format.expiry(successorExpiry(r, now: now)))")
        }
        for sink in r.sinks { out.append("    → secret to \(sink)") }
        if r.grace == 0 {
            out.append("    - delete the old key \(r.old.id)")
        } else if RetiredName.original(of: r.old.name) != nil {
            out.append("    = the old key is retired already, until \(Format.expiry(r.old.expire))")
        } else {
            out.append(
                "    ~ retire the old key: name \(Format.quoted(RetiredName.make(r.old.name, at: now))), "
                    + "expire \(Format.expiry(retiredExpiry(of: r.old, grace: r.grace, now: now)))")
        }
        return out
    }

    /// A finished rotation as `run` reports it.
    static func doneLines(_ r: Request, _ result: StepResult, time: String, style: PlanText.Style) -> [String] {
        guard case .rotated(let o) = result else { return [style.rotate("↻ rotated") + " \(Format.quoted(r.successorName))" + time] }
        var out = [
            style.rotate("↻ rotated") + " \(Format.quoted(o.successor.name)): successor \(o.successor.id)"
                + (o.resumed ? " (finished an interrupted rotation)" : "") + time
        ]
        for sink in r.sinks { out.append("    → secret delivered to \(sink)") }
        if let retired = o.retired {
            out.append("    old key \(r.old.id) retires as \(Format.quoted(retired.name)), expires \(Format.expiry(retired.expire))")
        } else {
            out.append("    old key \(r.old.id) deleted")
        }
        return out
    }
}

/// `NAME (rotated 2026-11-27T09:40:12Z)`: the name a retiring key carries.
public enum RetiredName {
    /// The retired form of `name` at `now`, the name cut so the whole fits the API's 128 characters.
    public static func make(_ name: String, at now: Date) -> String {
        let suffix = " (rotated \(stamp(now)))"
        let room = max(0, 128 - suffix.unicodeScalars.count)
        var kept = ""
        var used = 0
        for c in name {
            let n = c.unicodeScalars.count
            if used + n > room { break }
            kept.append(c)
            used += n
        }
        return kept + suffix
    }

    /// The original name (possibly cut) when `name` is a retired name; nil otherwise.
    public static func original(of name: String) -> String? {
        guard mayBeRetired(name), let range = name.range(of: pattern, options: .regularExpression) else { return nil }
        return String(name[..<range.lowerBound])
    }

    /// When the rotation that retired a key happened, from its name.
    public static func rotatedAt(_ name: String) -> Date? {
        guard mayBeRetired(name), let range = name.range(of: pattern, options: .regularExpression) else { return nil }
        let text = name[range].dropFirst(" (rotated ".count).dropLast()
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: String(text))
    }

    /// A cheap test that rules out almost every name before the regular expression runs
    /// (it runs for every key a run lists).
    private static func mayBeRetired(_ name: String) -> Bool {
        name.utf8.last == UInt8(ascii: ")") && name.utf8.count > 20 && name.contains(" (rotated ")
    }

    static let pattern = #" \(rotated [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z\)$"#

    static func stamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }
}

/// What a retiring key's description records for `rollback`: its original expiry and
/// description. Written at retirement; on servers without the `description` field it is
/// silently dropped, and rollback falls back (see Rollback).
public enum RetirementNote {
    static let prefix = "keyflow: rotated to "

    public static func make(successor: String, originalExpiry: Expiry, originalDescription: String) -> String {
        let expire: String
        switch originalExpiry {
        case .never: expire = "never"
        case .at(let d): expire = Format.isoTime(d)
        }
        let head = "\(prefix)\(successor); expire was \(expire)"
        if originalDescription.isEmpty { return head }
        // The API keeps 256 characters; the successor keeps the full original description anyway.
        return String((head + "; description was: " + originalDescription).prefix(256))
    }

    /// The expiry recorded in a retirement note; nil when `description` holds none.
    public static func originalExpiry(in description: String) -> Expiry? {
        guard description.hasPrefix(prefix),
            let range = description.range(of: #"; expire was [^;]+"#, options: .regularExpression)
        else { return nil }
        let value = String(description[range].dropFirst("; expire was ".count))
        if value == "never" { return .never }
        return Params.parseTime(value).map(Expiry.at)
    }

    /// The original description recorded in a note; nil when `description` is not a note.
    public static func originalDescription(in description: String) -> String? {
        guard description.hasPrefix(prefix) else { return nil }
        guard let range = description.range(of: "; description was: ") else { return "" }
        return String(description[range.upperBound...])
    }
}

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

/// A test-only fault hook: `KEYFLOW_TEST_CRASH_AT=<point>:<n>` makes the process SIGKILL itself
/// the n-th time a rotation reaches `point` (`create-start`, `create`, `deliver`, `retire`).
/// Lets the kill tests stop keyflow exactly at a step boundary. Unset, it does nothing.
enum CrashHook {
    private static let target: (point: String, count: Int)? = {
        guard let spec = ProcessInfo.processInfo.environment["KEYFLOW_TEST_CRASH_AT"],
            let colon = spec.lastIndex(of: ":"), let n = Int(spec[spec.index(after: colon)...]), n > 0
        else { return nil }
        return (String(spec[..<colon]), n)
    }()
    private static let counts = CrashCounter()

    static func reach(_ point: String) {
        guard let target, target.point == point else { return }
        if counts.increment(point) == target.count { kill(getpid(), SIGKILL) }
    }
}

private final class CrashCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func increment(_ point: String) -> Int {
        lock.withLock {
            counts[point, default: 0] += 1
            return counts[point]!
        }
    }
}
