import Foundation

/// A `keyflow serve` process on port 0, for the end-to-end tests, which talk to it with the
/// real binary and check it with curl. Over a fresh folder (data in `folder/sandbox`, all
/// removed by `stop()`), or over a given data folder (kept, to serve it again).
public final class ServeProcess: @unchecked Sendable {
    /// The fresh folder (work files may go beside `sandbox/`), or the given data folder's parent.
    public let folder: URL
    public let dataDirectory: URL
    /// The one line it printed when ready.
    public let readyLine: String
    public let endpoint: String, project: String, apiKey: String, session: String, email: String, password: String
    /// The organization that owns the projects, its organization key, and the project ids.
    public let organization: String, organizationKey: String, projects: [String]
    private let process = Process()
    private let owned: Bool
    private let lock = NSLock()
    private var stopped = false

    public var processIdentifier: Int32 { process.processIdentifier }

    public init(
        data: URL? = nil, legacy: Bool = false, project: String? = nil, projects: [String]? = nil, chaos: String? = nil, seed: UInt64 = 7
    ) throws {
        if let data {
            folder = data.deletingLastPathComponent()
            dataDirectory = data
            owned = false
        } else {
            folder = URL(fileURLWithPath: try TestPaths.temporaryFolder("keyflow-serve"))
            dataDirectory = folder.appendingPathComponent("sandbox")
            owned = true
        }
        var arguments = ["serve", "--port", "0", "--data", dataDirectory.path]
        if legacy { arguments.append("--legacy-key-create") }
        if let project { arguments += ["--project", project] }
        if let projects { arguments += ["--projects", projects.joined(separator: ",")] }
        if let chaos { arguments += ["--chaos", chaos, "--seed", String(seed)] }
        process.executableURL = URL(fileURLWithPath: TestPaths.keyflowBinary)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
        // One line when ready: `keyflow sandbox listening on URL project ID`.
        let line = out.fileHandleForReading.firstLine()
        readyLine = line + "\n"
        let file = dataDirectory.appendingPathComponent("sandbox.json")
        guard line.hasPrefix("keyflow sandbox listening on "), let data = FileManager.default.contents(atPath: file.path),
            let fields = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            kill(process.processIdentifier, SIGKILL)
            throw TestSupportFailure("keyflow serve did not start: \(line)")
        }
        func field(_ name: String) -> String { fields[name] as? String ?? "" }
        endpoint = field("endpoint")
        self.project = field("project")
        apiKey = field("apiKey")
        session = field("session")
        email = field("email")
        password = field("password")
        organization = field("organization")
        organizationKey = field("organizationKey")
        self.projects = fields["projects"] as? [String] ?? []
    }

    /// The environment of a CI job that holds only the organization key (no API key, no
    /// session), with `project` as its target project.
    public func organizationEnvironment(project: String? = nil) -> [String: String] {
        [
            "APPWRITE_ENDPOINT": endpoint, "APPWRITE_PROJECT_ID": project ?? self.project,
            "APPWRITE_ORGANIZATION_ID": organization, "APPWRITE_ORGANIZATION_KEY": organizationKey,
        ]
    }

    deinit { stop() }

    /// Ends the server (SIGTERM, then waits) and removes a fresh folder; again is a no-op.
    public func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        if process.isRunning { process.terminate() }
        while process.isRunning { usleep(1000) }
        if owned { try? FileManager.default.removeItem(at: folder) }
    }

    /// SIGKILL, then waits; answers whether a signal ended it.
    @discardableResult
    public func killNow() -> Bool {
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { usleep(1000) }
        return process.terminationReason == .uncaughtSignal
    }

    /// The target variables: endpoint and project; the API key; the session unless `keyOnly`.
    public func environment(keyOnly: Bool = false) -> [String: String] {
        var e = ["APPWRITE_ENDPOINT": endpoint, "APPWRITE_PROJECT_ID": project, "APPWRITE_API_KEY": apiKey]
        if !keyOnly { e["APPWRITE_SESSION"] = session }
        return e
    }

    /// The keys the server holds now, listed with curl (not keyflow's client).
    public func listedKeys() throws -> [[String: Any]] {
        let data = try capture(
            "/usr/bin/env",
            ["curl", "-sS", "-H", "X-Appwrite-Project: \(project)", "-H", "X-Appwrite-Key: \(apiKey)", endpoint + "/project/keys"])
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any], let keys = json["keys"] as? [[String: Any]] else {
            throw TestSupportFailure("listing keys answered: \(String(decoding: data, as: UTF8.self))")
        }
        return keys
    }

    /// The keys of one project of the organization, listed with curl through the
    /// organization routes and the organization key.
    public func listedKeys(inProject id: String) throws -> [[String: Any]] {
        let data = try capture(
            "/usr/bin/env",
            [
                "curl", "-sS", "-H", "X-Appwrite-Project: console", "-H", "X-Appwrite-Organization: \(organization)",
                "-H", "X-Appwrite-Key: \(organizationKey)", endpoint + "/organization/projects/\(id)/keys",
            ])
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any], let keys = json["keys"] as? [[String: Any]] else {
            throw TestSupportFailure("listing keys of \(id) answered: \(String(decoding: data, as: UTF8.self))")
        }
        return keys
    }

    /// Creates a key through the console session, with curl; answers the key's JSON.
    public func createKeyAsConsole(_ body: [String: Any]) throws -> [String: Any] {
        let data = try capture(
            "/usr/bin/env",
            [
                "curl", "-sS", "-X", "POST", endpoint + "/project/keys", "-H", "content-type: application/json",
                "-H", "X-Appwrite-Project: \(project)", "-H", "x-appwrite-mode: admin", "-H", "cookie: a_session_console=\(session)",
                "--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self),
            ])
        guard let key = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestSupportFailure("creating a key answered: \(String(decoding: data, as: UTF8.self))")
        }
        return key
    }
}
