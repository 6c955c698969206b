import Foundation
import KeyflowTestSupport
import Testing

@testable import KeyflowSandbox

/// Group commit: concurrent changes share transactions, one failing change rolls back
/// only itself, and what was acknowledged is what a reopened database holds.
@Suite struct StorageTests {
    func record(_ id: String) -> KeyRecord {
        KeyRecord(
            sequence: 0, id: id, projectID: "p", createdAt: 0, updatedAt: 0, name: id,
            description: "", expire: nil, scopes: [], secret: "standard_\(id)", accessedAt: nil, sdks: [])
    }

    @Test func concurrentChangesShareCommitsAndFailAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let storage = try Storage(directory: dir.url)
        let applied = Locked<[String]>([])

        // 200 inserts at once, every id twice: one of each pair must fail (UNIQUE), alone.
        let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
            for n in 0..<200 {
                let id = "k\(n % 100)"
                group.addTask {
                    do {
                        _ = try await storage.write { db in try Storage.insertKey(db, record(id)) } thenApply: { stored in
                            applied.withLock { $0.append(stored.id) }
                        }
                        return (id, true)
                    } catch {
                        return (id, false)
                    }
                }
            }
            var all: [(String, Bool)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let acknowledged = outcomes.filter(\.1).map(\.0)
        #expect(acknowledged.count == 100)
        #expect(Set(acknowledged) == Set((0..<100).map { "k\($0)" }))
        #expect(applied.withLock { $0.sorted() } == acknowledged.sorted())

        let (transactions, changes) = storage.groupCommits
        #expect(changes == 200)
        #expect(transactions < changes, "every change had a transaction of its own: no grouping")

        // A change reads what the changes before it in its group wrote.
        async let created: Void = storage.write { db in _ = try Storage.insertKey(db, record("fresh")) }
        async let renamed: Bool = storage.write { db in
            guard var key = try Storage.key(db, id: "k1", project: "p") else { return false }
            key.name = "renamed"
            try Storage.updateKey(db, key)
            return true
        }
        _ = try await (created, renamed)
        let reread = try storage.read { db in try Storage.keys(db) }
        #expect(reread.count == 101)
        #expect(reread.first { $0.id == "k1" }?.name == "renamed")

        // What a reopened database holds is exactly what was acknowledged.
        let reopened = try Storage(directory: dir.url)
        let stored = try reopened.read { db in try Storage.keys(db) }.map(\.id)
        #expect(Set(stored) == Set(acknowledged + ["fresh"]))
    }
}
