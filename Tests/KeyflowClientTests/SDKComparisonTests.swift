import Foundation
import KeyflowTestSupport
import Testing

@testable import KeyflowClient

/// The raw requests keyflow's client sends, compared with those of the official Python SDK
/// (`appwrite==27.0.0`; 22.2.0 for `create_key`, which 23+ no longer have) for the same
/// calls, both recorded by the same 127.0.0.1 server: method, path, query encoding, body
/// bytes (modulo Python's `", "` separators) and the headers that matter.
@Suite(.serialized) struct SDKComparisonTests {
    /// The SDK python named by the environment (scripts/test), else the bootstrap's venv. Absent: the test fails.
    static func python(_ variable: String, _ venv: String) throws -> String {
        guard let path = TestPaths.sdkPython(variable, venv: venv) else {
            throw ComparisonError.missing("the \(venv) python (set \(variable) or run scripts/bootstrap)")
        }
        return path
    }

    static let expiry = "2030-01-01T00:00:00.000+00:00"

    static let sdk22Calls = #"""
import sys
from appwrite.client import Client
from appwrite.services.project import Project
from appwrite.enums.project_key_scopes import ProjectKeyScopes as S
c = Client().set_endpoint(sys.argv[1]).set_project("proj").set_key("standard_test")
Project(c).create_key("k1", "Key k1", [S.USERS_READ], expire="2030-01-01T00:00:00.000+00:00")
"""#

    static let sdk27Calls = #"""
import sys
from appwrite.client import Client
from appwrite.query import Query
from appwrite.services.project import Project
from appwrite.enums.project_key_scopes import ProjectKeyScopes as S
c = Client().set_endpoint(sys.argv[1]).set_project("proj").set_key("standard_test")
p = Project(c)
p.get_key("k1")
p.update_key("k1", "Renamed", [S.USERS_READ, S.USERS_WRITE], expire="2030-01-01T00:00:00.000+00:00", description="d")
p.list_keys(queries=[Query.limit(2), Query.offset(1), Query.equal("name", ["a b", "é/ü+"]), Query.not_equal("name", ["x"]),
    Query.contains("scopes", ["keys.write"]), Query.less_than("expire", "2030-01-01T00:00:00.000+00:00"),
    Query.greater_than("accessedAt", "2020-01-01"), Query.order_desc("$createdAt"), Query.order_asc("name"),
    Query.cursor_after("k1"), Query.cursor_before("k2")], total=False)
p.list_keys()
p.create_ephemeral_key([S.USERS_READ, S.KEYS_WRITE], 600)
p.delete_key("k1")
"""#

    func runPython(_ python: String, _ code: String, _ endpoint: String) throws {
        let result = try runProcess(python, ["-c", code, endpoint])
        guard result.status == 0 else { throw ComparisonError.sdkFailed(result.stderr) }
    }

    func swiftCalls(_ endpoint: String) async throws {
        let api = AppwriteClient(ClientConfiguration(
            endpoint: endpoint, project: "proj", credentials: Credentials(apiKey: Secret("standard_test")), retry: .none))
        let expire = Expiry.at(WireDate.parse(Self.expiry)!)
        _ = try await api.createKey(id: "k1", fields: KeyFields(name: "Key k1", scopes: ["users.read"], expire: expire))
        _ = try await api.getKey(id: "k1")
        _ = try await api.replaceKey(id: "k1", fields: KeyFields(name: "Renamed", scopes: ["users.read", "users.write"], expire: expire, description: "d"))
        _ = try await api.listKeys(queries: [
            .limit(2), .offset(1), .equal("name", ["a b", "é/ü+"]), .notEqual("name", ["x"]),
            .contains("scopes", ["keys.write"]), .lessThan("expire", Self.expiry),
            .greaterThan("accessedAt", "2020-01-01"), .orderDesc("$createdAt"), .orderAsc("name"),
            .cursorAfter("k1"), .cursorBefore("k2"),
        ], total: false)
        _ = try await api.listKeys(queries: [], total: true)
        _ = try await api.createEphemeralKey(scopes: ["users.read", "keys.write"], duration: 600)
        try await api.deleteKey(id: "k1")
    }

    /// The headers whose values must agree (the SDK's own name, version, user agent and
    /// response-format differences aside).
    static let comparedHeaders = ["x-sdk-platform", "x-appwrite-project", "x-appwrite-key", "accept", "content-type"]

    @Test func sameRequestsAsTheOfficialSDK() async throws {
        let server = try TestServer()
        try runPython(try Self.python("KEYFLOW_SDK22", "sdk22"), Self.sdk22Calls, server.endpoint)
        try runPython(try Self.python("KEYFLOW_SDK27", "sdk27"), Self.sdk27Calls, server.endpoint)
        let theirs = try server.requests()
        try server.reset()
        try await swiftCalls(server.endpoint)
        let ours = try server.requests()

        #expect(theirs.count == 7)
        #expect(ours.count == theirs.count)
        for (index, (mine, sdk)) in zip(ours, theirs).enumerated() {
            let call = "call \(index + 1) (\(sdk.method) \(sdk.path))"
            #expect(mine.method == sdk.method, "\(call)")
            #expect(mine.path == sdk.path, "\(call)")
            #expect(mine.query == sdk.query, "\(call): query")
            let sdkBody = sdk.body.replacingOccurrences(of: "\", \"", with: "\",\"")
                .replacingOccurrences(of: "\": ", with: "\":").replacingOccurrences(of: "], \"", with: "],\"")
                .replacingOccurrences(of: ", \"", with: ",\"")
            #expect(mine.body == sdkBody, "\(call): body")
            for name in Self.comparedHeaders {
                #expect(mine.header(name) == sdk.header(name), "\(call): header \(name)")
            }
            // 27.0.0's response format (22.2.0 sends its own, 1.9.5).
            if index > 0 { #expect(mine.header("x-appwrite-response-format") == sdk.header("x-appwrite-response-format"), "\(call)") }
            #expect(mine.header("x-sdk-name") == "keyflow")
            #expect(mine.header("x-sdk-language") == "swift")
            #expect(mine.header("x-sdk-version") == AppwriteClient.sdkVersion)
            #expect(mine.header("user-agent")?.hasPrefix("keyflow/") == true)
        }
        // The list call's query is the same bytes, and it says what it should.
        let list = try #require(ours.first { $0.method == "GET" && !$0.query.isEmpty })
        #expect(list.query.hasPrefix("queries%5B0%5D=%7B%22method%22%3A%22limit%22%2C%22values%22%3A%5B2%5D%7D&queries%5B1%5D="))
        #expect(list.query.hasSuffix("&total=false"))
    }
}

enum ComparisonError: Error {
    case missing(String)
    case sdkFailed(String)
}
