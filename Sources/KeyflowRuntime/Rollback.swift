import Foundation
import KeyflowClient
import KeyflowLanguage

/// `rollback SEL`: undo a rotation still in its grace window — the old key gets its name and
/// expiry back (its `secret to` sinks, if any, get its secret), then the successor is deleted.
/// SEL may name either key of the pair. The order (restore, deliver, delete) keeps a working
/// key at every moment, and a crash at any point leaves a state a re-run finishes: after the
/// restore the pair looks like a half-done rotation, and rollback of that deletes the successor.
extension Interpreter {
    func rollback(_ target: KeyflowLanguage.Selector, _ clauses: [Clause], _ scope: Scope, _ s: Statement, _ emit: @escaping EventHandler)
        async throws(RuntimeError) -> Key?
    {
        let selected = try await rotationSelection(target, scope, s)
        let links = RotationLinks(cache.all)
        let now = Date()
        var pairs: [(old: Key, successor: Key)] = []
        var seen: Set<String> = []
        for key in selected {
            guard let pair = links.pair(of: key, now: now) else {
                if target.isBulk { continue }
                throw Rollback.nothingToUndo(key, links: links, now: now, range: target.range)
            }
            if seen.insert(pair.old.id).inserted { pairs.append(pair) }
        }
        let work = pairs.sorted { (Rollback.originalName($0), $0.old.id) < (Rollback.originalName($1), $1.old.id) }

        let bound = BoundKey()
        let limit = work.count > 1 ? parallel : 1
        try await runOrdered(count: work.count, limit: limit, emit: emit) { i, emit throws(RuntimeError) in
            let (old, successor) = work[i]
            let fields = Rollback.restoredFields(old: old, successor: successor)
            var restored = old
            if !FieldChange.between(old, fields).isEmpty {
                restored = try await self.perform(Step(.update(before: old, fields: fields), range: s.range, statement: "rollback"), emit).key!
            }
            try await self.deliver(restored, clauses: clauses, scope: scope.with(key: restored), fresh: false, s, emit, always: true)
            _ = try await self.perform(Step(.delete(successor), range: s.range, statement: "rollback"), emit)
            bound.set(restored)
        }
        return bound.key
    }
}

public enum Rollback {
    /// What the old key gets back. Name: the successor's (the original, never cut). Expiry: the
    /// one recorded in the retirement note; without a note (a server that drops `description`)
    /// the old key's lifetime is derived from the successor's (exact when the rotation gave the
    /// successor the old key's lifetime, the default); a key never retired keeps its own.
    /// Description: the successor's (the original), which also clears the note.
    public static func restoredFields(old: Key, successor: Key) -> KeyFields {
        guard RetiredName.original(of: old.name) != nil else {
            // Not renamed: the rotation never got as far as retiring it.
            return Interpreter.fields(of: old)
        }
        let expire: Expiry
        if let noted = RetirementNote.originalExpiry(in: old.description) {
            expire = noted
        } else if case .at(let end) = successor.expire {
            expire = .at(old.createdAt.addingTimeInterval(end.timeIntervalSince(successor.createdAt)))
        } else {
            expire = .never
        }
        let description = RetirementNote.originalDescription(in: old.description) != nil ? successor.description : old.description
        return KeyFields(
            name: successor.name, scopes: old.scopes, expire: expire, description: description.isEmpty ? nil : description)
    }

    static func originalName(_ pair: (old: Key, successor: Key)) -> String { pair.successor.name }

    static func nothingToUndo(_ key: Key, links: RotationLinks, now: Date, range: SourceRange) -> RuntimeError {
        if let p = links.predecessor(of: key) {
            return .graceWindowOver(key, predecessor: p, range)
        }
        return .nothingToRollBack(key, range)
    }
}
