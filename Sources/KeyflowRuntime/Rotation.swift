import Foundation
import KeyflowClient

/// `rotate` (docs/language.md §10) as one step: create the successor, deliver its secret to
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

    // MARK: - A run (APIExecutor)

    /// Rotates against the server: create or resume the successor, deliver its secret to
    /// every sink, retire the old key. Each phase leaves a state a re-run finishes (above).
    static func execute(_ request: Request, api: any KeysAPI, sinks: SinkWriter, now: Date = Date())
        async throws(StepError) -> Outcome
    {
        CrashHook.reach("create-start")
        let (created, resumed) = try await createOrResume(request, api: api, now: now)
        CrashHook.reach("create")
        let successor = try await deliver(created, resumed: resumed, replacing: request.old, to: request.sinks, api: api, sinks: sinks)
        // Rotating the credential itself: from here on the run authenticates with the
        // successor (the client switches only when `old` is the key in use), so retiring
        // the old key, and every later step, do not depend on it.
        api.adopt(successor: successor.secret, replacing: request.old.secret)
        let retired = try await retire(request.old, successor: successor, grace: request.grace, api: api, now: now)
        CrashHook.reach("retire")
        return Outcome(successor: successor, retired: retired, resumed: resumed)
    }

    /// 1. The successor: created, or — the id being taken — the one a crashed or concurrent
    ///    run created (the 409 is the lock: there is never a second successor).
    static func createOrResume(_ request: Request, api: any KeysAPI, now: Date) async throws(StepError) -> (Key, resumed: Bool) {
        do {
            return (try await api.createKey(id: request.successorID, fields: successorFields(request, now: now)), false)
        } catch {
            guard error.status == 409 else {
                throw .api(error, during: "creating the successor \(request.successorID) of \(Format.quoted(request.old.name))")
            }
        }
        do {
            return (try await api.getKey(id: request.successorID), true)
        } catch {
            throw .api(error, during: "reading back the existing successor \(request.successorID) of \(Format.quoted(request.old.name))")
        }
    }

    /// 2. Delivery of the successor's secret, read from the server, so a re-run delivers
    ///    exactly what a crashed run may or may not have delivered. Returns the successor as
    ///    the server has it after the last sink.
    ///
    ///    Only the run that created the successor deletes it when a sink fails; a run that
    ///    found it (`resumed`) leaves it for its creator or a re-run. So a successor this run
    ///    created cannot vanish under it, and its create answer stands for it — no read-back
    ///    (one round trip per key fewer). A resumed successor is read back before the old key
    ///    is retired: its creator's sink may have failed meanwhile and deleted it.
    static func deliver(
        _ successor: Key, resumed: Bool, replacing old: Key, to targets: [SecretSink], api: any KeysAPI, sinks: SinkWriter
    ) async throws(StepError) -> Key {
        var done: [SecretSink] = []
        for sink in targets {
            do {
                try await sinks.deliver(successor.secret, to: sink, keyID: successor.id, keyName: successor.name)
            } catch {
                // No orphan: sinks already written get the old (still working) secret back,
                // the successor this run created goes, the old key stays untouched.
                var notes: [String] = []
                for written in done where written != .stdout {
                    do {
                        try await sinks.deliver(old.secret, to: written, keyID: old.id, keyName: old.name)
                    } catch {
                        notes.append("could not put the old secret back into \(written): \(error.reason)")
                    }
                }
                var note = "the new key \(successor.id) was deleted; \(Format.quoted(old.name)) (\(old.id)) is unchanged"
                if resumed {
                    // Another run's (or a crashed run's) successor: theirs to delete; a re-run resumes it.
                    note = "the new key \(successor.id), made by an earlier or concurrent run, was left for a re-run; "
                        + "\(Format.quoted(old.name)) (\(old.id)) is unchanged"
                } else {
                    do {
                        try await api.deleteKey(id: successor.id)
                    } catch {
                        note = "deleting the new key \(successor.id) failed (\(error)); a re-run retries the rotation; "
                            + "\(Format.quoted(old.name)) (\(old.id)) is unchanged"
                    }
                }
                if !done.isEmpty && notes.isEmpty { note += "; \(done.count) sink\(done.count == 1 ? "" : "s") got the old secret back" }
                throw .sink(error, note: ([note] + notes).joined(separator: "; "))
            }
            done.append(sink)
            CrashHook.reach("deliver")
        }
        if !resumed { return successor }
        // A concurrent run whose sink failed may have deleted the successor meanwhile:
        // never retire the old key in favour of a key that is gone.
        do {
            return try await api.getKey(id: successor.id)
        } catch {
            throw .api(error, during: "checking the successor \(successor.id) before retiring \(Format.quoted(old.name)); the old key is unchanged")
        }
    }

    /// 3. Retirement: `grace 0` deletes the old key (nil); otherwise it is renamed and its
    ///    expiry shortened to the grace window, unless an earlier run retired it already.
    static func retire(_ old: Key, successor: Key, grace: Int, api: any KeysAPI, now: Date) async throws(StepError) -> Key? {
        if grace == 0 {
            do {
                try await api.deleteKey(id: old.id)
            } catch where error.status == 404 {
                // Deleted already (by a crashed or concurrent run).
            } catch {
                throw .api(error, during: "deleting the old key \(old.id)")
            }
            return nil
        }
        // Retired by an earlier run already (its successor had gone): keep it as it is.
        if RetiredName.original(of: old.name) != nil { return old }
        do {
            return try await api.replaceKey(id: old.id, fields: retiredFields(old, successor: successor.id, grace: grace, now: now))
        } catch {
            throw .api(error, during: "retiring the old key \(old.id)")
        }
    }

    // MARK: - A plan (Simulator)

    /// What `execute` would leave, worked out on the plan's copy of the keys: the successor
    /// found there (an interrupted rotation) or made from `successorFields`, and the old key
    /// retired as `retire` would.
    static func simulate(_ request: Request, existing: Key?, now: Date) -> Outcome {
        let old = request.old
        let successor = existing ?? Key(request.successorID, fields: successorFields(request, now: now), now: now)
        let retired: Key? =
            if request.grace == 0 { nil }
            else if RetiredName.original(of: old.name) != nil { old }
            else { old.replaced(by: retiredFields(old, successor: successor.id, grace: request.grace, now: now), now: now) }
        return Outcome(successor: successor, retired: retired, resumed: existing != nil)
    }

    // MARK: - Fields

    /// The successor: the old key's scopes and original description, under the successor's name.
    static func successorFields(_ request: Request, now: Date) -> KeyFields {
        let original = RetirementNote.originalDescription(in: request.old.description) ?? request.old.description
        return KeyFields(
            name: request.successorName, scopes: request.old.scopes, expire: successorExpiry(request, now: now),
            description: original.isEmpty ? nil : original)
    }

    /// The old key once retired: renamed, expiring at the end of the grace window, its
    /// description a note that `rollback` reads.
    static func retiredFields(_ old: Key, successor: String, grace: Int, now: Date) -> KeyFields {
        KeyFields(
            name: RetiredName.make(old.name, at: now), scopes: old.scopes, expire: retiredExpiry(of: old, grace: grace, now: now),
            description: RetirementNote.make(successor: successor, originalExpiry: old.expire, originalDescription: old.description))
    }
}
