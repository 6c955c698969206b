import Foundation
import KeyflowTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Rotation through the real binaries (env KEYFLOW_BIN, else .build/debug/keyflow): a
/// `keyflow serve` sandbox on port 0 over a temporary data directory, and `keyflow run`
/// processes that are SIGKILLed at every step boundary and at random moments of a 20-key
/// bulk rotation, then run again. The end state is checked from the server and the sinks.
@Suite(.serialized) struct RotationCLITests {
    static var bin: String { TestPaths.keyflowBinary }

    // MARK: - The sandbox server

    typealias Server = ServeProcess

    struct SeededKey {
        var id: String
        var name: String
        var scopes: [String]
        var secret: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    static let http: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.httpCookieStorage = nil
        c.httpShouldSetCookies = false
        return URLSession(configuration: c)
    }()

    // MARK: - keyflow run

    struct Outcome {
        var status: Int32
        var killed: Bool
        var output: String
        var seconds: Double
    }

    /// Runs `keyflow run rotate.kf` in `dir`; `crashAt` sets the test hook, `killAfter` SIGKILLs it.
    static func keyflowRun(_ server: Server, in dir: URL, script: String = "rotate.kf", crashAt: String? = nil, killAfter: Double? = nil)
        throws -> Outcome
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["run", script]
        process.currentDirectoryURL = dir
        var env = server.runEnvironment
        if let crashAt { env["KEYFLOW_TEST_CRASH_AT"] = crashAt }
        process.environment = env
        let log = dir.appendingPathComponent("run-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        let start = Date()
        try process.run()
        if let killAfter {
            usleep(useconds_t(killAfter * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        try? handle.close()
        let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return Outcome(status: process.terminationStatus, killed: killed, output: output, seconds: Date().timeIntervalSince(start))
    }

    // MARK: - A trial: 20 keys, a killed run, a second run, the end state

    /// Seeds 20 keys named `PREFIX-svc-NN` and writes the bulk rotation script into a fresh folder.
    static func prepare(_ server: Server, prefix: String) async throws -> (URL, [SeededKey]) {
        let dir = server.folder.appendingPathComponent(prefix)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = #"rotate keys where name ~ "\#(prefix)-svc-*" grace 1h secret to file "out/${key.name}.key""# + "\n"
        try Data(script.utf8).write(to: dir.appendingPathComponent("rotate.kf"))
        let catalogue = ["users.read", "databases.read", "teams.read", "functions.read", "files.read", "sites.write"]
        var keys: [SeededKey] = []
        for i in 0..<20 {
            let scopes = Array(catalogue.prefix(1 + i % catalogue.count))
            keys.append(try await server.create(
                id: "\(prefix)k\(i)x\(UInt32.random(in: 0...UInt32.max))", name: String(format: "\(prefix)-svc-%02d", i),
                scopes: scopes, days: 10 + i))
        }
        return (dir, keys)
    }

    /// The end state: every key has exactly one active successor with its name and scopes, the
    /// sink holds the successor's secret, the old key is renamed and expires within the grace,
    /// and no third key exists. Returns the problems found.
    static func problems(_ server: Server, prefix: String, dir: URL, olds: [SeededKey], grace: TimeInterval = 3600) async throws -> [String] {
        let all = try await server.keys().filter { ($0["name"] as? String)?.hasPrefix("\(prefix)-svc-") == true }
        var out: [String] = []
        if all.count != olds.count * 2 { out.append("\(all.count) keys for \(olds.count) rotations") }
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let now = Date()
        for old in olds {
            guard let retired = all.first(where: { $0["$id"] as? String == old.id }) else {
                out.append("\(old.name): the old key is gone")
                continue
            }
            let retiredName = retired["name"] as? String ?? ""
            if !retiredName.hasPrefix(old.name + " (rotated ") || !retiredName.hasSuffix("Z)") {
                out.append("\(old.name): old key named \(retiredName)")
            }
            if let e = parser.date(from: retired["expire"] as? String ?? "") {
                let left = e.timeIntervalSince(now)
                if left <= 0 || left > grace { out.append("\(old.name): old key expires in \(Int(left)) s") }
            } else {
                out.append("\(old.name): old key never expires")
            }
            if retired["secret"] as? String != old.secret { out.append("\(old.name): old key's secret changed") }
            let active = all.filter { $0["name"] as? String == old.name }
            guard active.count == 1, let successor = active.first else {
                out.append("\(old.name): \(active.count) active keys")
                continue
            }
            if successor["$id"] as? String == old.id { out.append("\(old.name): not rotated") }
            if successor["scopes"] as? [String] != old.scopes { out.append("\(old.name): successor scopes \(successor["scopes"] ?? "")") }
            let sink = (try? String(contentsOf: dir.appendingPathComponent("out/\(old.name).key"), encoding: .utf8)) ?? ""
            if sink != (successor["secret"] as? String ?? "?") + "\n" { out.append("\(old.name): the sink does not hold the successor's secret") }
        }
        return out
    }

    /// What a killed run left, per old key: not started, successor created but old key not
    /// retired (half done), or old key retired.
    static func snapshot(_ server: Server, prefix: String, olds: [SeededKey]) async throws -> [String: Int] {
        let all = try await server.keys().filter { ($0["name"] as? String)?.hasPrefix("\(prefix)-svc-") == true }
        var counts: [String: Int] = [:]
        for old in olds {
            let renamed = all.contains { $0["$id"] as? String == old.id && ($0["name"] as? String) != old.name }
            let twin = all.contains { $0["$id"] as? String != old.id && $0["name"] as? String == old.name }
            counts[renamed ? "retired" : twin ? "half done" : "not started", default: 0] += 1
        }
        return counts
    }

    /// One trial: a run that dies (hook or timed SIGKILL), then the same script again.
    static func trial(_ server: Server, prefix: String, crashAt: String? = nil, killAfter: Double? = nil) async throws -> (killed: Bool, problems: [String], left: [String: Int]) {
        let (dir, olds) = try await Self.prepare(server, prefix: prefix)
        let first = try Self.keyflowRun(server, in: dir, crashAt: crashAt, killAfter: killAfter)
        let left = try await snapshot(server, prefix: prefix, olds: olds)
        var second = try Self.keyflowRun(server, in: dir)
        var runs = 1
        // Under chaos a run can still fail after its retries; running again must converge.
        while second.status != 0 && runs < 6 {
            runs += 1
            second = try Self.keyflowRun(server, in: dir)
        }
        var found = try await Self.problems(server, prefix: prefix, dir: dir, olds: olds)
        if second.status != 0 { found.insert("the re-run exited \(second.status): \(second.output.suffix(600))", at: 0) }
        return (first.killed, found.map { "[\(prefix) \(crashAt ?? killAfter.map { "kill after \(Int($0 * 1000)) ms" } ?? "")] \($0)" }, left)
    }

    // MARK: - Tests

    @Test func killedAtEveryStepBoundaryAndAtRandomMomentsThenRunAgain() async throws {
        let server = try Server()
        defer { server.stop() }

        // A run that is not killed: the baseline, and the window for random kills.
        let (baseDir, baseOlds) = try await Self.prepare(server, prefix: "base")
        let base = try Self.keyflowRun(server, in: baseDir)
        #expect(base.status == 0, "\(base.output)")
        #expect(try await Self.problems(server, prefix: "base", dir: baseDir, olds: baseOlds).isEmpty)
        let again = try Self.keyflowRun(server, in: baseDir)
        #expect(again.status == 0 && again.output.contains("rotated already"), "\(again.output)")

        // Every step boundary of the rotation, early, midway and at the last key.
        var found: [String] = []
        var hookKills = 0
        var left: [String: Int] = [:]
        for point in ["create-start", "create", "deliver", "retire"] {
            for n in [1, 9, 20] {
                let r = try await Self.trial(server, prefix: "b\(point.replacingOccurrences(of: "-", with: ""))\(n)", crashAt: "\(point):\(n)")
                if r.killed { hookKills += 1 }
                found += r.problems
                left.merge(r.left, uniquingKeysWith: +)
            }
        }
        #expect(hookKills == 12, "every hooked run died by SIGKILL at its boundary")

        // Random moments within a run's duration, until 50 kills have landed while keyflow
        // ran. A kill that came after the run had finished means the window is longer than
        // runs take now (the machine's load changes), so the window shrinks.
        var window = max(0.05, base.seconds)
        var random = SeededGenerator.announced(for: "killedAtEveryStepBoundaryAndAtRandomMomentsThenRunAgain")
        var randomKills = 0
        var attempts = 0
        while randomKills < 50 && attempts < 150 {
            attempts += 1
            let r = try await Self.trial(server, prefix: "r\(attempts)", killAfter: Double.random(in: 0.01...window, using: &random))
            if r.killed { randomKills += 1 } else { window = max(0.05, window * 0.8) }
            found += r.problems
            left.merge(r.left, uniquingKeysWith: +)
        }
        print("kill test: baseline run \(Int(base.seconds * 1000)) ms; \(hookKills) boundary kills, \(randomKills) of \(attempts) timed kills hit a running keyflow")
        print("kill test: keys as the killed runs left them: \(left.sorted { $0.key < $1.key })")
        #expect(randomKills == 50, "50 timed kills landed while keyflow ran (\(attempts) tried)")
        #expect((left["half done"] ?? 0) > 0 && (left["retired"] ?? 0) > 0 && (left["not started"] ?? 0) > 0, "kills left every kind of state")
        #expect(found.isEmpty, "seed \(random.seed): \(found.prefix(10).joined(separator: "\n"))")
    }

    @Test func bulkRotationUnderChaosWithKillsConverges() async throws {
        let server = try Server(chaos: "500=0.05,503=0.05,429=0.03,reset=0.03,delay=0.03:100ms,commit-then-500=0.08", seed: 11)
        defer { server.stop() }
        var random = SeededGenerator.announced(for: "bulkRotationUnderChaosWithKillsConverges")
        var found: [String] = []
        found += try await Self.trial(server, prefix: "chaos").problems
        for (i, point) in ["create", "deliver", "retire"].enumerated() {
            found += try await Self.trial(server, prefix: "chaoshook\(i)", crashAt: "\(point):5").problems
        }
        for i in 0..<4 {
            found += try await Self.trial(server, prefix: "chaoskill\(i)", killAfter: Double.random(in: 0.05...0.4, using: &random)).problems
        }
        #expect(found.isEmpty, "\(found.prefix(10).joined(separator: "\n"))")
    }

    @Test func twoProcessesRotatingOneKeyMakeOneSuccessor() async throws {
        let server = try Server()
        defer { server.stop() }
        for i in 0..<5 {
            let dir = server.folder.appendingPathComponent("race\(i)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let old = try await server.create(id: "race\(i)x\(UInt32.random(in: 0...UInt32.max))", name: "race-\(i)", scopes: ["users.read"], days: 30)
            for side in ["a", "b"] {
                try Data(#"rotate "race-\#(i)" grace 1h secret to file "\#(side).key""#.utf8).write(to: dir.appendingPathComponent("\(side).kf"))
            }
            async let a = Task.detached { try Self.keyflowRun(server, in: dir, script: "a.kf") }.value
            async let b = Task.detached { try Self.keyflowRun(server, in: dir, script: "b.kf") }.value
            let (ra, rb) = try await (a, b)
            #expect(ra.status == 0, "\(ra.output)")
            #expect(rb.status == 0, "\(rb.output)")
            let keys = try await server.keys().filter { ($0["name"] as? String)?.hasPrefix("race-\(i)") == true }
            #expect(keys.count == 2, "exactly one successor")
            let successor = keys.first { $0["name"] as? String == "race-\(i)" }
            #expect(successor?["$id"] as? String != old.id)
            for side in ["a", "b"] {
                let sink = try String(contentsOf: dir.appendingPathComponent("\(side).key"), encoding: .utf8)
                #expect(sink == (successor?["secret"] as? String ?? "?") + "\n")
            }
        }
    }
}

extension ServeProcess {
    fileprivate var runEnvironment: [String: String] {
        environment().merging([
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "NO_COLOR": "1",
        ]) { $1 }
    }

    /// One HTTP call, retried on 5xx/429/connection errors (the chaos server fails some on purpose).
    fileprivate func call(_ method: String, _ path: String, body: [String: Any]? = nil, console: Bool = false) async throws -> (Int, Any?) {
        var last: (Int, Any?) = (0, nil)
        for _ in 0..<12 {
            var request = URLRequest(url: URL(string: endpoint + path)!)
            request.httpMethod = method
            request.timeoutInterval = 10
            request.setValue(project, forHTTPHeaderField: "X-Appwrite-Project")
            if console {
                request.setValue("a_session_console=\(session)", forHTTPHeaderField: "Cookie")
                request.setValue("admin", forHTTPHeaderField: "X-Appwrite-Mode")
            } else {
                request.setValue(apiKey, forHTTPHeaderField: "X-Appwrite-Key")
            }
            if let body {
                request.httpBody = try JSONSerialization.data(withJSONObject: body)
                request.setValue("application/json", forHTTPHeaderField: "content-type")
            }
            do {
                let (data, response) = try await RotationCLITests.http.data(for: request)
                let status = (response as! HTTPURLResponse).statusCode
                last = (status, try? JSONSerialization.jsonObject(with: data))
                if status < 429 || (status > 429 && status < 500) { return last }
            } catch {
                last = (0, "\(error)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return last
    }

    /// Creates a key as the console would; with chaos, a commit-then-500 is resolved by reading back.
    fileprivate func create(id: String, name: String, scopes: [String], days: Int) async throws -> RotationCLITests.SeededKey {
        let expire = ISO8601DateFormatter().string(from: Date().addingTimeInterval(Double(days) * 86400))
        let (status, answer) = try await call("POST", "/project/keys", body: ["keyId": id, "name": name, "scopes": scopes, "expire": expire], console: true)
        guard status == 201 || status == 409 else { throw RotationCLITests.Failure("seeding \(name): HTTP \(status) \(String(describing: answer))") }
        let (got, object) = try await call("GET", "/project/keys/\(id)")
        guard got == 200, let key = object as? [String: Any] else { throw RotationCLITests.Failure("reading back \(name): HTTP \(got)") }
        return RotationCLITests.SeededKey(id: id, name: name, scopes: scopes, secret: key["secret"] as! String)
    }

    fileprivate func keys() async throws -> [[String: Any]] {
        let (status, object) = try await call("GET", "/project/keys")
        guard status == 200, let list = (object as? [String: Any])?["keys"] as? [[String: Any]] else {
            throw RotationCLITests.Failure("listing keys: HTTP \(status)")
        }
        return list
    }
}
