import Foundation
import KeyflowTestSupport
import Testing

/// The command line's conventions through the real binary: exit codes, which stream gets what,
/// reading standard input, `fmt --diff`, and the CI formats (workflow annotations, the Markdown
/// plan summary).
struct ConventionsCLITests {
    static let root = TestPaths.packageRoot.path

    func keyflow(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> ProcessOutput {
        try runKeyflow(arguments, environment: isolatedEnvironment(environment), directory: Self.root, stdin: stdin)
    }

    /// Every usage error exits 2 with one line saying what is wrong and one saying where to look.
    @Test(arguments: [
        (["nosuch"], "error: unexpected argument 'nosuch'", "keyflow --help"),
        (["run", "--jsn", "x.kf"], "error: unknown option '--jsn'. Did you mean '--json'?", "keyflow run --help"),
        (["run"], "error: missing expected argument '<file>'", "keyflow run --help"),
        (["plan", "--parallel", "abc", "x.kf"], "error: the value 'abc' is invalid for '--parallel <parallel>'", "keyflow plan --help"),
        (["run", "--parallel", "99", "x.kf"], "error: --parallel takes a number from 1 to 64", "keyflow run --help"),
        (["context", "nosuch"], "error: unexpected argument 'nosuch'", "keyflow context --help"),
        (["context", "add"], "error: missing expected argument '<name>'", "keyflow context add --help"),
        (["check"], "error: missing expected argument '<files> ...'", "keyflow check --help"),
        (["help", "nosuch"], "error: no help topic `nosuch`", "`keyflow help` lists the topics"),
        (["help", "context", "nosuch"], "error: no help topic `context nosuch`", "`keyflow help` lists the topics"),
        (["help", "rotat"], "error: no help topic `rotat`", "did you mean `keyflow help rotate`?"),
    ])
    func usageErrorsExitTwoWithAHint(arguments: [String], message: String, hint: String) throws {
        let r = try keyflow(arguments)
        #expect(r.status == 2, "\(arguments): \(r.all)")
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty, "two lines: \(r.stderr)")
        #expect(lines.first.map { $0 == "keyflow: " + message } == true, "\(r.stderr)")
        #expect(lines.dropFirst().first.map { $0.hasPrefix("  help: " + hint) } == true, "\(r.stderr)")
    }

    /// `keyflow help` of an unknown topic is a usage error too (HelpCommand says so).
    @Test func helpOfAnUnknownTopicExitsTwo() throws {
        for arguments in [["help", "nosuch"], ["help", "context", "nosuch"]] {
            let r = try keyflow(arguments)
            #expect(r.status == 2, "\(arguments): \(r.all)")
            #expect(r.stdout.isEmpty && r.stderr.contains("no help topic"), "\(r.all)")
        }
    }

    /// The sandbox's own executable (installed beside keyflow) follows the same convention.
    @Test func sandboxUsageErrorsExitTwoWithAHint() throws {
        let sandbox = URL(fileURLWithPath: TestPaths.keyflowBinary).deletingLastPathComponent()
            .appendingPathComponent("keyflow-sandbox").path
        for arguments in [["--nosuch"], ["--latency", "soon"], ["--port", "99999"]] {
            let r = try runProcess(sandbox, arguments, environment: isolatedEnvironment([:]))
            #expect(r.status == 2, "\(arguments): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 2 && lines[0].hasPrefix("keyflow serve: error: ") && lines[1].hasPrefix("  help: "), "\(r.stderr)")
        }
    }

    @Test func helpAndVersionStillExitZero() throws {
        for arguments in [["--help"], ["help"], ["help", "run"], ["help", "rotate"], ["context", "add", "--help"], ["run", "--help"], ["--version"]] {
            let r = try keyflow(arguments)
            #expect(r.status == 0, "\(arguments): \(r.all)")
            #expect(!r.stdout.isEmpty)
        }
    }
}

// MARK: - CI: workflow annotations and the Markdown summary

extension ConventionsCLITests {
    /// A script with two errors, in a folder whose name needs escaping in a property.
    func brokenScript() throws -> (folder: String, path: String) {
        let folder = try TestPaths.temporaryFolder("keyflow-ci")
        try FileManager.default.createDirectory(atPath: folder + "/a,b:c", withIntermediateDirectories: true)
        let path = folder + "/a,b:c/broken.kf"
        try "ensure \"svc\"\n  scopes [databses.read]\nprint nme\n".write(toFile: path, atomically: true, encoding: .utf8)
        return (folder, path)
    }

