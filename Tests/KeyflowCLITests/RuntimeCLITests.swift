import Foundation
import KeyflowTestSupport
import Testing

/// End to end: the real `keyflow` binary (KEYFLOW_BIN, else .build/debug/keyflow) running
/// the example playbooks against a real sandbox (`keyflow serve`), checking stdout, stderr
/// and exit codes — and that no secret ever appears in what it prints.
@Suite(.serialized) struct RuntimeCLITests {
    static let root = TestPaths.packageRoot
    static var binary: String { TestPaths.keyflowBinary }
    static func example(_ name: String) -> String { root.appendingPathComponent("examples/\(name)").path }

    typealias Output = ProcessOutput
    typealias Server = ServeProcess

    /// Runs the binary; stdin is /dev/null unless given (so it is never a terminal).
    static func keyflow(_ args: [String], cwd: String, env: [String: String], stdin: String? = nil, viaScript: String? = nil)
        throws -> Output
    {
        // No stored login leaks in from the real home.
        let environment = isolatedEnvironment(["HOME": cwd, "XDG_CONFIG_HOME": cwd + "/.config"].merging(env) { $1 })
        if let viaScript {
            // util-linux `script` runs the command under a pseudo-terminal.
            return try runProcess("/usr/bin/script", ["-qec", viaScript, "/dev/null"], environment: environment, directory: cwd, stdin: stdin)
        }
        return try runProcess(binary, args, environment: environment, directory: cwd, stdin: stdin)
    }

    static func workdir() throws -> String { try TestPaths.temporaryFolder("keyflow-cwd") }

    /// Secrets found on disk in the sinks (ephemeral keys are not listed by the server).
    static func sinkSecrets(_ dir: String) -> [String] {
        var found: [String] = []
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        for case let path as String in e {
            guard let text = try? String(contentsOfFile: dir + "/" + path, encoding: .utf8) else { continue }
            for word in text.split(whereSeparator: { $0 == "\n" || $0 == "=" }) where word.hasPrefix("standard_") || word.hasPrefix("ephemeral_") {
                found.append(String(word))
            }
        }
        return found
    }

    static func assertNoSecrets(_ output: String, _ secrets: [String], _ context: String) {
        for s in Set(secrets) where s.count > 20 {
            #expect(!output.contains(s), "secret leaked in \(context)")
            #expect(!output.contains(String(s.suffix(40))), "part of a secret leaked in \(context)")
        }
        #expect(output.range(of: #"(standard|ephemeral)_[A-Za-z0-9]{16,}"#, options: .regularExpression) == nil, "secret-shaped text in \(context)")
    }

    // MARK: - Tests

    @Test func examplesRunEndToEndAndSecondRunsAreNoOps() throws {
        let server = try Server()
        let cwd = try Self.workdir()
        for example in ["onboard.kf", "tenants.kf", "rotate.kf", "ci-keys.kf", "sweep.kf"] {
            let plan = try Self.keyflow(["plan", Self.example(example)], cwd: cwd, env: server.environment())
            #expect(plan.status == 0, "\(example) plan: \(plan.all)")
            #expect(plan.stderr.hasPrefix("target: \(server.endpoint) project \"\(server.project)\""), "\(plan.stderr)")
            let first = try Self.keyflow(["run", Self.example(example)], cwd: cwd, env: server.environment())
            #expect(first.status == 0, "\(example) first run: \(first.all)")
            let second = try Self.keyflow(["run", Self.example(example)], cwd: cwd, env: server.environment())
            #expect(second.status == 0, "\(example) second run: \(second.all)")
            if example == "ci-keys.kf" {
                // The long-lived keys are converged; only the job's ephemeral key is new.
                #expect(second.stderr.contains("Done: 1 ephemeral minted, 1 secret delivered, 4 up to date"), "\(second.stderr)")
            } else {
                #expect(second.stderr.contains("No changes: everything is up to date"), "\(example): \(second.stderr)")
                let replan = try Self.keyflow(["plan", "--detailed-exitcode", Self.example(example)], cwd: cwd, env: server.environment())
                #expect(replan.status == 0, "\(example) replan: \(replan.all)")
            }
        }
        let names = try server.keyNames()
        #expect(names.contains("svc-billing") && names.contains("tenant-hooli") && names.contains("ci-deploy-production"))
        #expect(names.filter { $0 == "deploy" }.count == 1)
        #expect(names.contains { $0.hasPrefix("deploy (rotated ") })
        let deployKey = try String(contentsOfFile: cwd + "/out/deploy.key", encoding: .utf8)
        #expect(try server.secrets().contains(deployKey.trimmingCharacters(in: .newlines)))
    }

