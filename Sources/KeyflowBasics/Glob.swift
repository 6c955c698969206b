/// Glob match with `*` (any run of characters, dots included) and `?` (exactly one
/// character). The one rule for the `~` operator, for scope patterns the checker
/// validates and for the scope patterns the runtime expands, so the two cannot disagree.
public func globMatch(_ pattern: String, _ text: String) -> Bool {
    // Over the UTF-8 bytes in place, when that means the same: a literal matches the same
    // bytes as the same characters, so only `?` against non-ASCII text needs scalars.
    let inPlace = pattern.utf8.withContiguousStorageIfAvailable { p in
        text.utf8.withContiguousStorageIfAvailable { t -> Bool? in
            guard !p.contains(UInt8(ascii: "?")) || !t.contains(where: { $0 >= 0x80 }) else { return nil }
            return globMatch(p, t, one: UInt8(ascii: "?"), any: UInt8(ascii: "*"))
        } ?? nil
    } ?? nil
    if let inPlace { return inPlace }
    return globMatch(Array(pattern.unicodeScalars), Array(text.unicodeScalars), one: "?", any: "*")
}

private func globMatch<C: RandomAccessCollection>(_ p: C, _ t: C, one: C.Element, any: C.Element) -> Bool
where C.Element: Equatable, C.Index == Int {
    var pi = p.startIndex, ti = t.startIndex, star = -1, mark = 0
    while ti < t.endIndex {
        if pi < p.endIndex, p[pi] != any, p[pi] == one || p[pi] == t[ti] {
            pi += 1; ti += 1
        } else if pi < p.endIndex, p[pi] == any {
            star = pi; mark = ti; pi += 1
        } else if star >= 0 {
            pi = star + 1; mark += 1; ti = mark
        } else {
            return false
        }
    }
    while pi < p.endIndex, p[pi] == any { pi += 1 }
    return pi == p.endIndex
}
