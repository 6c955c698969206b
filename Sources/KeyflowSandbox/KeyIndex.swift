/// The in-memory copy of every stored key, kept in step with SQLite: the store writes
/// and commits first, then applies the same change here (keys-api.md's reads and the
/// secret → key authentication lookup are served from this index).
final class KeyIndex: Sendable {
    private struct State {
        var byID: [String: KeyRecord] = [:]
        var idBySecret: [SecretDigest: String] = [:]
        /// Ids in insertion (`$sequence`) order.
        var order: [String] = []
    }

    private let state = Locked(State())

    init(_ records: [KeyRecord]) {
        state.withLock { s in
            for record in records.sorted(by: { $0.sequence < $1.sequence }) {
                s.byID[record.id] = record
                s.idBySecret[SecretDigest(record.secret)] = record.id
                s.order.append(record.id)
            }
        }
    }

    /// The key with this id in this project.
    func key(id: String, project: String) -> KeyRecord? {
        state.withLock { s in
            guard let record = s.byID[id], record.projectID == project else { return nil }
            return record
        }
    }

    /// Whether any project holds this id (ids are instance-wide, keys-api.md §1.5).
    func contains(id: String) -> Bool {
        state.withLock { $0.byID[id] != nil }
    }

    /// The key whose secret is exactly `secret`, in any project; compared in constant time.
    func key(secret: String) -> KeyRecord? {
        let digest = SecretDigest(secret)
        let found: KeyRecord? = state.withLock { s in
            guard let id = s.idBySecret[digest] else { return nil }
            return s.byID[id]
        }
        guard let found, constantTimeEquals(found.secret.utf8, secret.utf8) else { return nil }
        return found
    }

    /// The keys of a project that pass `filter`, in insertion order.
    func keys(project: String, where filter: (KeyRecord) -> Bool) -> [KeyRecord] {
        state.withLock { s in
            var out: [KeyRecord] = []
            for id in s.order {
                if let record = s.byID[id], record.projectID == project, filter(record) { out.append(record) }
            }
            return out
        }
    }

    /// Inserts or replaces a key (after its row committed).
    func put(_ record: KeyRecord) {
        state.withLock { s in
            if let old = s.byID[record.id] {
                s.idBySecret[SecretDigest(old.secret)] = nil
            } else {
                s.order.append(record.id)
            }
            s.byID[record.id] = record
            s.idBySecret[SecretDigest(record.secret)] = record.id
        }
    }

    /// Removes a key (after its deletion committed).
    func remove(id: String) {
        state.withLock { s in
            guard let old = s.byID.removeValue(forKey: id) else { return }
            s.idBySecret[SecretDigest(old.secret)] = nil
            if let at = s.order.firstIndex(of: id) { s.order.remove(at: at) }
        }
    }
}
