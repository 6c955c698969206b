import Foundation
import KeyflowTestSupport
import Testing

/// Named contexts end to end: `keyflow context add/list/use/show/remove` over a temporary
/// XDG_CONFIG_HOME, a plan against a `keyflow serve` sandbox selected through a context whose
/// API key comes from a variable, the warning when a flag or variable overrides the script's
/// `use`, and the refusal of a config.toml others can read.
@Suite(.serialized) struct ContextCLITests {
    /// Runs keyflow with a fresh home and config folder (nothing leaks in from the real ones).
    static func keyflow(_ arguments: [String], config: String, env: [String: String] = [:]) throws -> ProcessOutput {
        let environment = isolatedEnvironment(["HOME": config, "XDG_CONFIG_HOME": config].merging(env) { $1 })
        return try runProcess(TestPaths.keyflowBinary, arguments, environment: environment, directory: config, stdin: "")
    }

    @Test func addListUseShowRemove() throws {
        let config = try TestPaths.temporaryFolder("keyflow-contexts")
        let path = config + "/keyflow/config.toml"

        let empty = try Self.keyflow(["context", "list"], config: config)
        #expect(empty.status == 0)
        #expect(empty.stdout.contains("No contexts"))

        let staging = try Self.keyflow(
            ["context", "add", "staging", "--endpoint", "https://staging.example.com", "--project", "shop-staging",
             "--api-key-env", "STAGING_KEY"], config: config)
        #expect(staging.status == 0, "\(staging.all)")
        let prod = try Self.keyflow(
            ["context", "add", "prod", "--endpoint", "https://cloud.example.com/v1", "--project", "shop",
             "--organization", "acme", "--organization-key-file", "org-key"], config: config)
        #expect(prod.status == 0, "\(prod.all)")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("[contexts.staging]") && text.contains("api_key_env = \"STAGING_KEY\""), "\(text)")
        #expect(text.contains("organization_key_file = \"\(config)/org-key\""), "a relative file is kept absolute: \(text)")

        let taken = try Self.keyflow(["context", "add", "prod", "--endpoint", "https://x.example/v1", "--project", "p"], config: config)
        #expect(taken.status == 2)
        #expect(taken.stderr.contains("exists already"))

        let list = try Self.keyflow(["context", "list"], config: config)
        #expect(list.stdout == """
              prod     https://cloud.example.com/v1  project "shop"
              staging  https://staging.example.com/v1  project "shop-staging"

            """, "\(list.all)")

        let use = try Self.keyflow(["context", "use", "staging"], config: config)
        #expect(use.status == 0, "\(use.all)")
        #expect(try Self.keyflow(["context", "list"], config: config).stdout.contains("* staging"))

        // show: where each credential comes from and whether it is there, never the value.
        let show = try Self.keyflow(["context", "show"], config: config, env: ["STAGING_KEY": "standard_topsecretvalue"])
        #expect(show.status == 0, "\(show.all)")
        #expect(show.stdout.contains("context \"staging\" (current)"))
        #expect(show.stdout.contains("from environment variable STAGING_KEY (set)"), "\(show.stdout)")
        #expect(!show.all.contains("topsecret"))
        let showProd = try Self.keyflow(["context", "show", "prod"], config: config)
        #expect(showProd.stdout.contains("organization key:"), "\(showProd.stdout)")
        #expect(showProd.stdout.contains("from file \(config)/org-key (missing or unreadable)"))
        #expect(showProd.stdout.contains("none (keyflow login --context prod)"))

        // Unknown names: exit 2, listing the known ones.
        for command in [["context", "use", "qa"], ["context", "show", "qa"], ["context", "remove", "qa"]] {
            let unknown = try Self.keyflow(command, config: config)
            #expect(unknown.status == 2, "\(command): \(unknown.all)")
            #expect(unknown.stderr.contains("no context \"qa\"; known contexts: prod, staging"), "\(unknown.stderr)")
        }
        let plan = try Self.keyflow(["plan", "--context", "qa", "-"], config: config)
        #expect(plan.status == 2)
        #expect(plan.stderr.contains("known contexts: prod, staging"), "\(plan.stderr)")
        let viaVariable = try Self.keyflow(["doctor"], config: config, env: ["KEYFLOW_CONTEXT": "qa"])
        #expect(viaVariable.status == 2)
        #expect(viaVariable.stderr.contains("no context \"qa\""))

        let remove = try Self.keyflow(["context", "remove", "staging"], config: config)
        #expect(remove.status == 0, "\(remove.all)")
        let after = try Self.keyflow(["context", "list"], config: config)
        #expect(after.stdout.contains("prod") && !after.stdout.contains("staging") && !after.stdout.contains("*"), "\(after.stdout)")
    }

    @Test func inlineSecretsAndOpenPermissionsAreRefused() throws {
        let config = try TestPaths.temporaryFolder("keyflow-contexts")
        let path = config + "/keyflow/config.toml"
        try FileManager.default.createDirectory(atPath: config + "/keyflow", withIntermediateDirectories: true)
        let secret = "standard_" + String(repeating: "9f", count: 40)
        try "[contexts.prod]\nendpoint = \"https://x.example/v1\"\nproject = \"p\"\napi_key = \"\(secret)\"\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        let inline = try Self.keyflow(["context", "list"], config: config)
        #expect(inline.status == 2)
        #expect(inline.stderr.contains("contexts.prod.api_key holds what looks like a secret"), "\(inline.stderr)")
        #expect(!inline.all.contains(secret))

        try "current = \"prod\"\n[contexts.prod]\nendpoint = \"https://x.example/v1\"\nproject = \"p\"\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        for command in [["context", "list"], ["plan", "-"], ["doctor"]] {
            let refused = try Self.keyflow(command, config: config)
            #expect(refused.status != 0, "\(command)")
            #expect(refused.stderr.contains("chmod 600 \(path)"), "\(command): \(refused.stderr)")
        }
        chmod(path, 0o600)
        #expect(try Self.keyflow(["context", "list"], config: config).stdout.contains("* prod"))
    }

    /// A plan against a sandbox server chosen by a context whose key comes from CI_KEY: the
    /// first line names the context, JSON carries it, doctor says where each part came from.
    @Test func planThroughAContext() throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let config = try TestPaths.temporaryFolder("keyflow-contexts")
        let add = try Self.keyflow(
            ["context", "add", "rehearsal", "--endpoint", server.endpoint, "--project", server.project, "--api-key-env", "CI_KEY"],
            config: config)
        #expect(add.status == 0, "\(add.all)")
        let script = config + "/one.kf"
        try "ensure \"via-context\" scopes [users.read]\n".write(toFile: script, atomically: true, encoding: .utf8)

        let plan = try Self.keyflow(["plan", "--context", "rehearsal", script], config: config, env: ["CI_KEY": server.apiKey])
        #expect(plan.status == 0, "\(plan.all)")
        let first = plan.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first == "target: \(server.endpoint) project \"\(server.project)\" (api key) context \"rehearsal\"", "\(plan.all)")
        #expect(plan.stdout.contains("+ create \"via-context\" scopes [users.read]"))
        #expect(!plan.all.contains(server.apiKey))

        // Through KEYFLOW_CONTEXT, in JSON.
        let json = try Self.keyflow(["plan", "--json", script], config: config, env: ["CI_KEY": server.apiKey, "KEYFLOW_CONTEXT": "rehearsal"])
        #expect(json.status == 0, "\(json.all)")
        let event = try JSONSerialization.jsonObject(with: Data((json.stdout.split(separator: "\n").first ?? "").utf8)) as? [String: Any]
        #expect(event?["event"] as? String == "target")
        #expect(event?["context"] as? String == "rehearsal")

        // The variable missing: a clear error naming it, nothing sent.
        let missing = try Self.keyflow(["plan", "--context", "rehearsal", script], config: config)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("context \"rehearsal\" takes its api key from CI_KEY (api_key_env), which is not set"), "\(missing.stderr)")

        // Doctor names the context and where each part came from.
        _ = try Self.keyflow(["context", "use", "rehearsal"], config: config)
        let doctor = try Self.keyflow(["doctor"], config: config, env: ["CI_KEY": server.apiKey])
        #expect(doctor.stdout.contains("\"rehearsal\" (from current in \(config)/keyflow/config.toml); endpoint from context \"rehearsal\", project from context \"rehearsal\""), "\(doctor.all)")
        #expect(doctor.stdout.contains("API key from context \"rehearsal\" (api_key_env CI_KEY)"), "\(doctor.stdout)")
        #expect(!doctor.all.contains(server.apiKey))
    }

    /// A flag or variable that overrides the script's `use` says so on the first lines (stderr).
    @Test func overridingTheScriptsUseWarns() throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let config = try TestPaths.temporaryFolder("keyflow-contexts")
        let script = config + "/use.kf"
        try "use endpoint \"https://elsewhere.example/v1\" project \"other\"\nensure \"o\" scopes [users.read]\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        for mode in ["plan", "run"] {
            let result = try Self.keyflow(
                [mode, "--project", server.project, script], config: config,
                env: ["APPWRITE_ENDPOINT": server.endpoint, "APPWRITE_API_KEY": server.apiKey, "APPWRITE_SESSION": server.session])
            #expect(result.status == 0, "\(result.all)")
            let lines = result.stderr.split(separator: "\n").map(String.init)
            #expect(lines.prefix(2) == [
                "warning: APPWRITE_ENDPOINT overrides the script's `use` endpoint: \(server.endpoint) instead of https://elsewhere.example/v1",
                "warning: --project overrides the script's `use` project: \(server.project) instead of other",
            ], "\(result.stderr)")
            #expect(lines.dropFirst(2).first?.hasPrefix("target: \(server.endpoint) project \"\(server.project)\"") == true)
        }
        // The script's own target, unchallenged: no warning.
        try "use endpoint \"\(server.endpoint)\" project \"\(server.project)\"\nensure \"o\" scopes [users.read]\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        let quiet = try Self.keyflow(["plan", script], config: config, env: ["APPWRITE_API_KEY": server.apiKey])
        #expect(quiet.status == 0, "\(quiet.all)")
        #expect(!quiet.stderr.contains("overrides"), "\(quiet.stderr)")
    }

    /// `login --context` stores the session for the context; plans through it use it; logout ends it.
    @Test func loginForAContext() throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let config = try TestPaths.temporaryFolder("keyflow-contexts")
        _ = try Self.keyflow(["context", "add", "sb", "--endpoint", server.endpoint, "--project", server.project], config: config)
        let login = try runProcess(
            TestPaths.keyflowBinary, ["login", "--context", "sb", "--email", server.email],
            environment: isolatedEnvironment(["HOME": config, "XDG_CONFIG_HOME": config]), directory: config,
            stdin: server.password + "\n")
        #expect(login.status == 0, "\(login.all)")
        #expect(login.stdout.contains("for context \"sb\""), "\(login.stdout)")
        let sessions = try String(contentsOfFile: config + "/keyflow/sessions.json", encoding: .utf8)
        #expect(sessions.contains("\"contexts\""))

        let script = config + "/s.kf"
        try "ensure \"by-session\" scopes [users.read]\n".write(toFile: script, atomically: true, encoding: .utf8)
        let run = try Self.keyflow(["run", "--context", "sb", script], config: config)
        #expect(run.status == 0, "\(run.all)")
        #expect(run.stderr.hasPrefix("target: \(server.endpoint) project \"\(server.project)\" (session) context \"sb\""), "\(run.stderr)")
        let show = try Self.keyflow(["context", "show", "sb"], config: config)
        #expect(show.stdout.contains("stored login as \(server.email)"), "\(show.stdout)")

        let logout = try Self.keyflow(["logout", "--context", "sb"], config: config)
        #expect(logout.status == 0, "\(logout.all)")
        #expect(logout.stdout.contains("Signed out of \(server.endpoint) for context \"sb\""), "\(logout.stdout)")
        let again = try Self.keyflow(["run", "--context", "sb", script], config: config)
        #expect(again.stderr.hasPrefix("target: \(server.endpoint) project \"\(server.project)\" (no credential) context \"sb\""), "\(again.all)")
    }
}
