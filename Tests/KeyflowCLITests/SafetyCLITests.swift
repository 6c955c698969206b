import Foundation
import KeyflowTestSupport
import Testing

/// The safety rails of docs/language.md §12.6b, end to end: the real `keyflow` binary
/// against a real sandbox (`keyflow serve`): saved plans (docs/saved-plans.md), rotating
/// the credential key itself, the every-key warning, assertions that name their keys, and
/// the confirmation prompt in a real terminal (tmux).
@Suite(.serialized) struct SafetyCLITests {
    typealias Server = ServeProcess
    static var binary: String { TestPaths.keyflowBinary }

    static func keyflow(_ args: [String], cwd: String, env: [String: String]) throws -> ProcessOutput {
        let environment = isolatedEnvironment(["HOME": cwd, "XDG_CONFIG_HOME": cwd + "/.config"].merging(env) { $1 })
        return try runProcess(binary, args, environment: environment, directory: cwd)
    }

    static func write(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The keys the server holds, listed with curl and `apiKey` (the server's own by default).
    static func keys(_ server: Server, apiKey: String? = nil) throws -> [[String: Any]] {
        let data = try capture(
            "/usr/bin/env",
            ["curl", "-sS", "-H", "X-Appwrite-Project: \(server.project)", "-H", "X-Appwrite-Key: \(apiKey ?? server.apiKey)",
             server.endpoint + "/project/keys"])
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any], let keys = json["keys"] as? [[String: Any]] else {
            throw TestSupportFailure("listing keys answered: \(String(decoding: data, as: UTF8.self))")
        }
        return keys
    }

    static func names(_ server: Server) throws -> [String] { try keys(server).map { $0["name"] as! String }.sorted() }

    static func assertNoSecret(_ text: String, _ server: Server, _ context: String) throws {
        for secret in try keys(server).map({ $0["secret"] as! String }) + [server.apiKey, server.session] {
            #expect(!text.contains(secret), "a secret leaked in \(context)")
        }
        #expect(text.range(of: #"(standard|ephemeral)_[A-Za-z0-9]{16,}"#, options: .regularExpression) == nil, "secret-shaped text in \(context)")
    }

    // MARK: - Saved plans

    /// `plan -o` writes the steps, mode 0600, without a secret; `show-plan` prints what
    /// `plan` printed; `run FILE` executes exactly those steps (the planned ids, the sinks,
    /// a rotation, an ephemeral key), after which the same file is stale.
    @Test func aSavedPlanRunsExactlyItsSteps() throws {
        let server = try Server()
        let cwd = try TestPaths.temporaryFolder("keyflow-saved")
        let env = server.environment()
        try Self.write(
            """
            ensure "deploy" scopes [functions.write] expire in 30d
            create "old-tmp" scopes [users.read]
            """, cwd + "/setup.kf")
        let setup = try Self.keyflow(["run", "setup.kf"], cwd: cwd, env: env)
        #expect(setup.status == 0, "\(setup.all)")

        try Self.write(
            """
            param owner = "ops"
            create "svc-${owner}" scopes [users.read] secret to file "out/svc.key"
            grant "deploy" [sites.write]
            delete "old-tmp"
            rotate "deploy" grace 1h secret to env "DEPLOY_KEY" in "out/.env"
            ephemeral scopes [users.read] expire in 10m secret to file "out/eph.key"
            """, cwd + "/change.kf")
        let plan = try Self.keyflow(["plan", "-o", "change.plan", "change.kf", "owner=billing"], cwd: cwd, env: env)
        #expect(plan.status == 0, "\(plan.all)")
        #expect(plan.stderr.contains("Saved the plan (7 steps) to change.plan"), "\(plan.stderr)")
        let path = cwd + "/change.plan"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "the plan file is mode 0600")
        let file = try Self.read(path)
        #expect(file.hasPrefix("{\n  \"format\": \"keyflow-plan\",\n  \"version\": 1,"), "\(file.prefix(80))")
        #expect(file.contains(#""parameters":{"owner":"billing"}"#), "\(file)")
        #expect(file.contains(#""credential":"api key + session""#), "\(file)")
        try Self.assertNoSecret(file, server, "the saved plan")
        #expect(!FileManager.default.fileExists(atPath: cwd + "/out/svc.key"), "a plan touches no sink")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cwd).filter { $0.contains("keyflow-") }.isEmpty, "no temporary file left")

        // show-plan prints the steps as plan did (the same lines, the same summary).
        let shown = try Self.keyflow(["show-plan", "change.plan"], cwd: cwd, env: [:])
        #expect(shown.status == 0, "\(shown.all)")
        // (A rotation's times are shown as of now: the run works them out when it runs.)
        func timeless(_ text: String) -> String {
            text.replacingOccurrences(of: #"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+Z"#, with: "<TIME>", options: .regularExpression)
        }
        #expect(timeless(shown.stdout) == timeless(plan.stdout), "show-plan:\n\(shown.stdout)\nplan:\n\(plan.stdout)")
        let planStatus = plan.stderr.split(separator: "\n").filter { !$0.hasPrefix("Saved the plan") }
        #expect(shown.stderr.split(separator: "\n") == planStatus, "show-plan:\n\(shown.stderr)\nplan:\n\(plan.stderr)")
        let json = try Self.keyflow(["show-plan", "--json", "change.plan"], cwd: cwd, env: [:])
        #expect(json.stdout.split(separator: "\n").filter { $0.contains(#""event":"step_planned""#) }.count == 7, "\(json.stdout)")

        // The run: exactly the planned steps, the planned create id among them.
        let createdID = try #require(file.range(of: #""kind":"create","statement":"create","project":"[^"]*","source":\{[^}]*\},"id":"([^"]+)""#, options: .regularExpression).map { String(file[$0]) })
            .components(separatedBy: #""id":""#).last!.dropLast()
        let run = try Self.keyflow(["run", "change.plan"], cwd: cwd, env: env)
        #expect(run.status == 0, "\(run.all)")
        #expect(run.all.contains("Done: "), "\(run.all)")
        try Self.assertNoSecret(run.all, server, "the run of a saved plan")
        let after = try Self.keys(server)
        let svc = try #require(after.first { $0["name"] as? String == "svc-billing" })
        #expect(svc["$id"] as? String == String(createdID), "the key has the planned id")
        #expect(try Self.read(cwd + "/out/svc.key") == (svc["secret"] as! String) + "\n")
        let deploy = try #require(after.first { $0["name"] as? String == "deploy" })
        #expect((deploy["scopes"] as? [String]) == ["functions.write", "sites.write"], "\(deploy)")
        #expect(try Self.read(cwd + "/out/.env") == "DEPLOY_KEY=\(deploy["secret"] as! String)\n")
        #expect(after.contains { ($0["name"] as? String ?? "").hasPrefix("deploy (rotated ") })
        #expect(!after.contains { $0["name"] as? String == "old-tmp" })
        #expect(try Self.read(cwd + "/out/eph.key").hasPrefix("ephemeral_"), "the ephemeral key minted by the run was delivered")

        // Run again: every key it read has changed since.
        let again = try Self.keyflow(["run", "change.plan"], cwd: cwd, env: env)
        #expect(again.status == 1, "\(again.all)")
        #expect(again.stderr.contains("changed since it was made"), "\(again.stderr)")
        #expect(again.stderr.contains(#"key "old-tmp""#) && again.stderr.contains("was deleted"), "\(again.stderr)")
        #expect(try Self.keys(server).count == after.count, "nothing was written")
    }

    /// A key changed by someone else between plan and run, another target, a file edited
    /// by hand, cut short, or of an unknown version: refused before the first write, each
    /// with its cause.
    @Test func aSavedPlanRefusesWhatChangedSince() throws {
        let server = try Server(projects: ["home", "other"])
        let cwd = try TestPaths.temporaryFolder("keyflow-stale")
        let env = server.environment()
        try Self.write(#"create "a" scopes [users.read]"# + "\n" + #"create "b" scopes [users.read]"#, cwd + "/setup.kf")
        #expect(try Self.keyflow(["run", "setup.kf"], cwd: cwd, env: env).status == 0)
        try Self.write(#"delete keys where name == "a" or name == "b""#, cwd + "/sweep.kf")
        let plan = try Self.keyflow(["plan", "-o", "sweep.plan", "sweep.kf"], cwd: cwd, env: env)
        #expect(plan.status == 0, "\(plan.all)")
        let before = try Self.names(server)

        // Someone else changes "a" meanwhile.
        try Self.write(#"grant "a" [users.write]"#, cwd + "/grant.kf")
        #expect(try Self.keyflow(["run", "grant.kf"], cwd: cwd, env: env).status == 0)
        let stale = try Self.keyflow(["run", "sweep.plan"], cwd: cwd, env: env)
        #expect(stale.status == 1, "\(stale.all)")
        #expect(stale.stderr.contains(#"key "a" ("#) && stale.stderr.contains(") changed (updated "), "\(stale.stderr)")
        #expect(!stale.stderr.contains(#"key "b""#), "only what changed is named: \(stale.stderr)")
        #expect(try Self.names(server) == before, "nothing was deleted")

        // Another project than the plan's.
        let fresh = try Self.keyflow(["plan", "-o", "sweep.plan", "sweep.kf"], cwd: cwd, env: env)
        #expect(fresh.status == 0)
        var elsewhere = server.organizationEnvironment(project: "other")
        elsewhere["APPWRITE_API_KEY"] = server.apiKey
        elsewhere["APPWRITE_SESSION"] = server.session
        let other = try Self.keyflow(["run", "sweep.plan"], cwd: cwd, env: elsewhere)
        #expect(other.status == 1, "\(other.all)")
        #expect(other.stderr.contains("the saved plan was made for another target"), "\(other.stderr)")

        // Edited, cut short, an unknown version.
        let text = try Self.read(cwd + "/sweep.plan")
        try Self.write(text.replacingOccurrences(of: #""name":"b""#, with: #""name":"c""#), cwd + "/edited.plan")
        let edited = try Self.keyflow(["run", "edited.plan"], cwd: cwd, env: env)
        #expect(edited.status == 2 && edited.stderr.contains("does not match its checksum"), "\(edited.all)")
        try Self.write(String(text.prefix(text.count / 2)), cwd + "/cut.plan")
        let cut = try Self.keyflow(["run", "cut.plan"], cwd: cwd, env: env)
        #expect(cut.status == 2 && cut.stderr.contains("not complete JSON"), "\(cut.all)")
        try Self.write(text.replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 9,"), cwd + "/future.plan")
        let future = try Self.keyflow(["run", "future.plan"], cwd: cwd, env: env)
        #expect(future.status == 1 && future.stderr.contains("format version 9"), "\(future.all)")
        #expect(try Self.names(server) == before, "nothing was deleted")

        // The fresh plan, unchanged, runs.
        let ok = try Self.keyflow(["run", "sweep.plan"], cwd: cwd, env: env)
        #expect(ok.status == 0, "\(ok.all)")
        #expect(try !Self.names(server).contains("a"))
    }

    /// `in project` steps are saved with their project, and each project's keys are fingerprinted.
    @Test func aSavedPlanActsOnSeveralProjects() throws {
        let server = try Server(projects: ["home", "tenant-a"])
        let cwd = try TestPaths.temporaryFolder("keyflow-saved-org")
        let env = server.organizationEnvironment(project: "home")
        try Self.write(
            """
            in project "tenant-a" { ensure "ci" scopes [users.read] secret to file "out/a.key" }
            ensure "ci" scopes [users.read]
            """, cwd + "/org.kf")
        let plan = try Self.keyflow(["plan", "-o", "org.plan", "org.kf"], cwd: cwd, env: env)
        #expect(plan.status == 0, "\(plan.all)")
        let file = try Self.read(cwd + "/org.plan")
        #expect(file.contains(#""projects": ["home","tenant-a"]"#), "\(file)")
        #expect(file.contains(#"{"project":"tenant-a","name_prefix":null,"keys":["#), "\(file)")
        let run = try Self.keyflow(["run", "org.plan"], cwd: cwd, env: env)
        #expect(run.status == 0, "\(run.all)")
        let a = try server.listedKeys(inProject: "tenant-a").filter { $0["name"] as? String == "ci" }
        #expect(a.count == 1)
        #expect(try Self.read(cwd + "/out/a.key") == (a.first?["secret"] as? String ?? "-") + "\n")
        #expect(try server.listedKeys(inProject: "home").filter { $0["name"] as? String == "ci" }.count == 1)
    }

    // MARK: - The credential key

    /// Rotating the API key keyflow authenticates with: once the successor is delivered the
    /// rest of the run uses it, so even `grace 0` (the old key deleted at once) leaves the
    /// later statements working.
    @Test func rotatingItsOwnKeySwitchesToTheSuccessor() throws {
        let server = try Server()
        let cwd = try TestPaths.temporaryFolder("keyflow-own")
        try Self.write(#"create "other" scopes [users.read]"#, cwd + "/setup.kf")
        #expect(try Self.keyflow(["run", "setup.kf"], cwd: cwd, env: server.environment()).status == 0)
        try Self.write(
            """
            rotate "Sandbox bootstrap key" grace 0 secret to file "own.key"
            grant "other" [users.write]
            """, cwd + "/own.kf")
        let run = try Self.keyflow(["run", "--allow-self", "own.kf"], cwd: cwd, env: server.environment())
        #expect(run.status == 0, "\(run.all)")
        let successor = try Self.read(cwd + "/own.key").trimmingCharacters(in: .newlines)
        #expect(successor != server.apiKey)
        let keys = try Self.keys(server, apiKey: successor)
        #expect(keys.first { $0["name"] as? String == "other" }?["scopes"] as? [String] == ["users.read", "users.write"], "\(keys)")
        #expect(!keys.contains { $0["secret"] as? String == server.apiKey }, "the old key is gone")
    }

    // MARK: - Warnings and assertions

    @Test func aSelectorOfEveryKeyIsAPlanWarning() throws {
        let server = try Server()
        let cwd = try TestPaths.temporaryFolder("keyflow-every")
        try Self.write(#"create "tmp-1" scopes [users.read]"#, cwd + "/setup.kf")
        #expect(try Self.keyflow(["run", "setup.kf"], cwd: cwd, env: server.environment()).status == 0)
        try Self.write(#"grant keys where name != "" users.write"#, cwd + "/all.kf")
        let all = try Self.keyflow(["plan", "all.kf"], cwd: cwd, env: server.environment())
        #expect(all.status == 0, "\(all.all)")
        #expect(all.stderr.contains("warning: `grant` selects every key of project \"\(server.project)\" (2 keys)"), "\(all.stderr)")
        try Self.write(#"grant keys where name ~ "tmp-*" users.write"#, cwd + "/some.kf")
        let some = try Self.keyflow(["plan", "some.kf"], cwd: cwd, env: server.environment())
        #expect(some.status == 0, "\(some.all)")
        #expect(!some.stderr.contains("every key"), "a list narrowed to tmp-* is not every key: \(some.stderr)")
    }

    @Test func aFailedCountAssertionListsTheKeys() throws {
        let server = try Server()
        let cwd = try TestPaths.temporaryFolder("keyflow-assert")
        let creates = (1...12).map { #"create "stale-\#(String(format: "%02d", $0))" scopes [users.read]"# }.joined(separator: "\n")
        try Self.write(creates, cwd + "/setup.kf")
        #expect(try Self.keyflow(["run", "setup.kf"], cwd: cwd, env: server.environment()).status == 0)
        try Self.write(#"assert count(keys where name ~ "stale-*") == 0, "no stale keys""#, cwd + "/check.kf")
        let failed = try Self.keyflow(["plan", "check.kf"], cwd: cwd, env: server.environment())
        #expect(failed.status == 3, "\(failed.all)")
        #expect(failed.stderr.contains("assertion failed: no stale keys"), "\(failed.stderr)")
        #expect(failed.stderr.contains(#"12 keys where name ~ "stale-*": "stale-01" ("#), "\(failed.stderr)")
        #expect(failed.stderr.contains(#""stale-10" ("#) && !failed.stderr.contains(#""stale-11""#), "at most 10: \(failed.stderr)")
        #expect(failed.stderr.contains(" and 2 more"), "\(failed.stderr)")
        let json = try Self.keyflow(["plan", "--json", "check.kf"], cwd: cwd, env: server.environment())
        #expect(json.stdout.contains(#""detail":"12 keys where name ~ \"stale-*\": \"stale-01\" ("#), "\(json.stdout)")
    }

    // MARK: - Confirmation in a terminal

    /// On a terminal a run that deletes asks first; anything but y aborts with exit 1 and
    /// no write; y applies; --yes does not ask. The REPL asks the same of a bulk delete.
    @Test func aDestructiveRunAsksOnATerminal() async throws {
        let server = try Server()
        let cwd = try TestPaths.temporaryFolder("keyflow-confirm")
        try Self.write(#"create "doomed" scopes [users.read]"# + "\n" + #"create "doomed-2" scopes [users.read]"#, cwd + "/setup.kf")
        #expect(try Self.keyflow(["run", "setup.kf"], cwd: cwd, env: server.environment()).status == 0)
        try Self.write(#"delete "doomed""#, cwd + "/delete.kf")
        let env = ReplTerminalTests.environment(home: cwd, server: server)
        let question = "Apply these 1 changes to project \"\(server.project)\" on \(server.endpoint)? [y/N]"

        for (answer, status, left) in [("n", 1, true), ("", 1, true), ("y", 0, false)] {
            let terminal = ReplTerminalTests.Terminal()
            defer { terminal.kill() }
            try terminal.start(["run", cwd + "/delete.kf"], env: env)
            let asked = try await terminal.wait("the question") { $0.contains(question) }
            #expect(asked.contains(#"- delete "doomed""#), "the plan is shown first: \(asked)")
            #expect(try Self.names(server).contains("doomed"), "nothing is written before the answer")
            try terminal.enter(answer)
            let done = try await terminal.wait("the exit") { $0.contains("[exited with status") }
            #expect(done.contains("[exited with status \(status)]"), "answer \(answer): \(done)")
            if status == 1 { #expect(done.contains("the run was not confirmed"), "\(done)") }
            #expect(try Self.names(server).contains("doomed") == left, "answer \(answer)")
        }

        // --yes: no question.
        try Self.write(#"delete "doomed-2""#, cwd + "/delete2.kf")
        let terminal = ReplTerminalTests.Terminal()
        defer { terminal.kill() }
        try terminal.start(["run", "--yes", cwd + "/delete2.kf"], env: env)
        let done = try await terminal.wait("the exit") { $0.contains("[exited with status") }
        #expect(done.contains("[exited with status 0]") && !done.contains("[y/N]"), "\(done)")
        #expect(try !Self.names(server).contains("doomed-2"))
    }

    @Test func theREPLAsksBeforeABulkDelete() async throws {
        let server = try Server()
        let cwd = try TestPaths.temporaryFolder("keyflow-confirm-repl")
        try Self.write((1...3).map { #"create "tmp-\#($0)" scopes [users.read]"# }.joined(separator: "\n") + "\n" + #"create "single" scopes [users.read]"#, cwd + "/setup.kf")
        #expect(try Self.keyflow(["run", "setup.kf"], cwd: cwd, env: server.environment()).status == 0)
        let terminal = ReplTerminalTests.Terminal()
        defer { terminal.kill() }
        try terminal.start(["repl"], env: ReplTerminalTests.environment(home: cwd, server: server))
        let prompt = "\(server.project)@127.0.0.1:"
        try await terminal.waitForPrompt(1, prompt: prompt)
        try terminal.enter(#"delete keys where name ~ "tmp-*""#)
        let question = "Apply these 3 changes to project \"\(server.project)\" on \(server.endpoint)? [y/N]"
        try await terminal.wait("the question") { $0.contains(question) }
        try terminal.enter("no")
        let refused = try await terminal.waitForPrompt(2, prompt: prompt)
        #expect(refused.contains("the run was not confirmed"), "\(refused)")
        #expect(try Self.names(server).filter { $0.hasPrefix("tmp-") }.count == 3)
        try terminal.enter(#"delete keys where name ~ "tmp-*""#)
        try await terminal.wait("the second question") { $0.components(separatedBy: question).count == 3 }
        try terminal.enter("y")
        try await terminal.waitForPrompt(3, prompt: prompt)
        #expect(try Self.names(server).filter { $0.hasPrefix("tmp-") }.isEmpty)
        // A single delete, typed on purpose, is not asked about.
        try terminal.enter(#"delete "single""#)
        let single = try await terminal.waitForPrompt(4, prompt: prompt)
        #expect(single.components(separatedBy: "[y/N]").count == 3, "\(single)")
        #expect(try !Self.names(server).contains("single"))
    }
}
