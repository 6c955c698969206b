import Foundation
import KeyflowTestSupport
import Testing

/// `keyflow lsp` end to end: the real binary driven over stdio by a real LSP client, the
/// Python `pygls` client (`lsp/lsp_client.py`, in the venv `scripts/bootstrap` makes), with a
/// real `keyflow serve` as the target of live completion; and hand-framed malformed input.
@Suite(.serialized) struct LspCLITests {
    static let script = TestPaths.packageRoot.appendingPathComponent("Tests/KeyflowCLITests/lsp/lsp_client.py").path

    /// The venv's Python (env KEYFLOW_LSP_PYTHON, else .venv/lsp).
    static var python: String? { TestPaths.sdkPython("KEYFLOW_LSP_PYTHON", venv: "lsp") }

    static func client(_ mode: String, environment: [String: String]) throws -> [String: Any] {
        let python = try #require(python, "no pygls venv: run scripts/bootstrap")
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if env["HOME"] == nil { env["HOME"] = "/nonexistent-home" }
        let r = try runProcess(python, [script, mode, TestPaths.keyflowBinary], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let line = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "client said: \(r.all)")
    }

    /// The UTF-16 length of a string: what an LSP character offset counts.
    static func utf16(_ s: some StringProtocol) -> Int { String(s).utf16.count }

    @Test func anEditorSessionAgainstASandboxTarget() throws {
        let server = try ServeProcess()
        defer { server.stop() }
        _ = try server.createKeyAsConsole(["keyId": "deploy", "name": "deploy-key", "scopes": ["users.read"]])
        _ = try server.createKeyAsConsole(["keyId": "ci", "name": "ci runner", "scopes": ["users.read"]])
        var env = server.environment()
        env.merge(server.organizationEnvironment()) { $1 }
        let out = try Self.client("editor", environment: env)

        let caps = try #require(out["capabilities"] as? [String: Any])
        #expect(caps["completion"] as? Bool == true && caps["hover"] as? Bool == true && caps["definition"] as? Bool == true)
        #expect(caps["formatting"] as? Bool == true && caps["semanticTokens"] as? Bool == true)

        // The diagnostic `keyflow check` gives, at UTF-16 positions on a line with é, ï and an emoji.
        let opened = try #require(out["opened"] as? [String: Any])
        #expect(opened["version"] as? Int == 1)
        let diagnostics = try #require(opened["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        let d = try #require(diagnostics.first)
        #expect(d["code"] as? String == "undefined-name")
        #expect(d["severity"] as? Int == 1)
        #expect(d["source"] as? String == "keyflow")
        #expect((d["message"] as? String)?.hasPrefix("undefined name `missing`") == true)
        let text = try #require(out["brokenText"] as? String)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false)[4]
        let start = Self.utf16(line[..<line.range(of: "missing")!.lowerBound])
        #expect(d["range"] as? [Int] == [4, start, 4, start + 7])
        #expect(start != line.distance(from: line.startIndex, to: line.range(of: "missing")!.lowerBound), "the line must have non-BMP text")
        #expect(start != line.utf8.distance(from: line.utf8.startIndex, to: line.range(of: "missing")!.lowerBound))

        // A change that fixes it clears it.
        let fixed = try #require(out["fixed"] as? [String: Any])
        #expect(fixed["version"] as? Int == 2)
        #expect((fixed["diagnostics"] as? [Any])?.isEmpty == true)

        // Completion after `scopes [data`: the catalogue's scopes with their descriptions, replacing `data`.
        let scopes = try #require(out["scopeCompletion"] as? [[String: Any]])
        let labels = scopes.compactMap { $0["label"] as? String }
        #expect(labels.contains("databases.read") && labels.contains("databases.write"))
        #expect(!labels.contains("users.read"))
        let read = try #require(scopes.first { $0["label"] as? String == "databases.read" })
        #expect(read["detail"] as? String == "scope: read databases")
        #expect(read["kind"] as? Int == 20)
        let edit = try #require(read["edit"] as? [Any])
        #expect(edit[0] as? Int == 20 && edit[1] as? Int == 24 && edit[2] as? String == "databases.read")

        // Live names from the sandbox: keys inside a string, projects after `in project`.
        let keys = try #require(out["keyCompletion"] as? [[String: Any]])
        let keyLabels = Set(keys.compactMap { $0["label"] as? String })
        #expect(keyLabels.isSuperset(of: ["deploy-key", "ci runner"]), "\(keys)")
        #expect(keys.first { $0["label"] as? String == "deploy-key" }?["newText"] as? String == "deploy-key\"")
        let projects = try #require(out["projectCompletion"] as? [[String: Any]])
        #expect(Set(projects.compactMap { $0["label"] as? String }) == Set(server.projects), "\(projects)")

        // Hover: a keyword's help (the help source), a scope from the catalogue, nothing on a brace.
        let ensure = try #require(out["hoverEnsure"] as? String)
        #expect(ensure.contains("ensure NAME [scopes S]"))
        #expect(out["hoverScope"] as? String == "```\nscope users.read: read users\n```")
        #expect(out["hoverNothing"] is NSNull)

        // Go to definition: a loop variable in an interpolation, a param, a param after an emoji.
        let uri = "file:///tmp/keyflow-lsp-test/fleet%20plan.kf"
        let loop = try #require(out["definitionLoopVariable"] as? [String: Any])
        #expect(loop["uri"] as? String == uri)
        #expect(loop["range"] as? [Int] == [1, 4, 1, 5])
        #expect((out["definitionParam"] as? [String: Any])?["range"] as? [Int] == [0, 6, 0, 14])
        #expect((out["definitionParamAfterEmoji"] as? [String: Any])?["range"] as? [Int] == [0, 6, 0, 14])
        #expect(out["definitionNone"] is NSNull)

        // Semantic tokens: `param` first, a keyword at 0:0 of length 5.
        let tokens = try #require(out["semanticTokens"] as? [Int])
        #expect(Array(tokens.prefix(5)) == [0, 0, 5, 0, 0])
        #expect(tokens.count % 5 == 0 && tokens.count > 50)

        // Formatting: `keyflow fmt`'s layout as one edit; a syntax error refuses.
        let formatted = try #require(out["formatted"] as? [[String: Any]])
        #expect(formatted.count == 1)
        #expect(formatted.first?["newText"] as? String == "let x = 1\nfor t in [\"a\"] {\n  print t\n}\n")
        let refused = try #require(out["formatRefused"] as? [String: Any])
        #expect(refused["code"] as? Int == -32803)
        #expect((refused["message"] as? String)?.contains("syntax error") == true)

        // An unknown method: MethodNotFound, and the server still answers.
        let unknown = try #require(out["unknownMethod"] as? [String: Any])
        #expect(unknown["code"] as? Int == -32601)
        #expect((out["hoverAfterUnknown"] as? String)?.contains("let NAME") == true)

        // Closing clears the diagnostics; shutdown then exit ends with 0.
        #expect(((out["closed"] as? [String: Any])?["diagnostics"] as? [Any])?.isEmpty == true)
        #expect(out["exitCode"] as? Int == 0)
        let logs = "\(out["logs"] ?? "")"
        #expect(!logs.contains(server.apiKey) && !logs.contains(server.session) && !logs.contains(server.organizationKey))
    }

