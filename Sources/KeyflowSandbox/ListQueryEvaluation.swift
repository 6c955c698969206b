import KeyflowBasics

// The evaluation of a parsed `ListQuery` over the in-memory index (docs/appwrite-api.md §4.1):
// apart from its parsing (ListQuery.swift) so that the request fuzzer compiles the parsing
// without the stored records (docs/fuzzing.md).

extension ListQuery.Attribute {
    /// The record's value; nil for a null date.
    func value(of key: KeyRecord) -> ListQuery.Scalar? {
        switch self {
        case .id: .text(key.id)
        case .name: .text(key.name)
        case .createdAt: .integer(key.createdAt)
        case .updatedAt: .integer(key.updatedAt)
        case .expire: key.expire.map(ListQuery.Scalar.integer)
        case .accessedAt: key.accessedAt.map(ListQuery.Scalar.integer)
        case .sequence: .integer(key.sequence)
        case .scopes: nil
        }
    }
}

extension ListQuery.Filter {
    func matches(_ key: KeyRecord) -> Bool {
        switch self {
        case .equal(let a, let values):
            guard let v = a.value(of: key) else { return false }
            return values.contains(v)
        case .notEqual(let a, let values):
            guard let v = a.value(of: key) else { return false }
            return !values.contains(v)
        case .lessThan(let a, let x): return a.value(of: key).map { $0 < x } ?? false
        case .lessThanEqual(let a, let x): return a.value(of: key).map { $0 <= x } ?? false
        case .greaterThan(let a, let x): return a.value(of: key).map { $0 > x } ?? false
        case .greaterThanEqual(let a, let x): return a.value(of: key).map { $0 >= x } ?? false
        case .contains(let a, let needles):
            if a == .scopes { return needles.contains(where: key.scopes.contains) }
            guard case .text(let text)? = a.value(of: key) else { return false }
            return needles.contains { $0.isEmpty || text.contains($0) }
        case .startsWith(let a, let prefix):
            guard case .text(let text)? = a.value(of: key) else { return false }
            return text.utf8.starts(with: prefix.utf8)  // byte for byte, as SQL's LIKE 'p%' would
        case .endsWith(let a, let suffix):
            guard case .text(let text)? = a.value(of: key) else { return false }
            return text.hasSuffix(suffix)
        case .isNull(let a): return a == .scopes ? false : a.value(of: key) == nil
        case .isNotNull(let a): return a == .scopes ? true : a.value(of: key) != nil
        }
    }
}

extension ListQuery {
    /// The names every match must have one of, when an `equal` on `name` says so.
    var requiredNames: [String]? {
        for filter in filters {
            if case .equal(.name, let values) = filter {
                return values.compactMap { if case .text(let name) = $0 { name } else { nil } }
            }
        }
        return nil
    }

    /// Whether `a` sorts before `b` under the query's orders, `$sequence` ascending last;
    /// nulls sort first in ascending order.
    func precedes(_ a: KeyRecord, _ b: KeyRecord) -> Bool {
        for order in orders {
            let x = order.attribute.value(of: a)
            let y = order.attribute.value(of: b)
            if x == y { continue }
            let less: Bool = switch (x, y) {
            case (nil, _): true
            case (_, nil): false
            case (let x?, let y?): x < y
            }
            return order.ascending ? less : !less
        }
        return a.sequence < b.sequence
    }

    /// Applies filters, order, cursor, offset and limit (default 5000) to a project's keys
    /// in insertion order; `cursorKey` is the cursor's key (already looked up).
    func evaluate(_ keys: [KeyRecord], cursorKey: KeyRecord?) throws(APIFailure) -> (matched: Int, page: [KeyRecord]) {
        var sorted = orders.isEmpty ? keys : keys.sorted(by: precedes)
        let matched = sorted.count
        if let cursor, let cursorKey {
            for order in orders where order.attribute.value(of: cursorKey) == nil {
                throw .orderNull(order.attribute.rawValue)
            }
            if cursor.after {
                sorted = sorted.filter { precedes(cursorKey, $0) && $0.id != cursorKey.id }
            } else {
                sorted = sorted.filter { precedes($0, cursorKey) && $0.id != cursorKey.id }
            }
        }
        let limit = self.limit ?? 5000
        if cursor?.after == false {
            // The page just before the cursor: walk backwards, then restore the order.
            let end = max(0, sorted.count - offset)
            let start = max(0, end - limit)
            return (matched, Array(sorted[start..<end]))
        }
        let start = min(offset, sorted.count)
        let end = min(sorted.count, start + min(limit, sorted.count))
        return (matched, Array(sorted[start..<end]))
    }
}
