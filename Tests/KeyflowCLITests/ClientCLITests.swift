import Foundation
import Testing

/// `keyflow doctor`, `login` and `logout` end to end: the real binary against a real
/// `keyflow serve` in both server modes, with an API key and with a session; proxies
/// from the environment; `--insecure`.
@Suite(.serialized) struct ClientCLITests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var binary: String {
        ProcessInfo.processInfo.environment["KEYFLOW_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/keyflow").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs keyflow with exactly this environment (plus PATH), stdin from `input`.
    static func run(_ arguments: [String], environment: [String: String] = [:], input: String = "") throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if env["HOME"] == nil { env["HOME"] = "/nonexistent-home" }
        process.environment = env
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning { usleep(2000) }
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keyflow-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A `keyflow serve` process over a fresh data directory.
    final class Server {
        let process: Process
        let endpoint: String, project: String, apiKey: String, session: String, email: String, password: String

        init(legacy: Bool = false) throws {
            let data = try ClientCLITests.temporaryDirectory() + "/sandbox"
            process = Process()
            process.executableURL = URL(fileURLWithPath: ClientCLITests.binary)
            process.arguments = ["serve", "--port", "0", "--data", data] + (legacy ? ["--legacy-key-create"] : [])
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line: [UInt8] = []
            while true {
                let byte = output.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty || byte.first == 10 { break }
                line.append(byte.first!)
            }
            guard String(decoding: line, as: UTF8.self).contains("listening on"),
                let json = FileManager.default.contents(atPath: data + "/sandbox.json"),
                let fields = try JSONSerialization.jsonObject(with: json) as? [String: String]
            else {
                kill(process.processIdentifier, SIGKILL)
                throw CLIError.serverDidNotStart(String(decoding: line, as: UTF8.self))
            }
            endpoint = fields["endpoint"] ?? ""
            project = fields["project"] ?? ""
            apiKey = fields["apiKey"] ?? ""
            session = fields["session"] ?? ""
            email = fields["email"] ?? ""
            password = fields["password"] ?? ""
        }

        deinit { kill(process.processIdentifier, SIGKILL) }

        /// Creates a key through the console session, with the curl tool (not keyflow's client).
        func createKey(id: String, scopes: [String], expire: Date?) throws -> String {
            var body: [String: Any] = ["keyId": id, "name": "CLI \(id)", "scopes": scopes]
            if let expire { body["expire"] = ISO8601DateFormatter().string(from: expire) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "curl", "-sS", "-X", "POST", endpoint + "/project/keys", "-H", "content-type: application/json",
                "-H", "X-Appwrite-Project: \(project)", "-H", "x-appwrite-mode: admin", "-H", "cookie: a_session_console=\(session)",
                "--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self),
            ]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            while process.isRunning { usleep(2000) }
            guard let key = try JSONSerialization.jsonObject(with: data) as? [String: Any], let secret = key["secret"] as? String else {
                throw CLIError.createFailed(String(decoding: data, as: UTF8.self))
            }
            return secret
        }
    }

    func keyFile(_ secret: String) throws -> String {
        let path = try Self.temporaryDirectory() + "/key"
        try secret.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func doctorJSON(_ result: Result) throws -> [String: Any] {
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
    }

    @Test(arguments: [false, true])
    func doctorWithAnAPIKey(legacy: Bool) throws {
        let server = try Server(legacy: legacy)
        let config = try Self.temporaryDirectory()
        let env = ["XDG_CONFIG_HOME": config]

        // The bootstrap key holds keys.write and never expires: a warning, exit 1.
        let bootstrap = try Self.run(["doctor", "--endpoint", server.endpoint, "--project", server.project, "--key-file", try keyFile(server.apiKey)], environment: env)
        #expect(bootstrap.status == 1, "\(bootstrap.stdout)\(bootstrap.stderr)")
        #expect(bootstrap.stdout.contains("never expires: give it an expiry"))
        #expect(bootstrap.stdout.contains(legacy ? "lets API keys create keys" : "refuses key-authorised creation"))
        #expect(!bootstrap.stdout.contains(server.apiKey) && !bootstrap.stderr.contains(server.apiKey))

        // A key with an expiry a month away: all well, exit 0; JSON says what it found.
        let good = try server.createKey(id: "good", scopes: ["keys.read", "keys.write"], expire: Date(timeIntervalSinceNow: 30 * 86_400))
        let fine = try Self.run(["doctor", "--json"], environment: env.merging([
            "APPWRITE_ENDPOINT": server.endpoint, "APPWRITE_PROJECT_ID": server.project, "APPWRITE_API_KEY": good,
        ]) { $1 })
        #expect(fine.status == 0, "\(fine.stdout)\(fine.stderr)")
        let json = try doctorJSON(fine)
        #expect(json["ok"] as? Bool == true)
        #expect(json["credential"] as? String == "api key")
        #expect(json["keysCanCreateKeys"] as? Bool == legacy)
        #expect((json["key"] as? [String: Any])?["id"] as? String == "good")
        #expect(json["serverVersion"] is String)
        #expect(!fine.stdout.contains(good))

        // Expiring within 7 days: a warning, exit 1.
        let soon = try server.createKey(id: "soon", scopes: ["keys.read"], expire: Date(timeIntervalSinceNow: 2 * 86_400))
        let warned = try Self.run(["doctor", "--endpoint", server.endpoint, "--project", server.project, "--key-file", try keyFile(soon)], environment: env)
        #expect(warned.status == 1)
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
        #expect(try doctorJSON(viaEnv)["credential"] as? String == "console session")

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
            var line: [UInt8] = []
            while true {
                let byte = output.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty || byte.first == 10 { break }
                line.append(byte.first!)
            }
            url = "http://127.0.0.1:\(String(decoding: line, as: UTF8.self))"
        }

        deinit { kill(process.processIdentifier, SIGKILL) }

        func lines() throws -> [String] {
            guard FileManager.default.fileExists(atPath: log) else { return [] }
            return try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }
}

enum CLIError: Error {
    case serverDidNotStart(String)
    case createFailed(String)
}
