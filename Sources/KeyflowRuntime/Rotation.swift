import Foundation
import KeyflowClient

/// `rotate` (LANGUAGE.md §5) as one step: create the successor, deliver its secret to
/// every sink, then retire the old key. The interpreter selects keys and builds the
/// request; everything the rotation does to the server happens here.
///
/// This is the straightforward sequence; the crash-recovery guarantees of §5 (successor
/// ids derived from the old id, resuming a half-done rotation) belong to issue 6.
public enum Rotation {
    public struct Request: Sendable {
        public var old: Key
        /// Seconds the old key keeps working; 0 deletes it at once.
        public var grace: Int
        /// The successor's expiry; nil keeps the old key's lifetime (expire − created) from now.
        public var expire: ExpirySpec?
        public var sinks: [SecretSink]

        public init(old: Key, grace: Int, expire: ExpirySpec?, sinks: [SecretSink]) {
            self.old = old
            self.grace = grace
            self.expire = expire
            self.sinks = sinks
        }
    }

    public struct Outcome: Sendable {
        public var successor: Key
        /// The old key after retirement; nil when `grace 0` deleted it.
        public var retired: Key?
    }

    public static let defaultGrace = 3600

    /// A retiring key: renamed by an earlier rotation.
    public static func isRetiring(_ key: Key) -> Bool {
        key.name.range(of: #" \(rotated [0-9TZ:\-]+\)$"#, options: .regularExpression) != nil
    }

    /// `key` itself when it is the successor of a rotation still in its grace window (a
    /// retiring key with its name exists and has not expired): it was rotated already.
    public static func successorWithinGrace(of key: Key, among all: [Key], now: Date = Date()) -> Key? {
        let prefix = key.name + " (rotated "
        let predecessorRetiring = all.contains { other in
            guard other.id != key.id, other.name.hasPrefix(prefix), isRetiring(other), other.createdAt <= key.createdAt else {
                return false
            }
            if case .at(let end) = other.expire { return end > now }
            return true
        }
        return predecessorRetiring ? key : nil
    }

    /// The name the old key carries while it retires, cut to the API's 128 characters.
    public static func retiredName(_ name: String, at now: Date) -> String {
        let suffix = " (rotated \(Format.time(now)))"
        return String(name.prefix(max(0, 128 - suffix.count))) + suffix
    }

    public static func successorExpiry(_ request: Request, now: Date) -> Expiry {
        if let spec = request.expire { return spec.resolved(now: now) }
        if case .at(let end) = request.old.expire {
            let lifetime = max(60, end.timeIntervalSince(request.old.createdAt))
            return .at(now.addingTimeInterval(lifetime))
        }
        return .never
    }

    /// Runs the rotation. `deliver` is nil when planning (sinks are not touched).
    static func perform(
        _ request: Request, api: any KeysAPI, now: Date, newID: String,
        deliver: (@Sendable (Secret, SecretSink, Key) async throws(SinkError) -> Void)?
    ) async throws(StepError) -> Outcome {
        let old = request.old
        let fields = KeyFields(
            name: old.name, scopes: old.scopes, expire: successorExpiry(request, now: now),
            description: old.description.isEmpty ? nil : old.description)
        let successor: Key
        do {
            successor = try await api.createKey(id: newID, fields: fields)
        } catch {
            throw .api(error, during: "creating the successor of \(Format.quoted(old.name))")
        }
        if let deliver {
            for sink in request.sinks {
                do {
                    try await deliver(successor.secret, sink, successor)
                } catch {
                    // No orphan: the successor goes, the old key stays untouched.
                    try? await api.deleteKey(id: successor.id)
                    throw .sink(error, note: "the new key was deleted; \(Format.quoted(old.name)) is unchanged")
                }
            }
        }
        if request.grace == 0 {
            do {
                try await api.deleteKey(id: old.id)
            } catch {
                throw .api(error, during: "deleting the old key \(old.id)")
            }
            return Outcome(successor: successor, retired: nil)
        }
        let graceEnd = now.addingTimeInterval(TimeInterval(request.grace))
        var expire = Expiry.at(graceEnd)
        if case .at(let current) = old.expire, current < graceEnd { expire = .at(current) }
        do {
            let retired = try await api.replaceKey(
                id: old.id,
                fields: KeyFields(
                    name: retiredName(old.name, at: now), scopes: old.scopes, expire: expire,
                    description: old.description.isEmpty ? nil : old.description))
            return Outcome(successor: successor, retired: retired)
        } catch {
            throw .api(error, during: "retiring the old key \(old.id)")
        }
    }
}
