import KeyflowBasics
import Testing

@Suite struct SpellingTests {
    @Test func nearMissesAreSuggested() {
        #expect(nearest("users.raed", in: ScopeCatalogue.set) == "users.read")
        #expect(nearest("lst", in: ["list", "let", "print"]) == "let", "ties go to the first in sorted order")
        #expect(nearest("rotat", in: ["rotate", "revoke"]) == "rotate")
        #expect(nearest("completely", in: ["rotate", "revoke"]) == nil)
        #expect(nearest(String(repeating: "a", count: 65), in: [String(repeating: "a", count: 64)]) == nil)
    }

    @Test func editDistances() {
        #expect(editDistance([], Array("abc".utf8)) == 3)
        #expect(editDistance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
        #expect(editDistance(Array("same".utf8), Array("same".utf8)) == 0)
    }

    @Test func scopeCatalogue() {
        #expect(ScopeCatalogue.contains("keys.write") && !ScopeCatalogue.contains("keys.*"))
        #expect(ScopeCatalogue.groups.contains("databases") && !ScopeCatalogue.groups.contains("databases.read"))
        #expect(ScopeCatalogue.matching("keys.*") == ["keys.read", "keys.write"])
        #expect(ScopeCatalogue.matching("*") == ScopeCatalogue.all)
    }
}
