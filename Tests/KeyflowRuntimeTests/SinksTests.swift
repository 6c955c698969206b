import Foundation
import KeyflowClient
import Testing

@testable import KeyflowRuntime

@Suite struct SinksTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "keyflow-sinks-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()
    var writer: SinkWriter { SinkWriter(baseDirectory: dir, commandTimeout: 2) }
    let secret = Secret("standard_" + String(repeating: "ab", count: 128))

    func mode(_ path: String) -> Int {
        (try! FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    @Test func fileIsWrittenWholeWithMode0600AndNoTemporaryLeftBehind() async throws {
        try await writer.deliver(secret, to: .file(path: "out/a.key"), keyID: "k1", keyName: "a")
        let path = dir + "/out/a.key"
        #expect(try String(contentsOfFile: path, encoding: .utf8) == secret.reveal() + "\n")
        #expect(mode(path) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out") == ["a.key"])
        // Replacing an existing file (even one with looser permissions) keeps 0600.
        _ = FileManager.default.createFile(atPath: dir + "/b.key", contents: Data("old\n".utf8), attributes: [.posixPermissions: 0o644])
        try await writer.deliver(secret, to: .file(path: "b.key"), keyID: "k1", keyName: "a")
        #expect(mode(dir + "/b.key") == 0o600)
        #expect(writer.isUpToDate(.file(path: "b.key"), secret: secret))
        #expect(!writer.isUpToDate(.file(path: "b.key"), secret: Secret("other")))
    }

    @Test func symlinkAtTheTargetIsRefusedAndItsTargetUntouched() async throws {
        let victim = dir + "/victim"
        _ = FileManager.default.createFile(atPath: victim, contents: Data("keep".utf8))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.key", withDestinationPath: victim)
        await #expect(throws: SinkError.self) {
            try await writer.deliver(secret, to: .file(path: "link.key"), keyID: "k", keyName: "n")
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        await #expect(throws: SinkError.self) {
            try await writer.deliver(secret, to: .env(variable: "K", path: "link.key"), keyID: "k", keyName: "n")
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
    }

    @Test func dotenvReplacesOneLineAndKeepsEveryOtherByte() async throws {
        let original = "# comment  with  spaces\r\nA=1\nexport API_KEY = old\n\n  B='x y'\nLAST=no-newline"
        _ = FileManager.default.createFile(atPath: dir + "/.env", contents: Data(original.utf8))
        try await writer.deliver(secret, to: .env(variable: "API_KEY", path: ".env"), keyID: "k", keyName: "n")
        let after = try String(contentsOfFile: dir + "/.env", encoding: .utf8)
        #expect(after == "# comment  with  spaces\r\nA=1\nAPI_KEY=\(secret.reveal())\n\n  B='x y'\nLAST=no-newline")
        #expect(mode(dir + "/.env") == 0o600)
        #expect(writer.isUpToDate(.env(variable: "API_KEY", path: ".env"), secret: secret))
        // Appending to a file without a final newline adds one first.
        try await writer.deliver(secret, to: .env(variable: "NEW", path: ".env"), keyID: "k", keyName: "n")
        let appended = try String(contentsOfFile: dir + "/.env", encoding: .utf8)
        #expect(appended == after + "\nNEW=\(secret.reveal())\n")
        // A missing file is created.
        try await writer.deliver(secret, to: .env(variable: "X", path: "fresh.env"), keyID: "k", keyName: "n")
        #expect(try String(contentsOfFile: dir + "/fresh.env", encoding: .utf8) == "X=\(secret.reveal())\n")
        await #expect(throws: SinkError.self) {
            try await writer.deliver(secret, to: .env(variable: "BAD-NAME", path: ".env"), keyID: "k", keyName: "n")
        }
    }

    @Test func commandWordsRespectQuotesWithoutAShell() throws {
        #expect(
            try CommandLineWords.split(#"deploy  "a b" 'c "d"' e\ f "x\"y" $HOME;ls"#)
                == ["deploy", "a b", #"c "d""#, "e f", #"x"y"#, "$HOME;ls"])
        #expect(throws: CommandLineWords.SplitError.self) { try CommandLineWords.split(#"a "b"#) }
    }

    @Test func runSinkGetsTheSecretOnStdinAndKeyIdentityInItsEnvironment() async throws {
        let script = dir + "/capture.sh"
        try "#!/bin/sh\ncat > \"$1\"\necho \"$KEYFLOW_KEY_ID $KEYFLOW_KEY_NAME\" > \"$1.who\"\n".write(
            toFile: script, atomically: true, encoding: .utf8)
        // Through sh: executing a file just written races with other tests' forks (ETXTBSY).
        // The child runs in our working directory; give it absolute paths.
        try await writer.deliver(secret, to: .run(command: "sh \(script) '\(dir)/got it'"), keyID: "id-7", keyName: "svc one")
        #expect(try String(contentsOfFile: dir + "/got it", encoding: .utf8) == secret.reveal() + "\n")
        #expect(try String(contentsOfFile: dir + "/got it.who", encoding: .utf8) == "id-7 svc one\n")
    }

    @Test func runSinkFailuresAreErrorsWithoutTheSecret() async throws {
        // Non-zero exit; the command echoes the secret, which must be scrubbed from the error.
        do {
            try await writer.deliver(secret, to: .run(command: "sh -c 'cat; echo boom >&2; exit 3'"), keyID: "k", keyName: "n")
            Issue.record("expected a failure")
        } catch {
            #expect(error.reason.contains("exited with status 3"))
            #expect(error.reason.contains("boom"))
            #expect(!error.description.contains(secret.reveal()))
            #expect(error.description.contains("«secret»"))
        }
        // Timeout.
        let start = Date()
        do {
            try await writer.deliver(secret, to: .run(command: "sleep 300"), keyID: "k", keyName: "n")
            Issue.record("expected a timeout")
        } catch {
            #expect(error.reason.contains("timed out"))
        }
        #expect(Date().timeIntervalSince(start) < 60, "the timed-out command was not stopped")
        await #expect(throws: SinkError.self) {
            try await writer.deliver(secret, to: .run(command: "no-such-program-keyflow"), keyID: "k", keyName: "n")
        }
    }
}