    @Test func nothingPrintedEverHoldsASecret() throws {
        let server = try Server()
        let cwd = try Self.workdir()
        var printed: [(String, String)] = []
        for example in ["onboard.kf", "tenants.kf", "rotate.kf", "ci-keys.kf", "sweep.kf"] {
            for json in [false, true] {
                for mode in ["plan", "run"] {
                    let r = try Self.keyflow([mode] + (json ? ["--json"] : []) + [Self.example(example)], cwd: cwd, env: server.environment())
                    #expect(r.status == 0, "\(mode) \(example): \(r.all)")
                    printed.append(("\(mode) \(json ? "--json " : "")\(example)", r.all))
                }
            }
        }
        // A failing API call and a failing sink print errors: those must not leak either.
        let failing = cwd + "/fail.kf"
        try #"ensure "leaky" scopes [users.read] secret to run "sh -c 'cat; exit 1'""#.write(toFile: failing, atomically: true, encoding: .utf8)
        let f = try Self.keyflow(["run", failing], cwd: cwd, env: server.environment())
        #expect(f.status == 1)
        printed.append(("failing sink", f.all))
        let secrets = try server.secrets() + Self.sinkSecrets(cwd)
        // The 12 keys the server lists (the bootstrap key and 11 the examples made), the API
        // key and the session, and the 6 secrets the sinks wrote.
        #expect(secrets.count == 20, "\(secrets.count) secrets")
        for (context, text) in printed { Self.assertNoSecrets(text, secrets, context) }
    }

    /// A script that fails to compile exits 2 at once, every time. `run` loads libcurl and
    /// runs its and OpenSSL's set-up on a thread of its own while it checks the script;
    /// exiting before that set-up had finished crashed in their exit handlers (signal 11,
    /// about one run in five). keyflow now leaves with `_exit`, and an exit that does run
    /// the handlers first waits for the loading thread.
    @Test func aScriptThatFailsToCompileExitsTwoEveryTime() throws {
        let cwd = try Self.workdir()
        let bad = cwd + "/bad.kf"
        try "ensure \"x\" scopes [users.read\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let env = ["APPWRITE_ENDPOINT": "http://127.0.0.1:1/v1", "APPWRITE_PROJECT_ID": "p", "APPWRITE_API_KEY": "k"]
        for attempt in 1...40 {
            let r = try Self.keyflow(["run", bad], cwd: cwd, env: env)
            #expect(r.status == 2 && !r.stderr.contains("Signal"), "attempt \(attempt): exit \(r.status)\n\(r.stderr)")
            if r.status != 2 { break }
        }
    }

    /// libcurl is loaded at run time: without a usable one, a command that talks to a
    /// server fails at its first request and says why, and one that does not (check, fmt)
    /// never notices. (`LD_LIBRARY_PATH` puts a file that is no library first in line.)
    @Test func aBrokenLibcurlIsReportedNotACrash() throws {
        let cwd = try Self.workdir()
        let libs = cwd + "/broken-libs"
        try FileManager.default.createDirectory(atPath: libs, withIntermediateDirectories: true)
        try "not a library".write(toFile: libs + "/libcurl.so.4", atomically: true, encoding: .utf8)
        let script = cwd + "/one.kf"
        try "ensure \"x\" scopes [users.read]\n".write(toFile: script, atomically: true, encoding: .utf8)
        let env = [
            "LD_LIBRARY_PATH": libs, "APPWRITE_ENDPOINT": "http://127.0.0.1:1/v1", "APPWRITE_PROJECT_ID": "p",
            "APPWRITE_API_KEY": "k",
        ]
        let run = try Self.keyflow(["run", script], cwd: cwd, env: env)
        #expect(run.status == 1, "\(run.all)")
        #expect(run.stderr.contains("libcurl could not be loaded") && run.stderr.contains("libcurl.so.4"), "\(run.stderr)")
        #expect(!run.stderr.contains("Signal") && !run.stderr.contains("Fatal error"), "\(run.stderr)")
        let check = try Self.keyflow(["check", script], cwd: cwd, env: env)
        #expect(check.status == 0, "\(check.all)")
    }

