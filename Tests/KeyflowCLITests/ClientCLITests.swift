import Foundation
import KeyflowTestSupport
import Testing

/// `keyflow doctor`, `login` and `logout` end to end: the real binary against a real
/// `keyflow serve` in both server modes, with an API key and with a session; proxies
/// from the environment; `--insecure`.
@Suite(.serialized) struct ClientCLITests {
    typealias Result = ProcessOutput
    typealias Server = ServeProcess

    /// Runs keyflow with exactly this environment (plus PATH), stdin from `input`.
    static func run(_ arguments: [String], environment: [String: String] = [:], input: String = "") throws -> Result {
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if env["HOME"] == nil { env["HOME"] = "/nonexistent-home" }
        return try runKeyflow(arguments, environment: env, stdin: input)
    }

    static func temporaryDirectory() throws -> String { try TestPaths.temporaryFolder("keyflow-cli") }

    func keyFile(_ secret: String) throws -> String {
        let path = try Self.temporaryDirectory() + "/key"
        try secret.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func doctorJSON(_ result: Result) throws -> [String: Any] {
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("{\"event\":\"doctor\"") }.map(String.init) ?? ""
        return try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
    }

    @Test(arguments: [false, true])
    func doctorWithAnAPIKey(legacy: Bool) throws {
        let server = try Server(legacy: legacy)
        let config = try Self.temporaryDirectory()
        let env = ["XDG_CONFIG_HOME": config]

        // The bootstrap key holds keys.write and never expires: a warning, exit 0 (1 under --strict).
        let bootstrapArguments = ["doctor", "--endpoint", server.endpoint, "--project", server.project, "--key-file", try keyFile(server.apiKey)]
        let bootstrap = try Self.run(bootstrapArguments, environment: env)
        #expect(bootstrap.status == 0, "\(bootstrap.stdout)\(bootstrap.stderr)")
        #expect(bootstrap.stdout.contains("never expires: give it an expiry"))
        #expect(bootstrap.stdout.hasSuffix("usable, with 1 warning\n"))
        let strict = try Self.run(bootstrapArguments + ["--strict"], environment: env)
        #expect(strict.status == 1, "\(strict.stdout)\(strict.stderr)")
        // Under --json: the doctor event (expiry "never", as in every event), then the warning as a diagnostic.
        let warnedJSON = try Self.run(bootstrapArguments + ["--json"], environment: env)
        #expect(warnedJSON.status == 0)
        let doctorEvent = try doctorJSON(warnedJSON)
        #expect(doctorEvent["status"] as? String == "warning")
        #expect((doctorEvent["key"] as? [String: Any])?["expire"] as? String == "never")
        let warningLines = warnedJSON.stdout.split(separator: "\n").filter { $0.hasPrefix("{\"event\":\"diagnostic\"") }
        #expect(warningLines.count == 1 && warningLines[0].contains("\"id\":\"doctor-expiry\"") && warningLines[0].contains("\"severity\":\"warning\""), "\(warnedJSON.stdout)")
        #expect(bootstrap.stdout.contains(legacy ? "lets API keys create keys" : "refuses key-authorised creation"))
        #expect(!bootstrap.stdout.contains(server.apiKey) && !bootstrap.stderr.contains(server.apiKey))

        // A key with an expiry a month away: all well, exit 0; JSON says what it found.
        let good = try server.createKey(id: "good", scopes: ["keys.read", "keys.write"], expire: Date(timeIntervalSinceNow: 30 * 86_400))
        let fine = try Self.run(["doctor", "--json"], environment: env.merging([
            "APPWRITE_ENDPOINT": server.endpoint, "APPWRITE_PROJECT_ID": server.project, "APPWRITE_API_KEY": good,
        ]) { $1 })
        #expect(fine.status == 0, "\(fine.stdout)\(fine.stderr)")
        let json = try doctorJSON(fine)
        #expect(json["status"] as? String == "ok")
        #expect(json["credential"] as? String == "api key")
        #expect(json["keys_can_create_keys"] as? Bool == legacy)
        #expect((json["key"] as? [String: Any])?["id"] as? String == "good")
        #expect(((json["key"] as? [String: Any])?["expire"] as? String)?.hasSuffix("Z") == true)
        #expect(json["server_version"] is String)
        #expect(fine.stdout.split(separator: "\n").count == 1, "no warning, no diagnostic: \(fine.stdout)")
        #expect(!fine.stdout.contains(good))

        // Expiring within 7 days: a warning, exit 0; 1 under --strict.
        let soon = try server.createKey(id: "soon", scopes: ["keys.read"], expire: Date(timeIntervalSinceNow: 2 * 86_400))
        let warned = try Self.run(["doctor", "--endpoint", server.endpoint, "--project", server.project, "--key-file", try keyFile(soon)], environment: env)
        #expect(warned.status == 0)
        let warnedStrictly = try Self.run(["doctor", "--strict", "--endpoint", server.endpoint, "--project", server.project, "--key-file", try keyFile(soon)], environment: env)
        #expect(warnedStrictly.status == 1)
        #expect(warned.stdout.contains("expires within 7 days"))

        // Wrong project: exit 1.
        let wrong = try Self.run(["doctor", "--endpoint", server.endpoint, "--project", "nope", "--key-file", try keyFile(good)], environment: env)
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("FAIL  project"))
    }

    @Test(arguments: [false, true])
    func loginDoctorLogout(legacy: Bool) throws {
        let server = try Server(legacy: legacy)
        let config = try Self.temporaryDirectory()
        let env = ["XDG_CONFIG_HOME": config]
        let store = config + "/keyflow/sessions.json"

        let refused = try Self.run(["login", "--endpoint", server.endpoint, "--email", server.email], environment: env, input: "wrong-password\n")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("sign-in"))
        #expect(!FileManager.default.fileExists(atPath: store))

        let login = try Self.run(["login", "--endpoint", server.endpoint], environment: env, input: "\(server.email)\n\(server.password)\n")
        #expect(login.status == 0, "\(login.stdout)\(login.stderr)")
        #expect(!login.stdout.contains(server.password) && !login.stderr.contains(server.password))
        let attributes = try FileManager.default.attributesOfItem(atPath: store)
        #expect(attributes[.posixPermissions] as? Int == 0o600)

        // The stored session is the credential now.
        let doctor = try Self.run(["doctor", "--endpoint", server.endpoint, "--project", server.project], environment: env)
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
        #expect(doctor.stdout.contains("console session from stored login"))
        #expect(doctor.stdout.contains("console session accepted"))

        // APPWRITE_SESSION works the same, without a stored login.
        let viaEnv = try Self.run(["doctor", "--json"], environment: [
            "XDG_CONFIG_HOME": try Self.temporaryDirectory(), "APPWRITE_ENDPOINT": server.endpoint,
            "APPWRITE_PROJECT_ID": server.project, "APPWRITE_SESSION": server.session,
        ])
        #expect(viaEnv.status == 0)
        #expect(try doctorJSON(viaEnv)["credential"] as? String == "session")

        let stored = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: store))) as? [String: Any]
        let storedSession = ((stored?["sessions"] as? [String: Any])?.values.first as? [String: Any])?["session"] as? String
        let logout = try Self.run(["logout", "--endpoint", server.endpoint], environment: env)
        #expect(logout.status == 0, "\(logout.stdout)\(logout.stderr)")
        #expect(logout.stdout.contains("Signed out of \(server.endpoint)\n"), "the server confirms: \(logout.stdout)")
        // The server ended it too: the old cookie no longer authenticates.
        let ended = try Self.run(["doctor", "--json"], environment: [
            "XDG_CONFIG_HOME": try Self.temporaryDirectory(), "APPWRITE_ENDPOINT": server.endpoint,
            "APPWRITE_PROJECT_ID": server.project, "APPWRITE_SESSION": storedSession ?? "missing",
        ])
        #expect(storedSession != nil)
        #expect(ended.status == 1, "\(ended.stdout)")
        let after = try Self.run(["doctor", "--endpoint", server.endpoint, "--project", server.project], environment: env)
        #expect(after.status == 1)
        #expect(after.stdout.contains("FAIL  credential"))
    }

    @Test func insecureWarnsOnEveryRun() throws {
        let server = try Server()
        let result = try Self.run(["doctor", "--insecure", "--endpoint", server.endpoint, "--project", server.project, "--key-file", try keyFile(server.apiKey)],
                                  environment: ["XDG_CONFIG_HOME": try Self.temporaryDirectory()])
        #expect(result.stderr.contains("warning: --insecure: TLS certificates are not verified"))
        let plain = try Self.run(["doctor", "--endpoint", server.endpoint, "--project", server.project, "--key-file", try keyFile(server.apiKey)],
                                 environment: ["XDG_CONFIG_HOME": try Self.temporaryDirectory()])
        #expect(!plain.stderr.contains("--insecure"))
    }

    @Test func missingTargetIsNamed() throws {
        let result = try Self.run(["doctor"], environment: ["XDG_CONFIG_HOME": try Self.temporaryDirectory()])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no endpoint: give --endpoint or set APPWRITE_ENDPOINT"))
        let noProject = try Self.run(["doctor", "--endpoint", "http://127.0.0.1:1/v1"], environment: ["XDG_CONFIG_HOME": try Self.temporaryDirectory()])
        #expect(noProject.status == 1)
        #expect(noProject.stderr.contains("no project"))
    }

    /// libcurl takes proxies from the environment: HTTPS_PROXY for https (a CONNECT),
    /// http_proxy for http (an absolute-form request), and NO_PROXY exempts a host.
    @Test func proxiesFromTheEnvironment() throws {
        let proxy = try Proxy()
        let base = ["XDG_CONFIG_HOME": try Self.temporaryDirectory(), "APPWRITE_PROJECT_ID": "p", "APPWRITE_API_KEY": "standard_x"]

        _ = try Self.run(["doctor", "--endpoint", "https://keyflow-proxy-test.invalid/v1"], environment: base.merging(["HTTPS_PROXY": proxy.url]) { $1 })
        #expect(try proxy.lines().contains("CONNECT keyflow-proxy-test.invalid:443 HTTP/1.1"))

        _ = try Self.run(["doctor", "--endpoint", "http://keyflow-proxy-test.invalid/v1"], environment: base.merging(["http_proxy": proxy.url]) { $1 })
        #expect(try proxy.lines().contains("GET http://keyflow-proxy-test.invalid/v1/health/version HTTP/1.1"))

        let before = try proxy.lines().count
        let exempt = try Self.run(["doctor", "--endpoint", "https://keyflow-proxy-test.invalid/v1"],
                                  environment: base.merging(["HTTPS_PROXY": proxy.url, "NO_PROXY": "keyflow-proxy-test.invalid"]) { $1 })
        #expect(exempt.status == 1)
        #expect(try proxy.lines().count == before)
    }

    /// A stand-in proxy on 127.0.0.1 that writes down each request line and refuses it.
    final class Proxy {
        let process: Process
        let log: String
        let url: String

        init() throws {
            log = try ClientCLITests.temporaryDirectory() + "/proxy.log"
            let script = """
            import socket, sys
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
            print(s.getsockname()[1], flush=True)
            while True:
                c, _ = s.accept()
                data = b""
                while b"\\r\\n" not in data:
                    chunk = c.recv(4096)
                    if not chunk: break
                    data += chunk
                with open(sys.argv[1], "a") as f: f.write(data.split(b"\\r\\n")[0].decode() + "\\n")
                c.sendall(b"HTTP/1.1 403 Forbidden\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n"); c.close()
            """
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, log]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            url = "http://127.0.0.1:\(output.fileHandleForReading.firstLine())"
        }

        deinit { kill(process.processIdentifier, SIGKILL) }

        func lines() throws -> [String] {
            guard FileManager.default.fileExists(atPath: log) else { return [] }
            return try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }
}

enum CLIError: Error {
    case createFailed(String)
}

extension ServeProcess {
    /// Creates a key through the console session, with the curl tool (not keyflow's client); answers its secret.
    fileprivate func createKey(id: String, scopes: [String], expire: Date?) throws -> String {
        var body: [String: Any] = ["keyId": id, "name": "CLI \(id)", "scopes": scopes]
        if let expire { body["expire"] = ISO8601DateFormatter().string(from: expire) }
        let key = try createKeyAsConsole(body)
        guard let secret = key["secret"] as? String else { throw CLIError.createFailed("\(key)") }
        return secret
    }
}
