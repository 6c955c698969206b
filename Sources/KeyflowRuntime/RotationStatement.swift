import Foundation
import KeyflowClient
import KeyflowLanguage

/// The `rotate` statement: which keys it acts on and what each one needs (docs/language.md §10).
/// The rotation step itself is in Rotation.swift.
extension Interpreter {
    /// Rotates the selected keys (concurrently for a bulk selector, reported by name then id)
    /// and returns the last successor, for `as`.
    func rotate(_ target: KeyflowLanguage.Selector, _ clauses: [Clause], _ scope: Scope, _ s: Statement, _ emit: @escaping EventHandler)
        async throws(RuntimeError) -> Key?
    {
        let selected = try await rotationSelection(target, scope, s)
        let links = RotationLinks(cache.all)
        var units: [RotationLinks.Status] = []
        var seen: Set<String> = []
        for key in selected {
            var status = links.status(of: key)
            if case .retiring(let k) = status {
                // Never selected for rotation; named on its own, it reports its successor.
                guard !target.isBulk, let successor = links.successor(of: k) else { continue }
                status = .rotatedAlready(successor, predecessor: k)
            }
            if seen.insert(Self.unitID(status)).inserted { units.append(status) }
        }
        let work = units.sorted { Self.unitOrder($0) < Self.unitOrder($1) }

        let bound = BoundKey()
        let limit = work.count > 1 ? parallel : 1
        try await runOrdered(count: work.count, limit: limit, emit: emit) { i, emit throws(RuntimeError) in
            let old: Key
            let existing: Key?
            switch work[i] {
            case .rotatedAlready(let key, _):
                emit(.upToDate(statement: "rotate", name: key.name, range: s.range))
                // A file or dotenv sink that a crashed or concurrent run did not write gets the
                // successor's secret (read from the server); `run` sinks are not repeated.
                try await self.deliver(key, clauses: clauses, scope: scope.with(key: key), fresh: false, s, emit)
                bound.set(key)
                return
            case .retiring:
                return
            case .fresh(let k):
                old = k
                existing = nil
            case .unfinished(let k, let successor):
                old = k
                existing = successor
            }
            var request = Rotation.Request(old: old, grace: Rotation.defaultGrace, expire: nil, sinks: [], existingSuccessor: existing)
            // Inside the clauses `key` is the successor (its id is known before it exists).
            let now = Date()
            let expected = existing ?? Key(
                id: request.successorID, createdAt: now, updatedAt: now, name: request.successorName,
                description: RetirementNote.originalDescription(in: old.description) ?? old.description,
                expire: Rotation.successorExpiry(request, now: now), scopes: old.scopes, secret: Secret(""))
            let inner = scope.with(key: expected)
            if let g = clauses.grace {
                let seconds = try await self.seconds(g, inner)
                guard seconds >= 0 else { throw .negativeGrace(g.range) }
                request.grace = seconds
            }
            request.expire = try await self.expiryClause(clauses, inner)
            request.sinks = try await self.sinks(clauses, inner)
            let result = try await self.perform(Step(.rotate(request), range: s.range, statement: "rotate"), emit)
            if let k = result.key { bound.set(k) }
        }
        return bound.key
    }

    /// The keys a `rotate` or `rollback` names. A name that two keys share because a rotation
    /// of one into the other is half done means that rotation, not an ambiguity.
    func rotationSelection(_ target: KeyflowLanguage.Selector, _ scope: Scope, _ s: Statement) async throws(RuntimeError) -> [Key] {
        if case .name(let e) = target.kind {
            let name = try await string(e, scope)
            try await load(target.range)
            let now = Date()
            let active = cache.keys(named: name).filter { !Self.isExpired($0, now: now) }
            if let pair = RotationLinks(cache.all).singlePair(active) { return [pair.old] }
        }
        return try await select(target, scope)
    }

    static func unitID(_ status: RotationLinks.Status) -> String {
        switch status {
        case .fresh(let k), .retiring(let k), .unfinished(let k, _): k.id
        case .rotatedAlready(_, let p): p.id
        }
    }

    /// Stable report order: by name, then id.
    static func unitOrder(_ status: RotationLinks.Status) -> (String, String) {
        switch status {
        case .fresh(let k), .retiring(let k): (k.name, k.id)
        case .unfinished(let k, let s): (s?.name ?? RetiredName.original(of: k.name) ?? k.name, k.id)
        case .rotatedAlready(let k, _): (k.name, k.id)
        }
    }
}
