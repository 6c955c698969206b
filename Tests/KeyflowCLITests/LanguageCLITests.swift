import Foundation
import KeyflowTestSupport
import Testing

/// End-to-end tests of `keyflow check` and `keyflow fmt` through the real binary
/// (env KEYFLOW_BIN, else .build/debug/keyflow).
struct LanguageCLITests {
    static let root = TestPaths.packageRoot

    func keyflow(_ args: [String], cwd: URL = LanguageCLITests.root) throws -> ProcessOutput {
        #expect(FileManager.default.isExecutableFile(atPath: TestPaths.keyflowBinary), "no keyflow binary at \(TestPaths.keyflowBinary)")
        return try runKeyflow(args, directory: cwd.path)
    }

    func temporaryDirectory() throws -> URL { URL(fileURLWithPath: try TestPaths.temporaryFolder("keyflow-lang")) }

    @Test func checkCleanFilesExitsZeroQuietly() throws {
        let r = try keyflow(["check", "grammar/examples/onboard.kf", "grammar/examples/create.kf"])
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty && r.stderr.isEmpty)
    }

    @Test func checkWithErrorsPrintsRenderedDiagnosticsAndExitsTwo() throws {
        let r = try keyflow(["check", "grammar/examples/onboard.kf", "grammar/examples/errors/scopes.kf"])
        #expect(r.status == 2)
        let golden = try String(contentsOf: LanguageCLITests.root.appendingPathComponent("grammar/golden/scopes.txt"), encoding: .utf8)
        #expect(r.stderr == golden + "6 errors in 1 file\n")
        #expect(r.stdout.isEmpty)
    }

    @Test func checkJSONPrintsOneObjectPerDiagnostic() throws {
        let r = try keyflow(["check", "--json", "grammar/examples/errors/names.kf"])
        #expect(r.status == 2)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 8)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["event"] as? String == "diagnostic")
            let source = object?["source"] as? [String: Any]
            #expect(source?["file"] as? String == "grammar/examples/errors/names.kf")
            #expect(source?["line"] is Int && source?["end_column"] is Int)
        }
        #expect(r.stdout.contains("\"message\":\"undefined name `nme`\""))
    }

    @Test func checkUnreadableFileIsAnError() throws {
        let r = try keyflow(["check", "no/such/file.kf"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no/such/file.kf:1:1: error: cannot read no/such/file.kf: no such file"))
    }

    @Test func checkReportsInvalidUTF8AndNULWithoutCrashing() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.kf")
        try Data([0x70, 0x72, 0x69, 0x6E, 0x74, 0x20, 0x22, 0xFF, 0x22, 0x0A, 0x00, 0x0A]).write(to: file)
        let r = try keyflow(["check", file.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains(":1:8: error: invalid UTF-8"))
        #expect(r.stderr.contains(":2:1: error: unexpected character \"\\u{0}\""))
    }

    @Test func checkWithoutFilesIsAUsageError() throws {
        let r = try keyflow(["check"])
        #expect(r.status != 0)
    }
}

extension LanguageCLITests {
    @Test func fmtRewritesInPlaceKeepingModeAndIsIdempotent() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.kf")
        try Data("let   x=1 # keep me\nif x == 1 {print x}\n".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let check = try keyflow(["fmt", "--check", file.path])
        #expect(check.status == 1)
        #expect(check.stdout == file.path + "\n")
        #expect(try String(contentsOf: file, encoding: .utf8) == "let   x=1 # keep me\nif x == 1 {print x}\n")
        let r = try keyflow(["fmt", file.path])
        #expect(r.status == 0)
        #expect(try String(contentsOf: file, encoding: .utf8) == "let x = 1 # keep me\nif x == 1 {\n  print x\n}\n")
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try keyflow(["fmt", "--check", file.path])
        #expect(again.status == 0 && again.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.kf"])
    }

    @Test func fmtLeavesBrokenScriptsUntouched() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("broken.kf")
        try Data("let   x=\n".utf8).write(to: file)
        let r = try keyflow(["fmt", file.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("broken.kf:1:9: error: unexpected end of input, expected an expression\n 1 | let   x=\n   |         ^\n"))
        #expect(try String(contentsOf: file, encoding: .utf8) == "let   x=\n")
    }

    @Test func fmtCheckOverTheCorpusKeepsMeaning() throws {
        // Formatting a copy of each corpus file yields a file that still checks the same.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let examples = LanguageCLITests.root.appendingPathComponent("grammar/examples")
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.path) where name.hasSuffix(".kf") {
            let copy = dir.appendingPathComponent(name)
            try FileManager.default.copyItem(at: examples.appendingPathComponent(name), to: copy)
            #expect(try keyflow(["fmt", copy.path]).status == 0)
            #expect(try keyflow(["check", copy.path]).status == 0, "\(name)")
            #expect(try keyflow(["fmt", "--check", copy.path]).status == 0)
        }
    }
}
