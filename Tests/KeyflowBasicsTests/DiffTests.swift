import KeyflowBasics
import Testing

/// `UnifiedDiff`: the hunks `diff -u` would print for the same two texts.
struct DiffTests {
    @Test func equalTextsHaveNoDiff() {
        #expect(UnifiedDiff.diff(old: "a\nb\n", new: "a\nb\n", oldName: "x", newName: "x").isEmpty)
        #expect(UnifiedDiff.diff(old: "", new: "", oldName: "x", newName: "x").isEmpty)
    }

    @Test func fromAndToNothing() {
        #expect(UnifiedDiff.diff(old: "", new: "a\nb\n", oldName: "x", newName: "y") == "--- x\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b\n")
        #expect(UnifiedDiff.diff(old: "a\n", new: "", oldName: "x", newName: "y") == "--- x\n+++ y\n@@ -1 +0,0 @@\n-a\n")
    }

    @Test func farApartChangesAreSeparateHunksWithThreeLinesOfContext() {
        let old = (1...20).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingFirst("line 2\n", with: "line two\n").replacingFirst("line 18\n", with: "")
        #expect(UnifiedDiff.diff(old: old, new: new, oldName: "a", newName: "b") == """
            --- a
            +++ b
            @@ -1,5 +1,5 @@
             line 1
            -line 2
            +line two
             line 3
             line 4
             line 5
            @@ -15,6 +15,5 @@
             line 15
             line 16
             line 17
            -line 18
             line 19
             line 20

            """)
    }

    @Test func aMissingFinalNewlineIsMarked() {
        #expect(UnifiedDiff.diff(old: "a", new: "a\n", oldName: "x", newName: "x") == "--- x\n+++ x\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n")
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replaceSubrange(range, with: replacement)
    }

    private func range(of target: String) -> Range<String.Index>? {
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(target) { return index..<self.index(index, offsetBy: target.count) }
            index = self.index(after: index)
        }
        return nil
    }

    private func replaceSubrange(_ range: Range<String.Index>, with replacement: String) -> String {
        String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }
}
