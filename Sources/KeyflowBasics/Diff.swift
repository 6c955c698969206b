/// A unified diff of two texts, line by line (`fmt --diff`), in the format `diff -u` and
/// `patch` read: `---`/`+++` headers, `@@ -l,n +l,n @@` hunks with `context` lines around each
/// change, and `\ No newline at end of file` after a last line without one. The edit script is
/// the standard library's `CollectionDifference` (Myers' algorithm).
public enum UnifiedDiff {
    struct Line: Hashable {
        var text: Substring
        var newline: Bool
    }

    enum Edit {
        case same(Line), removed(Line), inserted(Line)
    }

    /// The diff; empty when the texts are equal.
    public static func diff(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        guard a != b else { return "" }
        let difference = b.difference(from: a)
        var removed = Set<Int>(), inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        // The whole edit script, each edit with the old and new line numbers before it.
        var edits: [(edit: Edit, old: Int, new: Int)] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count && removed.contains(i) {
                edits.append((.removed(a[i]), i, j))
                i += 1
            } else if j < b.count && inserted.contains(j) {
                edits.append((.inserted(b[j]), i, j))
                j += 1
            } else {
                edits.append((.same(a[i]), i, j))
                i += 1
                j += 1
            }
        }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        let changed = edits.indices.filter { if case .same = edits[$0].edit { false } else { true } }
        var k = 0
        while k < changed.count {
            // One hunk: changes no more than 2 × context apart, with context around them.
            let first = changed[k]
            var last = first
            while k + 1 < changed.count && changed[k + 1] - last <= 2 * context {
                k += 1
                last = changed[k]
            }
            let start = max(0, first - context), end = min(edits.count, last + context + 1)
            let slice = edits[start..<end]
            let oldCount = slice.filter { if case .inserted = $0.edit { false } else { true } }.count
            let newCount = slice.filter { if case .removed = $0.edit { false } else { true } }.count
            let oldStart = slice.first!.old + (oldCount > 0 ? 1 : 0)
            let newStart = slice.first!.new + (newCount > 0 ? 1 : 0)
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for (edit, _, _) in slice {
                switch edit {
                case .same(let line): out += text(" ", line)
                case .removed(let line): out += text("-", line)
                case .inserted(let line): out += text("+", line)
                }
            }
            k += 1
        }
        return out
    }

    static func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }

    static func text(_ mark: String, _ line: Line) -> String {
        mark + line.text + "\n" + (line.newline ? "" : "\\ No newline at end of file\n")
    }

    static func lines(_ s: String) -> [Line] {
        var parts = s.split(separator: "\n", omittingEmptySubsequences: false)
        let endsWithNewline = s.hasSuffix("\n")
        if endsWithNewline || s.isEmpty { parts.removeLast() }
        return parts.enumerated().map { Line(text: $0.element, newline: $0.offset < parts.count - 1 || endsWithNewline) }
    }
}
