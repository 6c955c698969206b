import Foundation
import KeyflowClient
import KeyflowRuntime
import Testing

/// The `list` table fitted to a width: every line fits, cut cells end in `…`, the
/// columns stay aligned, and without a width nothing is cut.
struct KeyTableTests {
    static let keys: [Key] = [
        Key(
            id: "sandbox-admin", createdAt: Date(timeIntervalSince1970: 1_790_000_000),
            updatedAt: Date(timeIntervalSince1970: 1_790_000_000), name: "Sandbox bootstrap key", expire: .never,
            scopes: ["keys.read", "keys.write"], secret: Secret("standard_aaaa"),
            accessedAt: Date(timeIntervalSince1970: 1_790_000_100)),
        Key(
            id: "6b096e7151a6c5b78eb2", createdAt: Date(timeIntervalSince1970: 1_790_000_000),
            updatedAt: Date(timeIntervalSince1970: 1_790_000_000), name: "reporting-service-production",
            expire: .at(Date(timeIntervalSince1970: 1_797_776_000)),
            scopes: ["databases.read", "users.read", "teams.read"], secret: Secret("standard_bbbb")),
    ]

    @Test func withoutAWidthNothingIsCut() {
        let table = KeyTable.render(Self.keys)
        #expect(!table.contains("…"))
        #expect(table.contains("reporting-service-production  6b096e7151a6c5b78eb2  databases.read,users.read,teams.read"))
        #expect(table.hasSuffix("\n(2 keys)"))
        #expect(KeyTable.render(Self.keys, width: 500) == table)
    }

    @Test(arguments: [40, 60, 80, 100])
    func everyLineFitsAndStaysAligned(width: Int) {
        let table = KeyTable.render(Self.keys, width: width)
        let lines = table.split(separator: "\n").dropLast()  // the "(2 keys)" line
        #expect(lines.count == 3)
        for line in lines { #expect(line.count <= width, "\(line.count) > \(width): \(line)") }
        #expect(table.contains("…"))
        // Each column starts at the same offset on every line: the heading's.
        let header = String(lines.first!)
        for heading in ["ID", "SCOPES", "EXPIRE", "ACCESSED"] {
            let offset = header.distance(from: header.startIndex, to: header.range(of: heading)!.lowerBound)
            for line in lines.dropFirst() {
                let before = line.prefix(offset)
                #expect(before.hasSuffix("  ") && line.dropFirst(offset).first != " ", "\(heading) misaligned in \(line)")
            }
        }
        // The secret never shows.
        #expect(!table.contains("standard_"))
    }

    @Test func namesAndScopesGiveWayBeforeIdsAndTimes() {
        let table = KeyTable.render(Self.keys, width: 100)
        #expect(table.split(separator: "\n").allSatisfy { $0.count <= 100 })
        #expect(table.contains("  6b096e7151a6c5b78eb2  "))
        #expect(table.contains("reporting-servic") && table.contains("databases.read,u"))
        #expect(table.contains("2026-12-20T14:13:20Z"))
    }

    @Test func aCellCutKeepsItsStart() {
        let table = KeyTable.render(Self.keys, width: 60)
        #expect(table.contains("reporting"))
        #expect(table.split(separator: "\n")[2].contains("…"))
    }

    @Test func tooNarrowKeepsEveryHeading() {
        let table = KeyTable.render(Self.keys, width: 10)
        let header = table.split(separator: "\n")[0]
        #expect(header == "NAME  ID    SCOPES  EXPIRE  ACCESSED")
    }

    @Test func theTaskLocalWidthReachesTheRenderer() {
        let fitted = KeyTable.$width.withValue(50) { KeyTable.render(Self.keys, width: KeyTable.width) }
        #expect(fitted == KeyTable.render(Self.keys, width: 50))
        #expect(KeyTable.width == nil)
    }
}
