import Foundation
import KeyflowTestSupport
import Testing

/// The CI and cron examples, run here as far as they can be: examples/ci/github-actions.yml
/// is parsed (PyYAML) and every `run:` step of both jobs runs with bash as the runner would
/// (`bash -e -o pipefail`, the workflow's environment with `vars` and `secrets` filled in from
/// a `keyflow serve` organization, GITHUB_ACTIONS=true, a GITHUB_STEP_SUMMARY file); only the
/// step that downloads keyflow is left out. examples/cron/keyflow-cron is run against the same
/// kind of server: its log, its rotation and its exit codes.
@Suite(.serialized) struct CIExamplesCLITests {
    static let root = TestPaths.packageRoot
    static var binary: String { TestPaths.keyflowBinary }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// A folder with `bin/keyflow` (the binary under test, keyflow-sandbox beside it through
    /// the link's target) for PATH.
    static func workspace() throws -> (folder: String, bin: String) {
        let folder = try TestPaths.temporaryFolder("keyflow-ci")
        let bin = folder + "/.bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/keyflow", withDestinationPath: binary)
        return (folder, bin)
    }

    static func workflow() throws -> [String: Any] {
        let path = root.appendingPathComponent("examples/ci/github-actions.yml").path
        let parsed = try runProcess(
            "/usr/bin/env", ["python3", "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", path])
        guard parsed.status == 0, let object = try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Any] else {
            throw Failure("examples/ci/github-actions.yml does not parse: \(parsed.all)")
        }
        return object
    }

    /// `${{ vars.X }}`, `${{ secrets.X }}` and `${{ github.token }}` replaced from `values`.
    static func expand(_ text: String, _ values: [String: String]) -> String {
        var out = text
        while let start = out.range(of: "${{"), let end = out.range(of: "}}", range: start.upperBound..<out.endIndex) {
            let expression = out[start.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespaces)
            out.replaceSubrange(start.lowerBound..<end.upperBound, with: values[expression] ?? "")
        }
        return out
    }

    static func environment(_ object: Any?, _ values: [String: String]) -> [String: String] {
        ((object as? [String: Any]) ?? [:]).mapValues { expand("\($0)", values) }
    }

    /// Runs one job's steps; answers the job's step summary. Fails on a step that fails.
    static func runJob(
        _ name: String, of workflow: [String: Any], values: [String: String], in folder: String, bin: String, summary: String
    ) throws {
        let jobs = try #require(workflow["jobs"] as? [String: Any])
        let job = try #require(jobs[name] as? [String: Any], "no job \(name)")
        let steps = try #require(job["steps"] as? [[String: Any]])
        var base = isolatedEnvironment(["HOME": folder, "XDG_CONFIG_HOME": folder + "/.config"])
        base.merge(environment(workflow["env"], values)) { $1 }
        base.merge(environment(job["env"], values)) { $1 }
        base["PATH"] = bin + ":/usr/bin:/bin"
        base["GITHUB_ACTIONS"] = "true"
        base["GITHUB_STEP_SUMMARY"] = summary
        base["RUNNER_TEMP"] = folder + "/.runner"
        var ran = 0
        for step in steps {
            if let uses = step["uses"] as? String {
                #expect(["actions/checkout@v4", "actions/upload-artifact@v4"].contains(uses), "an action this test does not know: \(uses)")
                if uses.hasPrefix("actions/upload-artifact"), let with = step["with"] as? [String: Any], let path = with["path"] as? String {
                    let size = (try? FileManager.default.attributesOfItem(atPath: folder + "/" + path)[.size] as? Int) ?? 0
                    #expect(size > 0, "\(name): the artifact \(path) is missing or empty")
                }
                continue
            }
            guard let script = step["run"] as? String else { continue }
            if step["id"] as? String == "install" {
                #expect(script.contains("apt-get install") && script.contains("keyflow_"), "the install step installs the .deb")
                continue  // it downloads the package: no network here, and keyflow is on PATH
            }
            let env = base.merging(environment(step["env"], values)) { $1 }
            let result = try runProcess(
                "/bin/bash", ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script], environment: env, directory: folder)
            ran += 1
            guard result.status == 0 else {
                throw Failure("\(name): step \(step["name"] ?? script) exited \(result.status):\n\(result.all)")
            }
        }
        #expect(ran >= 1, "\(name) ran \(ran) steps")
    }

    /// The pull-request job checks and plans (annotations on stdout, a Markdown summary on the
    /// job's page and in the artifact); the main job runs the playbook against the
    /// organization; a second plan afterwards has nothing to do.
    @Test func theGitHubActionsWorkflowPlansInAPullRequestAndRunsOnMain() throws {
        let workflow = try Self.workflow()
        let triggers = try #require((workflow["on"] ?? workflow["true"]) as? [String: Any], "no `on:` in the workflow")
        #expect(triggers["pull_request"] != nil)
        #expect(((triggers["push"] as? [String: Any])?["branches"] as? [String]) == ["main"])

        let server = try ServeProcess(projects: ["shop", "shop-staging"])
        defer { server.stop() }
        let organization = server.organizationEnvironment()
        let values = [
            "vars.APPWRITE_ENDPOINT": organization["APPWRITE_ENDPOINT"]!, "vars.APPWRITE_PROJECT_ID": organization["APPWRITE_PROJECT_ID"]!,
            "vars.APPWRITE_ORGANIZATION_ID": organization["APPWRITE_ORGANIZATION_ID"]!,
            "secrets.APPWRITE_ORGANIZATION_KEY": organization["APPWRITE_ORGANIZATION_KEY"]!,
        ]
        let (folder, bin) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/playbooks", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("examples/org-ci.kf").path, toPath: folder + "/playbooks/org-ci.kf")

        let planSummary = folder + "/plan-summary.md"
        try Self.runJob("plan", of: workflow, values: values, in: folder, bin: bin, summary: planSummary)
        let summary = try String(contentsOfFile: planSummary, encoding: .utf8)
        #expect(summary.contains("Deployment Key") && summary.contains("#"), "the job summary: \(summary)")
        let comment = try String(contentsOfFile: folder + "/plan.md", encoding: .utf8)
        #expect(comment.contains("Deployment Key"), "plan.md: \(comment)")
        #expect(try Self.keyNames(server, "shop-staging").isEmpty, "the pull request changed nothing")

        try Self.runJob("run", of: workflow, values: values, in: folder, bin: bin, summary: folder + "/run-summary.md")
        for project in ["shop", "shop-staging"] {
            #expect(try Self.keyNames(server, project).contains("Deployment Key"), "\(project)")
            #expect(FileManager.default.fileExists(atPath: "\(folder)/secrets/\(project)/deploy.key"))
        }
        let events = try String(contentsOfFile: folder + "/after-run.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(events.contains { $0.contains(#""event":"summary""#) }, "\(events)")
        #expect(!events.contains { $0.contains(#""event":"planned""#) }, "a plan after the run has nothing to do: \(events)")
    }

    static func keyNames(_ server: ServeProcess, _ project: String) throws -> [String] {
        try server.listedKeys(inProject: project).compactMap { $0["name"] as? String }
    }

    static func cron(_ arguments: [String], env: [String: String], bin: String, folder: String) throws -> ProcessOutput {
        try runProcess(
            Self.root.appendingPathComponent("examples/cron/keyflow-cron").path, arguments,
            environment: isolatedEnvironment(["HOME": folder, "XDG_CONFIG_HOME": folder + "/.config", "PATH": bin + ":/usr/bin:/bin"].merging(env) { $1 }),
            directory: folder)
    }

    /// The cron wrapper: silent on success with the JSON events in its log, the log rotated
    /// at its size limit with the oldest dropped, keyflow's exit code passed on with one line
    /// on stderr; the crontab line names the wrapper with five time fields.
    @Test func theCronWrapperLogsJSONEventsRotatesTheLogAndPassesTheExitCodeOn() throws {
        let crontab = try String(contentsOf: Self.root.appendingPathComponent("examples/cron/crontab"), encoding: .utf8)
        let entries = crontab.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.contains("=") && !$0.isEmpty }
        #expect(entries.count == 1, "\(entries)")
        #expect(entries.first.map { $0.split(separator: " ").count >= 6 && $0.contains("keyflow-cron ") } == true, "\(entries)")

        let server = try ServeProcess()
        defer { server.stop() }
        let (folder, bin) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("examples/onboard.kf").path, toPath: folder + "/onboard.kf")
        let log = folder + "/logs/onboard.jsonl"
        var env = server.environment()
        env["KEYFLOW_LOG"] = log
        env["KEYFLOW_LOG_MAX_BYTES"] = "200"
        env["KEYFLOW_LOG_KEEP"] = "2"

        let first = try Self.cron(["onboard.kf", "service=search"], env: env, bin: bin, folder: folder)
        #expect(first.status == 0, "\(first.all)")
        #expect(first.all.isEmpty, "silent on success: \(first.all)")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix(#"{"event":"#) }, "\(lines)")
        #expect(lines.contains { $0.contains(#""event":"summary""#) })
        for secret in try server.listedKeys().compactMap({ $0["secret"] as? String }) where secret.count > 20 { #expect(!lines.contains { $0.contains(secret) }, "a secret in the log") }
        try EventSchema.shared.validate(lines.map(String.init))

        // Each later run finds the log over 200 bytes: .1 and .2 appear, never a .3.
        for _ in 0..<3 {
            let again = try Self.cron(["onboard.kf", "service=search"], env: env, bin: bin, folder: folder)
            #expect(again.status == 0, "\(again.all)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/logs").sorted()
        #expect(files.contains("onboard.jsonl") && files.contains("onboard.jsonl.1") && files.contains("onboard.jsonl.2"), "\(files)")
        #expect(!files.contains("onboard.jsonl.3"), "KEYFLOW_LOG_KEEP=2: \(files)")

        // An assert that fails: exit 3 from keyflow, from the wrapper, with one line on stderr.
        try #"assert count(keys) > 1000, "too few keys""#.write(toFile: folder + "/audit.kf", atomically: true, encoding: .utf8)
        env["KEYFLOW_LOG"] = folder + "/logs/audit.jsonl"
        let failed = try Self.cron(["audit.kf"], env: env, bin: bin, folder: folder)
        #expect(failed.status == 3, "\(failed.all)")
        #expect(failed.stderr.contains("audit.kf failed with exit 3") && failed.stdout.isEmpty, "\(failed.all)")
        let audit = try String(contentsOfFile: folder + "/logs/audit.jsonl", encoding: .utf8)
        #expect(audit.contains("too few keys"), "\(audit)")

        let usage = try Self.cron([], env: env, bin: bin, folder: folder)
        #expect(usage.status == 2 && usage.stderr.contains("usage: keyflow-cron"), "\(usage.all)")
    }
}
