import Foundation
import KeyflowTestSupport
import Testing

@testable import KeyflowSandbox

/// Every input the `request` fuzz target found (Tests/FuzzRegressions/request,
/// docs/fuzzing.md), given to the function the target calls, and the seeds it starts from.
@Suite struct RequestFuzzRegressionTests {
    static func inputs(_ folder: String) -> [(String, [UInt8])] {
        let path = TestPaths.packageRoot.appendingPathComponent(folder).path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().compactMap { name in FileManager.default.contents(atPath: path + "/" + name).map { (name, Array($0)) } }
    }

    @Test func everyFindingAndSeed() {
        let seeds = Self.inputs("Tests/Fuzz/request-seeds")
        #expect(!seeds.isEmpty)
        for (_, bytes) in Self.inputs("Tests/FuzzRegressions/request") + seeds { RequestInvariants.parse(bytes) }
    }

    @Test func queriesAreBoundedBeforeTheyAreParsed() throws {
        let many = (0...APIRequest.maxQueries).map { _ in "queries[]=%7B%22method%22:%22limit%22,%22values%22:[1]%7D" }.joined(separator: "&")
        #expect(throws: APIFailure.invalidParam("queries", APIFailure.queriesRule)) { try APIRequest(method: "GET", path: "/", query: many).queries() }
        let long = "queries[]=" + String(repeating: "a", count: APIRequest.maxQueryLength + 1)
        #expect(throws: APIFailure.invalidParam("queries", APIFailure.queriesRule)) { try APIRequest(method: "GET", path: "/", query: long).queries() }
        let fine = (1...APIRequest.maxQueries).map { _ in "queries[]=x" }.joined(separator: "&")
        #expect(try APIRequest(method: "GET", path: "/", query: fine).queries().count == APIRequest.maxQueries)
    }
}