    @Test func exitCodesUsageAndStdin() throws {
        let server = try Server()
        let cwd = try Self.workdir()
        // assert → 3, with the message and the line.
        let failing = cwd + "/policy.kf"
        try "print \"checking\"\nassert count(keys) > 1000, \"not enough keys\"\n".write(toFile: failing, atomically: true, encoding: .utf8)
        let a = try Self.keyflow(["run", failing], cwd: cwd, env: server.environment())
        #expect(a.status == 3)
        #expect(a.stderr.contains("policy.kf:2:1: error: assertion failed: not enough keys"), "\(a.stderr)")
        // Syntax error → 2.
        let bad = cwd + "/bad.kf"
        try "ensure \"x\" scopes [users.read\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(try Self.keyflow(["run", bad], cwd: cwd, env: server.environment()).status == 2)
        // Missing required param → 2, nothing sent.
        let p = try Self.keyflow(["run", Self.example("onboard.kf"), "nope=1"], cwd: cwd, env: server.environment())
        #expect(p.status == 2)
        #expect(p.stderr.contains("onboard.kf") && p.stderr.contains("`nope`"), "\(p.stderr)")
        // `run -` reads the script from stdin.
        let s = try Self.keyflow(["run", "-"], cwd: cwd, env: server.environment(), stdin: "ensure \"from-stdin\" scopes [users.read]\nprint \"ok\"\n")
        #expect(s.status == 0, "\(s.all)")
        #expect(s.stdout.contains("+ created \"from-stdin\""))
        // plan --detailed-exitcode: 4 with changes, 0 without.
        let script = cwd + "/one.kf"
        try "ensure \"detailed\" scopes [users.read]\n".write(toFile: script, atomically: true, encoding: .utf8)
        let p1 = try Self.keyflow(["plan", "--detailed-exitcode", script], cwd: cwd, env: server.environment())
        #expect(p1.status == 4)
        #expect(p1.stdout.contains("+ create \"detailed\" scopes [users.read]"))
        #expect(p1.stderr.contains("Plan: 1 to create."))
        #expect(try Self.keyflow(["run", script], cwd: cwd, env: server.environment()).status == 0)
        #expect(try Self.keyflow(["plan", "--detailed-exitcode", script], cwd: cwd, env: server.environment()).status == 0)
        // An update shows field differences.
        try "ensure \"detailed\" scopes [users.write] expire 2030-01-01\n".write(toFile: script, atomically: true, encoding: .utf8)
        let p2 = try Self.keyflow(["plan", script], cwd: cwd, env: server.environment())
        #expect(p2.stdout.contains("~ update \"detailed\""))
        #expect(p2.stdout.contains("scopes +users.write -users.read"))
        #expect(p2.stdout.contains("expire never → 2030-01-01T00:00Z"))
    }

    @Test func noEndpointAndNoTerminalRefusesUnlessSandboxIsAsked() throws {
        let cwd = try Self.workdir()
        let r = try Self.keyflow(["plan", Self.example("onboard.kf")], cwd: cwd, env: [:])
        #expect(r.status == 2)
        #expect(r.stderr.contains("APPWRITE_ENDPOINT"))
        #expect(!FileManager.default.fileExists(atPath: cwd + "/.keyflow"))
        let s = try Self.keyflow(["run", "--sandbox", Self.example("onboard.kf")], cwd: cwd, env: [:])
        #expect(s.status == 0, "\(s.all)")
        #expect(s.stderr.hasPrefix("target: local sandbox http://127.0.0.1:"), "\(s.stderr)")
        #expect(FileManager.default.fileExists(atPath: cwd + "/.keyflow/sandbox/sandbox.json"))
        let again = try Self.keyflow(["run", "--sandbox", Self.example("onboard.kf")], cwd: cwd, env: [:])
        #expect(again.stderr.contains("No changes"), "\(again.stderr)")
    }

