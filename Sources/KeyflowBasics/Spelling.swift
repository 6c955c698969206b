/// "Did you mean": the closest candidate by edit distance, when it is close enough to be
/// a likely typo (at most a third of the word's length, 1 to 3 edits). Ties go to the
/// first candidate in sorted order, so suggestions are stable.
public func nearest(_ word: String, in candidates: some Collection<String>) -> String? {
    let w = Array(word.utf8)
    guard w.count <= 64 else { return nil }
    let limit = max(1, min(3, w.count / 3))
    var best: (String, Int)? = nil
    for c in Set(candidates).sorted() {
        let cb = Array(c.utf8)
        if abs(cb.count - w.count) > limit { continue }
        let d = editDistance(w, cb)
        if d <= limit && d < (best?.1 ?? Int.max) { best = (c, d) }
    }
    return best?.0
}

/// Levenshtein distance over bytes.
public func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
