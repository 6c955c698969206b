import Foundation
import KeyflowClient

/// The project's keys as this run knows them: listed once, then kept current with every
/// write the run makes, so selectors and `keys where` need no further round trips.
public final class KeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [String: Key] = [:]
    private var order: [String] = []
    private var byName: [String: [String]] = [:]
    private var loaded = false

    public init() {}

    /// A cache that starts from an already listed set of keys.
    public init(seed: [Key]) {
        keys.reserveCapacity(seed.count)
        order.reserveCapacity(seed.count)
        byName.reserveCapacity(seed.count)
        for k in seed { put(k) }
        loaded = true
    }

    /// Every key of the project, following cursors page by page.
    public static func fetchAll(from api: any KeysAPI, pageSize: Int = 5000) async throws(APIError) -> [Key] {
        var all: [Key] = []
        var cursor: String?
        while true {
            var queries: [KeyQuery] = [.limit(pageSize)]
            if let cursor { queries.append(.cursorAfter(cursor)) }
            let page = try await api.listKeys(queries: queries, total: false)
            if all.isEmpty { all = page.keys } else { all += page.keys }
            guard page.keys.count == pageSize, let last = page.keys.last else { return all }
            cursor = last.id
        }
    }

    /// Lists the keys on first use.
    public func load(from api: any KeysAPI) async throws(APIError) {
        if lock.withLock({ loaded }) { return }
        let fetched = try await Self.fetchAll(from: api)
        lock.withLock {
            guard !loaded else { return }
            for k in fetched { put(k) }
            loaded = true
        }
    }

    /// Forgets everything (the next use lists again).
    public func invalidate() {
        lock.withLock {
            keys = [:]
            order = []
            byName = [:]
            loaded = false
        }
    }

    public var all: [Key] { lock.withLock { order.compactMap { keys[$0] } } }
    public func key(id: String) -> Key? { lock.withLock { keys[id] } }
    public func keys(named name: String) -> [Key] { lock.withLock { (byName[name] ?? []).compactMap { keys[$0] } } }

    public func store(_ key: Key) { lock.withLock { put(key) } }

    public func remove(id: String) {
        lock.withLock {
            guard let old = keys.removeValue(forKey: id) else { return }
            order.removeAll { $0 == id }
            byName[old.name]?.removeAll { $0 == id }
        }
    }

    private func put(_ key: Key) {
        if let old = keys.updateValue(key, forKey: key.id) {
            if old.name != key.name {
                byName[old.name]?.removeAll { $0 == key.id }
                byName[key.name, default: []].append(key.id)
            }
        } else {
            order.append(key.id)
            byName[key.name, default: []].append(key.id)
        }
    }
}
