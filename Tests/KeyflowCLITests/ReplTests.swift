import Foundation
import Testing

/// End-to-end tests of `keyflow repl` in a real terminal (tmux) against the sandbox: the
/// embedded one, or a `keyflow serve` the test starts. Screens are compared with golden
/// transcripts in golden/repl/ after ids, times and durations are normalised; set
/// KEYFLOW_RECORD_GOLDEN=1 to re-record them on purpose.
@Suite(.serialized) struct ReplTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var binary: String {
        ProcessInfo.processInfo.environment["KEYFLOW_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/keyflow").path
    }

    /// A fresh folder with a home, a state folder and a sandbox data folder.
    struct Workspace {
        let root: URL
        var environment: [String: String] {
            [
                "HOME": root.appendingPathComponent("home").path,
                "XDG_STATE_HOME": root.appendingPathComponent("state").path,
                "KEYFLOW_SANDBOX": root.appendingPathComponent("sandbox").path,
                "NO_COLOR": "1",
            ]
        }

        init() throws {
            root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("keyflow-repl-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("home"), withIntermediateDirectories: true)
        }

        func terminal(_ arguments: [String] = [], environment extra: [String: String] = [:], height: Int = 30) throws -> Terminal {
            let folder = root.appendingPathComponent("tmux-\(UUID().uuidString.prefix(6))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return try Terminal(
                [ReplTests.binary, "repl"] + arguments, environment: environment.merging(extra) { _, b in b },
                height: height, folder: folder, directory: root)
        }
    }

    // MARK: - Golden transcripts

    static func normalised(_ screen: String, workspace: Workspace) -> String {
        var text = screen.replacingOccurrences(of: workspace.root.path, with: "<tmp>")
        let rules: [(String, String)] = [
            (#"\b[0-9a-f]{20}\b"#, "<id>"),
            (#"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z"#, "<time>"),
            (#"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?( UTC)?"#, "<time>"),
            (#"\b\d+(\.\d+)? ?(ms|s)\b"#, "<duration>"),
            (#"127\.0\.0\.1:\d+"#, "127.0.0.1:<port>"),
        ]
        for (pattern, replacement) in rules {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }

    static func expectGolden(_ name: String, _ screen: String, _ workspace: Workspace, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = normalised(screen, workspace: workspace) + "\n"
        let path = packageRoot.appendingPathComponent("Tests/KeyflowCLITests/golden/repl/\(name).txt")
        if ProcessInfo.processInfo.environment["KEYFLOW_RECORD_GOLDEN"] == "1" {
            try actual.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: path, encoding: .utf8) else {
            Issue.record("missing golden transcript \(path.path); record it with KEYFLOW_RECORD_GOLDEN=1. The screen was:\n\(actual)", sourceLocation: sourceLocation)
            return
        }
        #expect(actual == expected, "screen differs from golden/repl/\(name).txt", sourceLocation: sourceLocation)
    }

    // MARK: - Tests

    @Test func completionOfScopesAndKeyNames() throws {
        let w = try Workspace()
        let t = try w.terminal()
        try t.waitFor("sandbox> ")
        try t.enter(#"create "Deployment Key" scopes [databases.read]"#)
        try t.waitFor("sandbox> ", count: 2)
        // Scopes of a group: Tab completes the group, a second Tab lists its scopes.
        try t.type(#"grant "Deployment Key" datab"#)
        try t.press("Tab")
        try t.waitFor(#"grant "Deployment Key" databases."#)
        try t.press("Tab")
        try t.waitFor("databases.write")
        try t.press("C-c")
        try t.waitFor("sandbox> ", count: 4)
        // Key names inside a string, fetched from the project.
        try t.type(#"show "Depl"#)
        try t.press("Tab")
        try t.waitFor(#"show "Deployment Key""#)
        try t.press("Enter")
        let screen = try t.waitFor("sandbox> ", count: 5)
        #expect(screen.contains("databases.read  databases.write") || screen.contains("databases.read") && screen.contains("databases.write"))
        try Self.expectGolden("completion", screen, w)
        try t.press("C-d")
        #expect(try t.waitForExit() == 0)
    }

    @Test func multiLineForRunsAsOneStatement() throws {
        let w = try Workspace()
        let t = try w.terminal()
        try t.waitFor("sandbox> ")
        try t.enter(#"for t in ["alpha", "beta"] {"#)
        try t.waitFor("...> ")
        try t.enter(#"  ensure "tenant-${t}" scopes [users.read]"#)
        try t.waitFor("...> ", count: 2)
        try t.enter("}")
        try t.waitFor("sandbox> ", count: 2)
        try t.enter("list")
        try t.waitFor("(2 keys)")
        try t.enter("count(keys)")
        let screen = try t.waitFor("sandbox> ", count: 4)
        try Self.expectGolden("multiline-for", screen, w)
        try t.enter(":quit")
        #expect(try t.waitForExit() == 0)
    }

    @Test func historyIsRecalledInTheNextSessionWithoutSecrets() throws {
        let w = try Workspace()
        let first = try w.terminal()
        try first.waitFor("sandbox> ")
        try first.enter(#"print "first session""#)
        try first.waitFor("sandbox> ", count: 2)
        let secret = "standard_" + String(repeating: "0f1e2d3c", count: 32)
        try first.enter("print \"\(secret)\"")
        try first.waitFor("sandbox> ", count: 3)
        try first.press("C-d")
        #expect(try first.waitForExit() == 0)

        let path = w.root.appendingPathComponent("state/keyflow/history").path
        let recorded = try String(contentsOfFile: path, encoding: .utf8)
        #expect(recorded.contains(#"print "first session""#))
        #expect(!recorded.contains("standard_"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let second = try w.terminal()
        try second.waitFor("sandbox> ")
        try second.press("Up")
        try second.waitFor(#"sandbox> print "first session""#)
        try second.press("Enter")
        let screen = try second.waitFor("sandbox> ", count: 2)
        #expect(screen.contains("first session\n"))
        try Self.expectGolden("history", screen, w)
        try second.press("C-d")
        #expect(try second.waitForExit() == 0)
    }

    @Test func ctrlCCancelsASlowStatementAndSaysWhatCompleted() throws {
        let w = try Workspace()
        let data = w.root.appendingPathComponent("served")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.binary)
        server.arguments = ["serve", "--data", data.path, "--port", "0", "--chaos", "delay=1:3s", "--seed", "1"]
        let serverOut = Pipe()
        server.standardOutput = serverOut
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        _ = serverOut.fileHandleForReading.availableData  // the ready line
        let credentials = try JSONSerialization.jsonObject(
            with: Data(contentsOf: data.appendingPathComponent("sandbox.json"))) as? [String: String] ?? [:]
        let environment = [
            "APPWRITE_ENDPOINT": credentials["endpoint"] ?? "", "APPWRITE_PROJECT_ID": credentials["project"] ?? "",
            "APPWRITE_API_KEY": credentials["apiKey"] ?? "", "APPWRITE_SESSION": credentials["session"] ?? "",
        ]
        let t = try w.terminal(environment: environment)
        let prompt = "\(credentials["project"] ?? "")@127.0.0.1:"
        try t.waitFor(prompt, timeout: 30)
        try t.enter(#"for n in ["one", "two", "three"] { create "slow-${n}" }"#)
        // Each request takes 3 s: wait for the first step to finish, then interrupt the second.
        try t.waitFor("slow-one", count: 2, timeout: 30)
        let pressed = Date()
        try t.press("C-c")
        let screen = try t.waitFor("Interrupted:", timeout: 10)
        try t.waitFor(prompt, count: 2, timeout: 10)
        #expect(Date().timeIntervalSince(pressed) < 2.5, "the prompt came back only after the in-flight request finished")
        #expect(screen.contains("1 step completed"))
        #expect(!screen.contains("slow-three\" created"))
        try Self.expectGolden("ctrl-c-slow", try t.screen(), w)
        try t.press("C-d")
        #expect(try t.waitForExit() == 0)
    }

    @Test func planModePlansWithoutWriting() throws {
        let w = try Workspace()
        let t = try w.terminal()
        try t.waitFor("sandbox> ")
        try t.enter(":plan on")
        try t.waitFor("sandbox (plan)> ")
        try t.enter(#"create "planned only" scopes [users.read]"#)
        try t.waitFor("sandbox (plan)> ", count: 2)
        try t.enter(":plan off")
        try t.waitFor("plan mode off")
        try t.enter("count(keys)")
        let screen = try t.waitFor("sandbox> ", count: 3)
        try Self.expectGolden("plan-on", screen, w)
        try t.press("C-d")
        #expect(try t.waitForExit() == 0)
    }

    @Test func errorsAreDiagnosticsAndTheSessionGoesOn() throws {
        let w = try Workspace()
        let t = try w.terminal()
        try t.waitFor("sandbox> ")
        try t.enter(#"grant "ci" databses.read"#)
        try t.waitFor("did you mean databases.read")
        try t.enter(":plna on")
        try t.waitFor("unknown command :plna")
        try t.type("list wh")
        try t.press("C-c")
        try t.waitFor("sandbox> ", count: 4)
        try t.enter(":help rotate")
        let screen = try t.waitFor("sandbox> ", count: 5)
        try Self.expectGolden("errors", screen, w)
        try t.press("C-d")
        #expect(try t.waitForExit() == 0)
    }

    // MARK: - Not a terminal

    struct Ran {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func runPiped(_ arguments: [String], stdin: String, _ w: Workspace) throws -> Ran {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = w.environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.currentDirectoryURL = w.root
        let input = Pipe()
        let out = Pipe()
        let err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Ran(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func pipedStdinBehavesLikeRunDash() throws {
        let script = """
            ensure "piped" scopes [users.read]
            for n in ["a", "b"] {
              print "item ${n}"
            }
            assert count(keys) == 1, "one key"

            """
        let w1 = try Workspace()
        let repl = try Self.runPiped(["repl", "--sandbox"], stdin: script, w1)
        let w2 = try Workspace()
        let run = try Self.runPiped(["run", "-", "--sandbox"], stdin: script, w2)
        #expect(repl.status == 0, "\(repl.stderr)")
        #expect(repl.status == run.status)
        #expect(Self.normalised(repl.stdout, workspace: w1) == Self.normalised(run.stdout, workspace: w2))
        #expect(repl.stdout.contains("item a\nitem b"))
        #expect(!repl.stdout.contains("sandbox>") && !repl.stderr.contains("sandbox>"))

        let failing = try Self.runPiped(["repl", "--sandbox"], stdin: "assert 1 == 2, \"no\"\n", try Workspace())
        #expect(failing.status == 3)
        let invalid = try Self.runPiped(["repl", "--sandbox"], stdin: "grant \"x\" databses.read\n", try Workspace())
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("databses.read"))
    }

    @Test func pipedStdinWithoutEndpointRefusesTheSandbox() throws {
        let ran = try Self.runPiped(["repl"], stdin: "list\n", try Workspace())
        #expect(ran.status == 2)
        #expect(ran.stderr.contains("no endpoint"))
    }
}