    @Test func creatingWithOnlyAnAPIKeyFailsBeforeTheFirstWrite() throws {
        let server = try Server()
        let cwd = try Self.workdir()
        let script = cwd + "/needs-session.kf"
        try """
            ensure "existing-fine" scopes [users.read]
            """.write(toFile: script, atomically: true, encoding: .utf8)
        #expect(try Self.keyflow(["run", script], cwd: cwd, env: server.environment()).status == 0)
        try """
            grant "existing-fine" users.write
            ensure "needs-create" scopes [users.read]
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let r = try Self.keyflow(["run", script], cwd: cwd, env: server.environment(keyOnly: true))
        #expect(r.status == 1)
        #expect(r.stderr.contains("needs-session.kf:2:1: error: `ensure` must create a key"), "\(r.stderr)")
        #expect(r.stderr.contains("keyflow login"))
        // Nothing was written: the grant before it did not happen either.
        let names = try server.keyNames()
        #expect(!names.contains("needs-create"))
        let plan = try Self.keyflow(["plan", script], cwd: cwd, env: server.environment(keyOnly: true))
        #expect(plan.stdout.contains("~ update \"existing-fine\""))
        // Against a server that lets keys create keys, the same credential works.
        let legacy = try Server(legacy: true)
        let ok = try Self.keyflow(["run", script], cwd: cwd, env: legacy.environment(keyOnly: true))
        #expect(ok.status == 1)  // "existing-fine" does not exist there
        #expect(ok.stderr.contains("no active key named \"existing-fine\""))
        try "ensure \"needs-create\" scopes [users.read]\n".write(toFile: script, atomically: true, encoding: .utf8)
        let ok2 = try Self.keyflow(["run", script], cwd: cwd, env: legacy.environment(keyOnly: true))
        #expect(ok2.status == 0, "\(ok2.all)")
    }

    /// keyflow never deletes the API key it authenticates with unless told to: the plan
    /// marks the step, the run refuses before its first write, `--allow-self` lets it.
    @Test func aRunDoesNotDeleteItsOwnKeyUnlessAllowed() throws {
        let server = try Server()
        let cwd = try Self.workdir()
        let script = cwd + "/sweep-all.kf"
        try #"delete keys where name ~ "*""#.write(toFile: script, atomically: true, encoding: .utf8)
        let env = server.environment(keyOnly: true)
        let plan = try Self.keyflow(["plan", script], cwd: cwd, env: env)
        #expect(plan.status == 0, "\(plan.all)")
        #expect(plan.stderr.contains("warning: `delete` deletes the API key keyflow is using"), "\(plan.stderr)")
        let refused = try Self.keyflow(["run", script], cwd: cwd, env: env)
        #expect(refused.status == 1, "\(refused.all)")
        #expect(refused.stderr.contains("error: `delete` deletes the API key keyflow is using"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-self"), "\(refused.stderr)")
        #expect(try server.keyNames().count == 1, "nothing was deleted")
        let allowed = try Self.keyflow(["run", "--allow-self", script], cwd: cwd, env: env)
        #expect(allowed.status == 0, "\(allowed.all)")
    }

    /// (The completion scripts and man pages are generated, not committed: PackageCLITests.)
    @Test func helpHasExamples() throws {
        let cwd = try Self.workdir()
        for command in ["plan", "run", "serve"] {
            let help = try Self.keyflow([command, "--help"], cwd: cwd, env: [:])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Examples:") && help.stdout.contains("keyflow \(command) "), "\(help.stdout)")
        }
    }

    /// A full disk under a file sink: a clear error naming the cause, no temporary file left
    /// in the folder, no secret printed, and the key created for the sink deleted again. The
    /// full disk is a 64 KiB tmpfs, filled up, mounted in a private mount namespace
    /// (`unshare -rm`, so it needs no privileges and vanishes with the process).
    @Test func aFullDiskUnderAFileSinkLosesNothing() throws {
        let server = try Server()
        let cwd = try Self.workdir()
        let full = cwd + "/full"
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        try #"create "disk-key" scopes [users.read] secret to file "full/disk.key""#.write(
            toFile: cwd + "/disk.kf", atomically: true, encoding: .utf8)
        let text = try runProcess(
            "/usr/bin/unshare",
            [
                "-rm", "sh", "-c",
                #"mount -t tmpfs -o size=64k tmpfs full && (dd if=/dev/zero of=full/fill bs=1k count=128 2>/dev/null; true) && "$0" run disk.kf; echo "exit $?"; ls -A full"#,
                Self.binary,
            ],
            environment: isolatedEnvironment(["HOME": cwd].merging(server.environment()) { $1 }), directory: cwd, mergingOutput: true
        ).stdout
        #expect(text.contains("exit 1\n"), "\(text)")
        #expect(text.contains("No space left on device"), "\(text)")
        #expect(text.contains("was deleted again"), "\(text)")
        #expect(text.hasSuffix("exit 1\nfill\n"), "only the filler is left in the full folder: \(text)")
        #expect(try server.keyNames() == ["Sandbox bootstrap key"])
        for secret in try server.secrets() { #expect(!text.contains(secret)) }
    }

    @Test
    func colourOnlyOnATerminalAndNeverWithNoColor() throws {
        // Output to a pipe has no escape codes; `script` gives the binary a real terminal.
        let server = try Server()
        let cwd = try Self.workdir()
        let piped = try Self.keyflow(["plan", Self.example("onboard.kf")], cwd: cwd, env: server.environment())
        #expect(!piped.all.contains("\u{1B}["))
        func underTerminal(_ extra: [String: String]) throws -> String {
            var env = server.environment()
            for (k, v) in extra { env[k] = v }
            let cmd = "\(Self.binary) plan \(Self.example("onboard.kf"))"
            return try Self.keyflow([], cwd: cwd, env: env, viaScript: cmd).stdout
        }
        let coloured = try underTerminal(["TERM": "xterm"])
        #expect(coloured.contains("\u{1B}[32m+ create"), "under a terminal: \(coloured.debugDescription)")
        #expect(!(try underTerminal(["TERM": "xterm", "NO_COLOR": "1"]).contains("\u{1B}[")))
    }
}

extension ServeProcess {
    /// Every secret the server holds now, with the API key and the session.
    fileprivate func secrets() throws -> [String] {
        try listedKeys().map { $0["secret"] as! String } + [apiKey, session]
    }

    fileprivate func keyNames() throws -> [String] {
        try listedKeys().map { $0["name"] as! String }
    }
}
