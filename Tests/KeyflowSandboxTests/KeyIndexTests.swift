import Testing

@testable import KeyflowSandbox

@Suite struct KeyIndexTests {
    func record(_ n: Int, name: String, project: String = "p") -> KeyRecord {
        KeyRecord(
            sequence: Int64(n), id: "k\(n)", projectID: project, createdAt: 0, updatedAt: 0, name: name,
            description: "", expire: nil, scopes: [], secret: "standard_\(n)", accessedAt: nil, sdks: [])
    }

    /// The name lookup agrees with a full scan through inserts, renames, deletes and compaction.
    @Test func nameLookupMatchesFullScan() {
        let index = KeyIndex((0..<3000).map { record($0, name: "name \($0 % 7)", project: $0 % 5 == 0 ? "q" : "p") })
        for n in stride(from: 0, to: 3000, by: 3) { index.put(record(n, name: "renamed \(n % 4)")) }
        for n in 0..<2400 where n % 3 != 1 { index.remove(id: "k\(n)") }
        index.put(record(5000, name: "name 3"))
        for names in [["name 3"], ["renamed 1", "name 2"], ["nobody"], []] {
            let viaIndex = index.keys(project: "p", named: names) { _ in true }.map(\.id)
            let viaScan = index.keys(project: "p") { names.contains($0.name) }.map(\.id)
            #expect(viaIndex == viaScan)
        }
        #expect(index.keys(project: "p", named: ["name 3"]) { _ in true }.last?.id == "k5000")
        #expect(index.key(secret: "standard_2999")?.id == "k2999")
        #expect(index.key(secret: "standard_0") == nil)
        #expect(index.json(id: "k2998", project: "p") == record(2998, name: "name 2").json())
    }
}
