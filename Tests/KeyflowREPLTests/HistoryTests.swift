import Foundation
import KeyflowTestSupport
import Testing

@testable import KeyflowREPL

@Suite struct HistoryTests {
    func temporaryFolder() throws -> String { try TestPaths.temporaryFolder("keyflow-history") }

    @Test func location() {
        #expect(HistoryFile.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/keyflow/history")
        #expect(HistoryFile.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/state/keyflow/history")
        #expect(HistoryFile.defaultPath(environment: ["XDG_STATE_HOME": "relative", "HOME": "/h"]) == "/h/.local/state/keyflow/history")
        #expect(HistoryFile.defaultPath(environment: [:]) == nil)
    }

    @Test func secretsAreNotRecorded() {
        let secret = "standard_" + String(repeating: "ab12", count: 64)
        #expect(!HistoryFile.mayRecord("let s = \"\(secret)\""))
        #expect(!HistoryFile.mayRecord("print \"ephemeral_abc\""))
        #expect(!HistoryFile.mayRecord("use endpoint \"https://x\" project \"p\" # a_session_123=xyz"))
        #expect(!HistoryFile.mayRecord("print \"" + String(repeating: "9f8e7d6c", count: 6) + "\""))
        #expect(!HistoryFile.mayRecord("print \"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0\""))
        #expect(!HistoryFile.mayRecord(" list"))
        #expect(!HistoryFile.mayRecord(""))
        #expect(HistoryFile.mayRecord("rotate keys where name ~ \"svc-billing-production-search-index-v2\" grace 1h"))
        #expect(HistoryFile.mayRecord("create \"ci\" scopes [databases.read] secret to file \"ci.key\""))
        #expect(HistoryFile.mayRecord("show id \"6650c1a2b3c4d5e6f7a8\""))
    }

    @Test func keptAcrossInstancesWithMode0600() throws {
        let folder = try temporaryFolder()
        let path = folder + "/state/keyflow/history"
        let first = HistoryFile(path: path)
        #expect(try first.append("list"))
        #expect(try !first.append("print \"standard_0123\""))
        #expect(try first.append("show \"ci\""))
        let second = HistoryFile(path: path)
        #expect(try second.load() == ["list", "show \"ci\""])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let folderMode = try FileManager.default.attributesOfItem(atPath: folder + "/state/keyflow")[.posixPermissions] as? Int
        #expect(folderMode == 0o700)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("standard_"))
    }

    @Test func widePermissionsAreNarrowed() throws {
        let folder = try temporaryFolder()
        let path = folder + "/history"
        _ = FileManager.default.createFile(atPath: path, contents: Data("list\n".utf8), attributes: [.posixPermissions: 0o644])
        #expect(try HistoryFile(path: path).load() == ["list"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func trimmedToItsLimit() throws {
        let folder = try temporaryFolder()
        let history = HistoryFile(path: folder + "/history", limit: 3)
        for i in 1...7 { try history.append("print \(i)") }
        #expect(try history.load() == ["print 5", "print 6", "print 7"])
        let lines = try String(contentsOfFile: folder + "/history", encoding: .utf8).split(separator: "\n")
        #expect(lines.count < 6)
    }
}
