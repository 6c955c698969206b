import Foundation
import KeyflowClient
import Testing

@testable import KeyflowRuntime

/// The run's key cache: the listed keys in list order, found by id and by name, kept
/// current through creates, updates (renames included) and deletes.
@Suite struct KeyCacheTests {
    static func key(_ id: String, _ name: String) -> Key {
        InterpreterTests.key(name, id: id)
    }

    @Test func findsListedKeysByIdAndNameInListOrder() {
        let cache = KeyCache(seed: [Self.key("a", "ci"), Self.key("b", "deploy"), Self.key("c", "ci")])
        #expect(cache.all.map(\.id) == ["a", "b", "c"])
        #expect(cache.key(id: "b")?.name == "deploy")
        #expect(cache.keys(named: "ci").map(\.id) == ["a", "c"])
        #expect(cache.keys(named: "nope").isEmpty)
        #expect(cache.key(id: "zzz") == nil)
    }

    @Test func storeUpdatesInPlaceAndFollowsRenames() {
        let cache = KeyCache(seed: [Self.key("a", "ci"), Self.key("b", "deploy"), Self.key("c", "ci")])
        cache.store(Self.key("a", "ci-old"))  // rename of the first of two "ci"
        #expect(cache.keys(named: "ci").map(\.id) == ["c"])
        #expect(cache.keys(named: "ci-old").map(\.id) == ["a"])
        #expect(cache.all.map(\.id) == ["a", "b", "c"], "an update keeps the key's place")
        cache.store(Self.key("b", "ci"))  // a rename onto a taken name
        #expect(cache.keys(named: "ci").map(\.id) == ["b", "c"])
        cache.store(Self.key("d", "ci"))  // a new key
        #expect(cache.keys(named: "ci").map(\.id) == ["b", "c", "d"])
        #expect(cache.all.map(\.id) == ["a", "b", "c", "d"])
    }

    @Test func removeLeavesNoTraceAndCompactsLongRunsOfDeletes() {
        var seed: [Key] = []
        for i in 0..<200 { seed.append(Self.key("k\(i)", i % 2 == 0 ? "even" : "odd-\(i)")) }
        let cache = KeyCache(seed: seed)
        cache.remove(id: "k0")
        #expect(cache.key(id: "k0") == nil)
        #expect(cache.keys(named: "even").first?.id == "k2")
        for i in stride(from: 1, to: 200, by: 2) { cache.remove(id: "k\(i)") }  // past the compaction point
        for i in stride(from: 2, to: 150, by: 2) { cache.remove(id: "k\(i)") }
        #expect(cache.all.map(\.id) == stride(from: 150, to: 200, by: 2).map { "k\($0)" })
        #expect(cache.keys(named: "even").map(\.id) == stride(from: 150, to: 200, by: 2).map { "k\($0)" })
        #expect(cache.keys(named: "odd-1").isEmpty)
        cache.store(Self.key("k0", "even"))  // a deleted id made again
        #expect(cache.keys(named: "even").last?.id == "k0")
        #expect(cache.all.count == 26)
    }

    @Test func aRepeatedIdInOneListingKeepsTheLaterCopy() {
        let cache = KeyCache(seed: [Self.key("a", "first"), Self.key("b", "x"), Self.key("a", "second")])
        #expect(cache.key(id: "a")?.name == "second")
        #expect(cache.keys(named: "first").isEmpty)
        #expect(cache.all.map(\.name) == ["x", "second"])
    }
}