    @Test func checkPrintsWorkflowAnnotationsUnderFormatGithubOrGitHubActions() throws {
        let (folder, path) = try brokenScript()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let escapedPath = path.replacingOccurrences(of: ",", with: "%2C").replacingOccurrences(of: ":", with: "%3A")
        for (arguments, environment) in [(["check", "--format", "github", path], [:]), (["check", path], ["GITHUB_ACTIONS": "true"])] {
            let r = try keyflow(arguments, environment: environment)
            #expect(r.status == 2)
            let lines = r.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 2, "\(r.stdout)")
            #expect(lines.first?.hasPrefix("::error file=\(escapedPath),line=2,col=11,endLine=2,endColumn=24,title=keyflow unknown-scope::unknown scope") == true, "\(r.stdout)")
            #expect(lines.first?.contains("did you mean databases.read?") == true, "\(r.stdout)")
            #expect(lines.last?.hasPrefix("::error file=\(escapedPath),line=3,col=7,endLine=3,endColumn=10,title=keyflow undefined-name::") == true)
            #expect(r.stderr == "2 errors in 1 file\n")
        }
        // --json still wins over GitHub Actions, and text is what it was without it.
        let json = try keyflow(["check", "--json", path], environment: ["GITHUB_ACTIONS": "true"])
        #expect(json.stdout.hasPrefix("{\"event\":\"diagnostic\""))
        let text = try keyflow(["check", path], environment: ["GITHUB_ACTIONS": "false"])
        #expect(text.stdout.isEmpty && text.stderr.contains("error: unknown scope"))
        let contradiction = try keyflow(["check", "--json", "--format", "github", path])
        #expect(contradiction.status == 2)
    }

    @Test func githubFormatAppendsAMarkdownJobSummaryAndPlanMarkdownPrintsIt() throws {
        let cwd = try TestPaths.temporaryFolder("keyflow-ci")
        defer { try? FileManager.default.removeItem(atPath: cwd) }
        let summaryFile = cwd + "/step-summary.md"
        try "earlier step's summary\n".write(toFile: summaryFile, atomically: true, encoding: .utf8)
        let script = Self.root + "/examples/onboard.kf"
        let environment = ["KEYFLOW_SANDBOX": cwd + "/sandbox", "GITHUB_STEP_SUMMARY": summaryFile]
        func run(_ arguments: [String], _ extra: [String: String] = [:]) throws -> ProcessOutput {
            try runKeyflow(arguments, environment: isolatedEnvironment(environment.merging(extra) { $1 }), directory: cwd)
        }

        let plan = try run(["plan", "--sandbox", "--format", "github", script, "service=search"])
        #expect(plan.status == 0, "\(plan.all)")
        let written = try String(contentsOfFile: summaryFile, encoding: .utf8)
        #expect(written.hasPrefix("earlier step's summary\n\n### keyflow plan: `\(script)`\n"), "\(written)")
        #expect(written.contains("📝 **Plan: 2 to create, 2 secrets to deliver.**"))
        #expect(written.contains("```diff\n+ create \"svc-search\" scopes [databases.read, databases.write, users.read]"))
        #expect(written.contains("→ secret of \"svc-search\" to file \"out/secrets/search.key\""))
        #expect(!written.contains("id          "), "show's output is data, not the plan")

        // The same summary on standard output, and nothing else there; no job summary without github.
        let markdown = try run(["plan", "--sandbox", "--markdown", script, "service=search"])
        #expect(markdown.status == 0, "\(markdown.all)")
        // (Each embedded sandbox has a port of its own, and the expiry is counted from now.)
        func normalised(_ text: String) -> String {
            text.replacingOccurrences(of: #"127\.0\.0\.1:\d+"#, with: "127.0.0.1:PORT", options: .regularExpression)
                .replacingOccurrences(of: #"\d{4}-\d\d-\d\dT[0-9:]+Z"#, with: "TIME", options: .regularExpression)
        }
        #expect(markdown.stdout.hasPrefix("### keyflow plan: "))
        #expect(normalised(written).hasSuffix("\n" + normalised(markdown.stdout)), "\(markdown.stdout)")
        #expect(markdown.stderr.contains("target: local sandbox"))
        #expect(try String(contentsOfFile: summaryFile, encoding: .utf8) == written)

        // A run under GitHub Actions: the summary says what was done, and holds no secret.
        let ran = try run(["run", "--sandbox", script, "service=search"], ["GITHUB_ACTIONS": "true"])
        #expect(ran.status == 0, "\(ran.all)")
        let afterRun = try String(contentsOfFile: summaryFile, encoding: .utf8)
        #expect(afterRun.contains("### keyflow run: `\(script)`"))
        #expect(afterRun.contains("+ created \"svc-search\""))
        let secrets = RuntimeCLITests.sinkSecrets(cwd + "/out")
        #expect(secrets.count == 2)
        RuntimeCLITests.assertNoSecrets(afterRun + ran.all, secrets, "the job summary")

        // Diagnostics of a plan as annotations, and in the summary's table.
        let (folder, broken) = try brokenScript()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let invalid = try run(["plan", "--sandbox", "--format", "github", broken])
        #expect(invalid.status == 2)
        #expect(invalid.stdout.hasPrefix("::error file="))
        #expect(try String(contentsOfFile: summaryFile, encoding: .utf8).contains("| error | \(broken):2:11 | unknown scope"))
    }
}

// MARK: - Streams, standard input, fmt --diff

extension ConventionsCLITests {
    @Test func jsonRunCarriesOnlyEventsAndStructuredKeys() throws {
        let cwd = try TestPaths.temporaryFolder("keyflow-streams")
        defer { try? FileManager.default.removeItem(atPath: cwd) }
        let script = "ensure \"svc-a\" scopes [users.read]\nlist\nshow \"svc-a\"\nprint \"made\", 2\n"
        let r = try runKeyflow(
            ["run", "--json", "--sandbox", "-"], environment: isolatedEnvironment(["KEYFLOW_SANDBOX": cwd + "/sandbox"]),
            directory: cwd, stdin: script)
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stderr.isEmpty, "nothing for people under --json: \(r.stderr)")
        // (runKeyflow has validated every line against docs/events.schema.json.)
        let events = try r.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(events.map { $0["event"] as! String } == ["target", "step_started", "step_finished", "keys", "key", "output", "summary"])
        let listed = events[3]["keys"] as? [[String: Any]]
        #expect(listed?.contains { $0["name"] as? String == "svc-a" && $0["expire"] as? String == "never" && $0["accessed"] as? String == "never" } == true)
        #expect((events[4]["key"] as? [String: Any])?["name"] as? String == "svc-a")
        #expect(events[5]["text"] as? String == "made 2")
        #expect(events[5]["values"] as? [AnyHashable] == ["made", 2])
        #expect((events[3]["source"] as? [String: Any])?["line"] as? Int == 2)
    }

    @Test func textPlanPutsResultsOnStdoutAndStatusOnStderr() throws {
        let cwd = try TestPaths.temporaryFolder("keyflow-streams")
        defer { try? FileManager.default.removeItem(atPath: cwd) }
        let r = try runKeyflow(
            ["plan", "--sandbox", "-"], environment: isolatedEnvironment(["KEYFLOW_SANDBOX": cwd + "/sandbox"]), directory: cwd,
            stdin: "ensure \"svc-b\" scopes [users.read]\nprint \"hello\"\n")
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout == "+ create \"svc-b\" scopes [users.read]\nhello\n", "\(r.stdout)")
        #expect(r.stderr.hasPrefix("target: local sandbox http://127.0.0.1:"), "\(r.stderr)")
        #expect(r.stderr.hasSuffix("Plan: 1 to create.\n"), "\(r.stderr)")
    }

    @Test func invalidScriptUnderJSONStillEndsWithASummary() throws {
        for mode in ["plan", "run"] {
            let r = try keyflow([mode, "--json", "--sandbox", "-"], stdin: "ensure \"x\" scopes [databses.read]\n")
            #expect(r.status == 2)
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("{\"event\":\"diagnostic\"") == true, "\(r.stdout)")
            #expect(lines.last?.hasPrefix("{\"event\":\"summary\"") == true && lines.last?.contains("\"status\":\"invalid\"") == true, "\(r.stdout)")
            let unreadable = try keyflow([mode, "--json", "--sandbox", "no/such.kf"])
            #expect(unreadable.status == 2)
            let last = unreadable.stdout.split(separator: "\n").last.map(String.init) ?? ""
            #expect(last.hasPrefix("{\"event\":\"summary\"") && last.contains("\"mode\":\"\(mode)\"") && last.contains("\"status\":\"invalid\""), "\(unreadable.stdout)")
        }
    }

    @Test func checkFmtAndPlanReadStandardInput() throws {
        let check = try keyflow(["check", "-"], stdin: "print nme\n")
        #expect(check.status == 2)
        #expect(check.stderr.hasPrefix("<stdin>:1:7: error: undefined name `nme`"), "\(check.stderr)")
        let clean = try keyflow(["check", "-"], stdin: "print \"fine\"\n")
        #expect(clean.status == 0 && clean.all.isEmpty)
        let fmt = try keyflow(["fmt", "-"], stdin: "let   x=1\nprint x\n")
        #expect(fmt.status == 0)
        #expect(fmt.stdout == "let x = 1\nprint x\n")
    }

    @Test func fmtDiffPrintsAUnifiedDiffThatPatchApplies() throws {
        let dir = try TestPaths.temporaryFolder("keyflow-fmt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = "let   x=1 # keep me\nprint x\nprint \"a\"\nprint \"b\"\nprint \"c\"\nprint \"d\"\nprint \"e\"\nprint \"f\"\nif x == 1 {print x}"
        try original.write(toFile: dir + "/a.kf", atomically: true, encoding: .utf8)
        let r = try runKeyflow(["fmt", "--diff", "a.kf"], environment: isolatedEnvironment(), directory: dir)
        #expect(r.status == 1, "\(r.all)")
        #expect(r.stdout.hasPrefix("--- a.kf\n+++ a.kf\n@@ -1,4 +1,4 @@\n-let   x=1 # keep me\n+let x = 1 # keep me\n print x\n"), "\(r.stdout)")
        #expect(r.stdout.contains("\n@@ -6,4 +6,6 @@\n print \"d\"\n print \"e\"\n print \"f\"\n-if x == 1 {print x}\n\\ No newline at end of file\n+if x == 1 {\n+  print x\n+}\n"), "\(r.stdout)")
        #expect(try String(contentsOfFile: dir + "/a.kf", encoding: .utf8) == original, "--diff changes nothing")
        // patch applies it, and the result is the canonical layout.
        try r.stdout.write(toFile: dir + "/fmt.diff", atomically: true, encoding: .utf8)
        let patched = try runProcess("/usr/bin/patch", ["-p0", "-i", "fmt.diff"], directory: dir)
        #expect(patched.status == 0, "\(patched.all)")
        let formatted = try runKeyflow(["fmt", "-"], environment: isolatedEnvironment(), directory: dir, stdin: original)
        #expect(try String(contentsOfFile: dir + "/a.kf", encoding: .utf8) == formatted.stdout)
        // A formatted file: no diff, exit 0; standard input too.
        let again = try runKeyflow(["fmt", "--diff", "a.kf"], environment: isolatedEnvironment(), directory: dir)
        #expect(again.status == 0 && again.stdout.isEmpty, "\(again.all)")
        let piped = try keyflow(["fmt", "--diff", "-"], stdin: "print   1\n")
        #expect(piped.status == 1 && piped.stdout == "--- <stdin>\n+++ <stdin>\n@@ -1 +1 @@\n-print   1\n+print 1\n", "\(piped.stdout)")
        #expect(try keyflow(["fmt", "--diff", "--check", "a.kf"]).status == 2)
    }
}

extension ConventionsCLITests {
    /// The check every run of the binary gets (`runProcess`) can fail: it refuses what the schema does not allow.
    @Test func theSchemaValidatorRefusesWhatTheSchemaDoesNotAllow() throws {
        try EventSchema.shared.validate([#"{"event":"warning","message":"fine"}"#])
        for bad in [
            #"{"event":"diagnostic","id":"x","message":"m"}"#,  // no severity
            #"{"event":"key","key":{"id":"k"},"source":{"file":"a","line":1,"column":1,"end_line":1,"end_column":2}}"#,
            #"{"event":"doctor","status":"ok","endpoint":"e","project":"p","credential":"c","checks":[],"serverVersion":"1"}"#,
            #"{"event":"step_planned","step":{"kind":"create","statement":"ensure","source":{"file":"a","line":1,"column":1,"end_line":1,"end_column":2},"id":"i","name":"n","scopes":[],"expire":null}}"#,
            "not json",
        ] {
            #expect(throws: TestSupportFailure.self, "\(bad)") { try EventSchema.shared.validate([bad]) }
        }
    }
}
