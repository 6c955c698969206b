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
        (["help", "nosuch"], "error: no help topic 'nosuch'", "keyflow --help"),
        (["help", "context", "nosuch"], "error: no help topic 'context nosuch'", "keyflow --help"),
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

    @Test func helpAndVersionStillExitZero() throws {
        for arguments in [["--help"], ["help"], ["help", "run"], ["help", "context", "add"], ["run", "--help"], ["--version"]] {
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
