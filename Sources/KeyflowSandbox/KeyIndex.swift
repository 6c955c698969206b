/// The in-memory copy of every stored key, kept in step with SQLite: the store writes
/// and commits first, then applies the same change here. Reads, lists and the
/// secret → key authentication lookup are served from this index; each key's Key JSON
/// is rendered once per change, not per read.
final class KeyIndex: Sendable {
    /// A class, so that reading an entry out of `slots` retains one object rather than
    /// every field of the record (a list reads them all). Entries are replaced, never changed.
    private final class Entry {
        let record: KeyRecord
        let json: String
        init(record: KeyRecord, json: String) {
            self.record = record
            self.json = json
        }
    }

    private struct State {
        /// Keys in insertion (`$sequence`) order; nil where a key was deleted.
        var slots: [Entry?] = []
        var slotByID: [String: Int] = [:]
        var idBySecret: [SecretDigest: String] = [:]
        /// Slots by key name, ascending: `equal` on `name` (how keys are found by name) reads only these.
        var slotsByName: [String: [Int]] = [:]
        var deleted = 0

        mutating func unlinkName(_ name: String, slot: Int) {
            slotsByName[name]?.removeAll { $0 == slot }
            if slotsByName[name]?.isEmpty == true { slotsByName[name] = nil }
        }

        mutating func linkName(_ name: String, slot: Int) {
            var slots = slotsByName[name, default: []]
            let at = slots.firstIndex { $0 > slot } ?? slots.count
            slots.insert(slot, at: at)
            slotsByName[name] = slots
        }

        mutating func compactIfSparse() {
            guard deleted > 1024, deleted * 2 > slots.count else { return }
            slots = slots.compactMap { $0 }.map { Optional($0) }
            slotByID.removeAll(keepingCapacity: true)
            slotsByName.removeAll(keepingCapacity: true)
            for (n, entry) in slots.enumerated() {
                slotByID[entry!.record.id] = n
                slotsByName[entry!.record.name, default: []].append(n)
            }
            deleted = 0
        }
    }

    private let state = Locked(State())

    init(_ records: [KeyRecord]) {
        for record in records.sorted(by: { $0.sequence < $1.sequence }) { put(record) }
    }

    /// The key with this id in this project.
    func key(id: String, project: String) -> KeyRecord? {
        state.withLock { s in
            guard let slot = s.slotByID[id], let entry = s.slots[slot], entry.record.projectID == project else { return nil }
            return entry.record
        }
    }

    /// The Key JSON of the key with this id in this project.
    func json(id: String, project: String) -> String? {
        state.withLock { s in
            guard let slot = s.slotByID[id], let entry = s.slots[slot], entry.record.projectID == project else { return nil }
            return entry.json
        }
    }

    /// The key whose secret is exactly `secret`, in any project; compared in constant time.
    func key(secret: String) -> KeyRecord? {
        let digest = SecretDigest(secret)
        let found: KeyRecord? = state.withLock { s in
            guard let id = s.idBySecret[digest], let slot = s.slotByID[id] else { return nil }
            return s.slots[slot]?.record
        }
        guard let found, constantTimeEquals(found.secret.utf8, secret.utf8) else { return nil }
        return found
    }

    /// The keys of a project that pass `filter`, in insertion order. When every match must
    /// have one of `names` (an `equal` on `name`), only keys with those names are visited.
    func keys(project: String, named names: [String]? = nil, where filter: (KeyRecord) -> Bool) -> [KeyRecord] {
        state.withLock { s in
            var out: [KeyRecord] = []
            if let names {
                var slots = Set<Int>()
                for name in names { slots.formUnion(s.slotsByName[name] ?? []) }
                for slot in slots.sorted() {
                    if let entry = s.slots[slot], entry.record.projectID == project, filter(entry.record) {
                        out.append(entry.record)
                    }
                }
                return out
            }
            for case let entry? in s.slots where entry.record.projectID == project && filter(entry.record) {
                out.append(entry.record)
            }
            return out
        }
    }

    /// The Key JSON of each of `records` (as indexed now), rendered afresh for any not indexed.
    func json(of records: [KeyRecord]) -> [String] {
        state.withLock { s in
            records.map { record in
                if let slot = s.slotByID[record.id], let entry = s.slots[slot], entry.record == record { return entry.json }
                return record.json()
            }
        }
    }

    /// Inserts or replaces a key (after its row committed).
    func put(_ record: KeyRecord) {
        let entry = Entry(record: record, json: record.json())
        state.withLock { s in
            if let slot = s.slotByID[record.id], let old = s.slots[slot] {
                s.idBySecret[SecretDigest(old.record.secret)] = nil
                s.slots[slot] = entry
                if old.record.name != record.name {
                    s.unlinkName(old.record.name, slot: slot)
                    s.linkName(record.name, slot: slot)
                }
            } else {
                s.slotByID[record.id] = s.slots.count
                s.linkName(record.name, slot: s.slots.count)
                s.slots.append(entry)
            }
            s.idBySecret[SecretDigest(record.secret)] = record.id
        }
    }

    /// Removes a key (after its deletion committed).
    func remove(id: String) {
        state.withLock { s in
            guard let slot = s.slotByID.removeValue(forKey: id), let old = s.slots[slot] else { return }
            s.idBySecret[SecretDigest(old.record.secret)] = nil
            s.unlinkName(old.record.name, slot: slot)
            s.slots[slot] = nil
            s.deleted += 1
            s.compactIfSparse()
        }
    }
}