    /// A target that cannot be reached: completion answers without live names, and
    /// `window/logMessage` says why, without the key.
    @Test func anUnreachableTargetIsLoggedWithoutItsSecret() throws {
        let secret = "standard_lsp_test_secret_0123456789"
        let out = try Self.client("editor", environment: [
            "APPWRITE_ENDPOINT": "http://127.0.0.1:9/v1", "APPWRITE_PROJECT_ID": "nowhere", "APPWRITE_API_KEY": secret,
        ])
        #expect((out["keyCompletion"] as? [Any])?.isEmpty == true)
        let logs = try #require(out["logs"] as? [[String: Any]])
        let messages = logs.compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.contains("cannot list the keys of project nowhere at http://127.0.0.1:9/v1") }, "\(messages)")
        #expect(!messages.joined().contains(secret))
        // Everything else works as before.
        #expect(((out["opened"] as? [String: Any])?["diagnostics"] as? [Any])?.count == 1)
        #expect(out["exitCode"] as? Int == 0)
    }

    /// Bytes no client should send: each gets a JSON-RPC error, and the session goes on.
    @Test func malformedMessagesGetErrorsNotACrash() throws {
        let out = try Self.client("raw", environment: [:])
        let answers = try #require(out["answers"] as? [Any])
        func error(_ i: Int) -> (code: Int?, id: Any?, message: String) {
            let a = answers[i] as? [String: Any]
            let e = a?["error"] as? [String: Any]
            return (e?["code"] as? Int, a?["id"], e?["message"] as? String ?? "")
        }
        #expect(answers.count == 10)
        #expect(error(0).code == -32700 && error(0).id is NSNull && error(0).message.contains("Content-Length"))
        #expect(error(1).code == -32700 && error(1).message.contains("not valid JSON"))
        #expect(error(2).code == -32600 && error(2).id as? Int == 1)
        #expect(error(3).code == -32002 && error(3).id as? Int == 2)
        let initialized = answers[4] as? [String: Any]
        #expect(initialized?["id"] as? Int == 3 && initialized?["result"] != nil)
        #expect(error(5).code == -32601 && error(5).message.contains("no/such/method"))
        #expect(error(6).code == -32602 && error(6).message.contains("is not open"))
        #expect(error(7).code == -32602)
        let shutdown = answers[8] as? [String: Any]
        #expect(shutdown?["id"] as? Int == 7 && shutdown?["result"] is NSNull)
        #expect(error(9).code == -32600 && error(9).message.contains("shut down"))
        #expect(out["exitCode"] as? Int == 0)
    }
}
