import Foundation
import KeyflowClient

/// The project's keys as this plan or run knows them: listed once, then kept current with
/// every step, so selectors and `keys where` need no further round trips. For a plan it is
/// also the in-memory copy the steps are simulated on (`Simulator`): there is no second copy.
///
/// The keys stay in the array they were listed in (shared, not copied: a 2,000-key list is
/// neither copied key by key nor hashed as keys); two indexes point into it, by id and by
/// name. A deleted key leaves a hole until the next compaction.
public final class KeyCache: @unchecked Sendable {
    private let lock = NSLock()
    /// In list order, then in the order this run made them.
    private var slots: [Key] = []
    /// Slots of deleted keys (holes in `slots`).
    private var holes = Set<Int>()
    private var byID: [String: Int] = [:]
    /// The first slot of each name, and the further ones of names that several keys share.
    private var byName: [String: Int] = [:]
    private var sameName: [String: [Int]] = [:]
    private var loaded = false
    /// Lists the keys on first use: nil when the cache was seeded.
    private let loader: (@Sendable () async throws(APIError) -> [Key])?
    /// When the cache holds only the keys a script can reach (`KeyReach`): how to list the
    /// names of all keys, for the suggestions of a selector that finds none.
    private let everyNameSource: (@Sendable () async -> [String])?

    /// A cache that lists `source`'s keys on first use (with `namePrefix`, only those whose
    /// names start with it: `KeyReach`).
    public convenience init(source: any KeysAPI, namePrefix: String? = nil, everyName: (@Sendable () async -> [String])? = nil) {
        self.init(loader: { () async throws(APIError) in try await Self.fetchAll(from: source, namePrefix: namePrefix) }, everyName: everyName)
    }

    /// A cache that asks `loader` for its keys on first use.
    public init(loader: @escaping @Sendable () async throws(APIError) -> [Key], everyName: (@Sendable () async -> [String])? = nil) {
        self.loader = loader
        everyNameSource = everyName
    }

    /// A cache that starts from an already listed set of keys.
    public init(seed: [Key], everyName: (@Sendable () async -> [String])? = nil) {
        loader = nil
        everyNameSource = everyName
        index(seed)
        loaded = true
    }

    /// The name of every key of the project (for suggestions, not selection).
    public func everyName() async -> [String] {
        if let everyNameSource { return await everyNameSource() }
        return all.map(\.name)
    }

    /// Every key of the project (with `namePrefix`, every key whose name starts with it:
    /// see `KeyReach`), following cursors page by page.
    public static func fetchAll(from api: any KeysAPI, namePrefix: String?, pageSize: Int = 5000) async throws(APIError) -> [Key] {
        try await fetchAll(from: api, narrowedTo: namePrefix.map(KeyNarrowing.prefix), pageSize: pageSize)
    }

    /// Every key of the project (with `narrowing`, only the keys it names: see `KeyReach`),
    /// following cursors page by page.
    public static func fetchAll(from api: any KeysAPI, narrowedTo narrowing: KeyNarrowing? = nil, pageSize: Int = 5000)
        async throws(APIError) -> [Key]
    {
        var all: [Key] = []
        var cursor: String?
        while true {
            var queries: [KeyQuery] = [.limit(pageSize)]
            if let narrowing { queries.append(narrowing.query) }
            if let cursor { queries.append(.cursorAfter(cursor)) }
            let page = try await api.listKeys(queries: queries, total: false)
            if all.isEmpty { all = page.keys } else { all += page.keys }
            guard page.keys.count == pageSize, let last = page.keys.last else { return all }
            cursor = last.id
        }
    }

    /// Lists the keys on first use (a seeded cache has them).
    public func load() async throws(APIError) {
        if lock.withLock({ loaded }) { return }
        var fetched: [Key] = []
        if let loader { fetched = try await loader() }
        lock.withLock {
            guard !loaded else { return }
            index(fetched)
            loaded = true
        }
    }

    public var all: [Key] {
        lock.withLock {
            if holes.isEmpty { return slots }
            return slots.indices.compactMap { holes.contains($0) ? nil : slots[$0] }
        }
    }

    public func key(id: String) -> Key? { lock.withLock { byID[id].map { slots[$0] } } }

    public func keys(named name: String) -> [Key] {
        lock.withLock {
            guard let first = byName[name] else { return [] }
            guard let more = sameName[name] else { return [slots[first]] }
            return ([first] + more).sorted().map { slots[$0] }
        }
    }

    public func store(_ key: Key) {
        lock.withLock {
            if let slot = byID[key.id] {
                let old = slots[slot]
                slots[slot] = key
                if old.name != key.name {
                    unindex(name: old.name, slot: slot)
                    indexName(key.name, slot: slot)
                }
            } else {
                append(key)
            }
        }
    }

    public func remove(id: String) {
        lock.withLock {
            guard let slot = byID.removeValue(forKey: id) else { return }
            unindex(name: slots[slot].name, slot: slot)
            holes.insert(slot)
            if holes.count > 64 && holes.count > slots.count / 2 { compact() }
        }
    }

    // MARK: - Indexes (under the lock)

    private func index(_ keys: [Key]) {
        slots = keys
        holes = []
        byID = Dictionary(minimumCapacity: keys.count)
        byName = Dictionary(minimumCapacity: keys.count)
        sameName = [:]
        for (slot, key) in keys.enumerated() {
            if let earlier = byID.updateValue(slot, forKey: key.id) {
                // The same id twice in one listing (a page boundary moved): the later wins.
                unindex(name: keys[earlier].name, slot: earlier)
                holes.insert(earlier)
            }
            indexName(key.name, slot: slot)
        }
    }

    private func append(_ key: Key) {
        let slot = slots.count
        slots.append(key)
        byID[key.id] = slot
        indexName(key.name, slot: slot)
    }

    private func indexName(_ name: String, slot: Int) {
        if byName[name] == nil { byName[name] = slot } else { sameName[name, default: []].append(slot) }
    }

    private func unindex(name: String, slot: Int) {
        if byName[name] == slot {
            if var more = sameName[name], !more.isEmpty {
                more.sort()
                byName[name] = more.removeFirst()
                sameName[name] = more.isEmpty ? nil : more
            } else {
                byName[name] = nil
            }
        } else {
            sameName[name]?.removeAll { $0 == slot }
            if sameName[name]?.isEmpty == true { sameName[name] = nil }
        }
    }

    /// Drops the holes left by deletions.
    private func compact() {
        let kept = slots.indices.compactMap { holes.contains($0) ? nil : slots[$0] }
        index(kept)
    }
}
