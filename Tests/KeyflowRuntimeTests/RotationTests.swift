import Foundation
import KeyflowClient
import KeyflowLanguage
import KeyflowSandbox
import Testing

@testable import KeyflowRuntime

/// Rotation and rollback (docs/language.md §10) against the real sandbox server over HTTP:
/// the successor link, sink failures, chaos, concurrent rotations and a live probe.
/// Process kills are in KeyflowCLITests/RotationCLITests.
@Suite(.serialized) struct RotationTests {
    /// A sandbox on port 0 with a temporary data directory, and a work folder for sinks.
    final class Fixture: @unchecked Sendable {
        let dataDir: URL
        let workDir: URL
        let sandbox: RunningSandbox
        let api: AppwriteClient

        init(chaos: String? = nil, seed: UInt64 = 7) async throws {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("keyflow-rotation-\(UUID().uuidString)")
            dataDir = base.appendingPathComponent("data")
            workDir = base.appendingPathComponent("work")
            try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
            sandbox = try await Sandbox.start(
                SandboxConfiguration(directory: dataDir, chaos: try chaos.map(ChaosPlan.parse) ?? .none, seed: seed))
            api = Self.client(sandbox.credentials, apiKey: sandbox.credentials.apiKey)
        }

        static func client(_ c: SandboxCredentials, apiKey: String) -> AppwriteClient {
            AppwriteClient(
                ClientConfiguration(
                    endpoint: c.endpoint, project: c.project,
                    credentials: Credentials(apiKey: Secret(apiKey), session: Secret(c.session)),
                    totalTimeout: .seconds(10),
                    retry: RetryPolicy(
                        maxAttempts: 6, baseDelay: .milliseconds(10), maxDelay: .milliseconds(100),
                        maxRetryAfter: .milliseconds(50))))
        }

        func close() async {
            await sandbox.stop()
            try? FileManager.default.removeItem(at: workDir.deletingLastPathComponent())
        }

        /// Keys of the project other than the sandbox's bootstrap key.
        func keys() async throws -> [Key] {
            try await KeyCache.fetchAll(from: api).filter { $0.name != "Sandbox bootstrap key" }
        }

        @discardableResult
        func seed(_ name: String, scopes: [String] = ["users.read", "databases.read"], lifetime: TimeInterval? = 30 * 86400,
                  description: String? = nil) async throws -> Key {
            let expire: Expiry = lifetime.map { .at(Date().addingTimeInterval($0)) } ?? .never
            return try await api.createKey(
                id: KeyID.unique(), fields: KeyFields(name: name, scopes: scopes, expire: expire, description: description))
        }

        func file(_ path: String) -> String? {
            (try? String(contentsOf: workDir.appendingPathComponent(path), encoding: .utf8))?
                .trimmingCharacters(in: .newlines)
        }

        /// Plans or runs `source` with a fresh session, as `keyflow run` would.
        func run(_ source: String, mode: Mode = .run, parallel: Int = 8, api: (any KeysAPI)? = nil) async throws -> (Summary, [Event]) {
            let (program, diagnostics) = compile(source: source, file: "rotation.kf")
            guard let program else {
                Issue.record("does not compile: \(diagnostics.map(\.summary))")
                throw CancellationError()
            }
            let session = Session(
                api: api ?? self.api,
                target: TargetDescription(endpoint: sandbox.credentials.endpoint, project: sandbox.credentials.project, isSandbox: false, credential: "api key + session"),
                canCreateKeys: true)
            let events = Events()
            let options = RunOptions(
                parallel: parallel, sinks: SinkWriter(baseDirectory: workDir.path), scriptDirectory: workDir.path, announceTarget: false)
            let summary =
                mode == .plan
                ? await session.plan(program, source: source, options: options, emit: events.add)
                : await session.run(program, source: source, options: options, emit: events.add)
            return (summary, events.all)
        }
    }

    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [Event] = []
        func add(_ e: Event) { lock.withLock { events.append(e) } }
        var all: [Event] { lock.withLock { events } }
    }

    static func diagnostics(_ events: [Event]) -> [Diagnostic] {
        events.compactMap { if case .diagnostic(let d) = $0 { d } else { nil } }
    }

    static func seconds(_ e: Expiry) -> TimeInterval? {
        if case .at(let d) = e { return d.timeIntervalSinceNow }
        return nil
    }

    // MARK: - The link

    @Test func successorIDsAreDeterministicValidAndDistinct() {
        var seen: Set<String> = []
        for _ in 0..<2000 {
            let id = KeyID.unique()
            let s = RotationLinks.successorID(of: id)
            #expect(s == RotationLinks.successorID(of: id))
            #expect(s.count == 24)
            #expect(s.first!.isLetter || s.first!.isNumber)
            #expect(s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            seen.insert(s)
        }
        #expect(seen.count == 2000)
        // A chain: the successor's successor derives from the successor's own id.
        let a = "6650c1aa0000000000"
        #expect(RotationLinks.successorID(of: RotationLinks.successorID(of: a)) != RotationLinks.successorID(of: a))
    }

    @Test func retiredNamesAndNotes() {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let retired = RetiredName.make("Deployment Key", at: now)
        #expect(retired == "Deployment Key (rotated 2026-11-18T11:06:40Z)")
        #expect(RetiredName.original(of: retired) == "Deployment Key")
        #expect(RetiredName.original(of: "Deployment Key") == nil)
        let long = String(repeating: "é", count: 200)
        let cut = RetiredName.make(long, at: now)
        #expect(cut.unicodeScalars.count <= 128)
        #expect(cut.hasSuffix(" (rotated 2026-11-18T11:06:40Z)"))
        let note = RetirementNote.make(successor: "r1", originalExpiry: .at(now), originalDescription: "CI; deploys")
        #expect(RetirementNote.originalExpiry(in: note) == .at(now))
        #expect(RetirementNote.originalDescription(in: note) == "CI; deploys")
        #expect(RetirementNote.originalExpiry(in: RetirementNote.make(successor: "r1", originalExpiry: .never, originalDescription: "")) == .never)
        #expect(RetirementNote.originalExpiry(in: "hand-written description") == nil)
    }

    // MARK: - Rotation end to end

    @Test func rotateCreatesDeliversRetiresAndIsIdempotent() async throws {
        let f = try await Fixture()
        defer { Task { await f.close() } }
        let old = try await f.seed("svc-a", lifetime: 30 * 86400, description: "billing")
        let script = #"rotate "svc-a" grace 1h secret to file "out/${key.name}.key" secret to env "SVC_A" in ".env""#

        let (plan, planEvents) = try await f.run(script, mode: .plan)
        #expect(plan.status == .ok && plan.rotated == 1)
        guard case .planned(let step)? = planEvents.first(where: { if case .planned = $0 { true } else { false } }) else {
            Issue.record("no planned step")
            return
        }
        let lines = PlanText.lines(step)
        #expect(lines.count == 5)
        #expect(lines[1].contains("+ create successor \(RotationLinks.successorID(of: old.id))"))
        #expect(lines[2] == #"    → secret to file "out/svc-a.key""#)
        #expect(lines[4].contains("~ retire the old key"))
        #expect(try await f.keys().count == 1, "plan wrote nothing")

        let (run, events) = try await f.run(script)
        #expect(run.status == .ok, "\(Self.diagnostics(events).map(\.summary))")
        let keys = try await f.keys()
        #expect(keys.count == 2)
        let successor = try #require(keys.first { $0.id == RotationLinks.successorID(of: old.id) })
        let retired = try #require(keys.first { $0.id == old.id })
        #expect(successor.name == "svc-a" && successor.scopes == old.scopes && successor.description == "billing")
        let lifetime = try #require(Self.seconds(successor.expire))
        #expect(abs(lifetime - 30 * 86400) < 60)
        #expect(RetiredName.original(of: retired.name) == "svc-a")
        let grace = try #require(Self.seconds(retired.expire))
        #expect(grace > 3500 && grace <= 3600)
        #expect(f.file("out/svc-a.key") == successor.secret.reveal())
        #expect(f.file(".env") == "SVC_A=\(successor.secret.reveal())")

        // Twice in a row rotates once: the successor reports "rotated already".
        let (again, againEvents) = try await f.run(script)
        #expect(again.status == .ok && again.changes == 0 && again.upToDate == 3, "rotation and both sinks up to date")
        #expect(againEvents.contains { if case .upToDate("rotate", "svc-a", _) = $0 { true } else { false } })
        #expect(try await f.keys().count == 2)

        // A bulk rotation never selects the retiring key, whatever its condition says.
        let (bulk, _) = try await f.run(#"rotate keys where name ~ "svc-a*" grace 1h"#)
        #expect(bulk.status == .ok && bulk.changes == 0)
        #expect(try await f.keys().count == 2)
    }

    @Test func graceZeroDeletesTheOldKey() async throws {
        let f = try await Fixture()
        defer { Task { await f.close() } }
        let old = try await f.seed("svc-b", lifetime: nil)
        let (run, events) = try await f.run(#"rotate "svc-b" grace 0s as k secret to file "b.key"; print k.id"#)
        #expect(run.status == .ok, "\(Self.diagnostics(events).map(\.summary))")
        let keys = try await f.keys()
        #expect(keys.map(\.id) == [RotationLinks.successorID(of: old.id)])
        #expect(keys[0].expire == .never)
        #expect(f.file("b.key") == keys[0].secret.reveal())
        #expect(events.contains { if case .output(let t, _, _) = $0 { t == keys[0].id } else { false } })
    }

    @Test func rollbackRestoresTheOldKeyAndDeletesTheSuccessor() async throws {
        let f = try await Fixture()
        defer { Task { await f.close() } }
        let old = try await f.seed("svc-c", lifetime: 10 * 86400, description: "search")
        let (rotated, _) = try await f.run(#"rotate "svc-c" grace 2h secret to file "c.key""#)
        #expect(rotated.status == .ok)
        let (back, events) = try await f.run(#"rollback "svc-c" secret to file "c.key""#)
        #expect(back.status == .ok, "\(Self.diagnostics(events).map(\.summary))")
        let keys = try await f.keys()
        #expect(keys.count == 1)
        let restored = try #require(keys.first)
        #expect(restored.id == old.id && restored.name == "svc-c" && restored.description == "search")
        #expect(FieldChange.sameExpiry(restored.expire, old.expire))
        #expect(restored.secret == old.secret)
        #expect(f.file("c.key") == old.secret.reveal())
        // Nothing left to undo: a clear error naming the key.
        let (none, noneEvents) = try await f.run(#"rollback "svc-c""#)
        #expect(none.status == .failed)
        #expect(Self.diagnostics(noneEvents).first?.summary.contains("nothing to roll back") == true)
        // The successor id is free again: rotating once more works.
        let (again, _) = try await f.run(#"rotate "svc-c" grace 1h"#)
        #expect(again.status == .ok && again.rotated == 1)
    }

    @Test func rollbackWithoutANoteDerivesTheExpiryFromTheSuccessor() {
        let created = Date().addingTimeInterval(-86400)
        let old = Key(
            id: "o1", createdAt: created, updatedAt: created, name: "svc (rotated 2026-11-27T09:00:00Z)",
            expire: .at(Date().addingTimeInterval(3600)), scopes: ["users.read"], secret: Secret("x"))
        let successor = Key(
            id: "s1", createdAt: Date(), updatedAt: Date(), name: "svc", expire: .at(Date().addingTimeInterval(7 * 86400)),
            scopes: ["users.read"], secret: Secret("y"))
        let fields = Rollback.restoredFields(old: old, successor: successor)
        #expect(fields.name == "svc")
        #expect(FieldChange.sameExpiry(fields.expire, .at(created.addingTimeInterval(7 * 86400))))
    }

    // MARK: - Failure handling

    @Test func aFailingSinkDeletesTheSuccessorAndLeavesTheOldKeyUntouched() async throws {
        let f = try await Fixture()
        defer { Task { await f.close() } }
        let old = try await f.seed("svc-d", description: "mailer")
        try Data("previous\n".utf8).write(to: f.workDir.appendingPathComponent("d.key"))
        let before = try await f.api.getKey(id: old.id)
        let script = #"rotate "svc-d" grace 1h secret to file "d.key" secret to run "sh -c 'echo deploy refused >&2; exit 3'""#
        let (run, events) = try await f.run(script)
        #expect(run.status == .failed)
        let message = try #require(Self.diagnostics(events).first).summary
        #expect(message.contains(#"run "sh -c 'echo deploy refused >&2; exit 3'""#))
        #expect(message.contains("exited with status 3: deploy refused"))
        #expect(message.contains("was deleted"))
        let after = try await f.keys()
        #expect(after.count == 1)
        #expect(after.first == before, "the old key is unchanged, to the millisecond")
        // The sink that had received the new secret holds the old, working one again.
        #expect(f.file("d.key") == old.secret.reveal())
        // The old key is still the one to rotate: nothing half-done remains.
        #expect(RotationLinks(after).status(of: after[0]).isFresh)
    }

    // MARK: - Faults

    @Test func bulkRotationUnderChaosConverges() async throws {
        let f = try await Fixture(chaos: "500=0.06,503=0.05,429=0.03,reset=0.04,delay=0.04:150ms,commit-then-500=0.08", seed: 42)
        defer { Task { await f.close() } }
        var olds: [Key] = []
        for i in 0..<20 {
            // Seeding retries too: chaos is on for every request.
            olds.append(try await Self.retrying { try await f.seed(String(format: "svc-%02d", i), lifetime: Double(5 + i) * 86400) })
        }
        let script = #"rotate keys where name ~ "svc-*" grace 1h secret to file "out/${key.name}.key""#
        var runs = 0
        var last: Summary?
        while runs < 8 {
            runs += 1
            let (summary, _) = try await f.run(script, parallel: 8)
            last = summary
            if summary.status == .ok { break }
        }
        #expect(last?.status == .ok, "converged after \(runs) runs")
        print("bulk rotation under chaos: converged after \(runs) run(s)")
        try await Self.expectRotated(olds, keys: try await Self.retrying { try await f.keys() }, grace: 3600, file: { f.file("out/\($0).key") })
        // And once converged, a further run changes nothing.
        var quiet: Summary?
        for _ in 0..<4 {
            let (s, _) = try await f.run(script)
            quiet = s
            if s.status == .ok { break }
        }
        #expect(quiet?.status == .ok && quiet?.changes == 0)
    }

    @Test func twoConcurrentRotationsOfOneKeyMakeOneSuccessor() async throws {
        let f = try await Fixture()
        defer { Task { await f.close() } }
        var olds: [Key] = []
        for i in 0..<6 { olds.append(try await f.seed("race-\(i)")) }
        var outcomes: [String: Int] = [:]
        for (i, old) in olds.enumerated() {
            let a = #"rotate "race-\#(i)" grace 1h secret to file "a/race-\#(i).key""#
            let b = #"rotate "race-\#(i)" grace 1h secret to file "b/race-\#(i).key""#
            // Two independent clients (two connection pools), started together.
            let apiB = Fixture.client(f.sandbox.credentials, apiKey: f.sandbox.credentials.apiKey)
            async let first = f.run(a)
            async let second = f.run(b, api: apiB)
            let (ra, rb) = try await (first, second)
            #expect(ra.0.status == .ok, "\(Self.diagnostics(ra.1).map(\.summary))")
            #expect(rb.0.status == .ok, "\(Self.diagnostics(rb.1).map(\.summary))")
            let keys = try await f.keys().filter { $0.name.hasPrefix("race-\(i)") }
            #expect(keys.count == 2, "exactly one successor")
            let successor = try #require(keys.first { $0.id == RotationLinks.successorID(of: old.id) })
            #expect(f.file("a/race-\(i).key") == successor.secret.reveal())
            #expect(f.file("b/race-\(i).key") == successor.secret.reveal())
            for events in [ra.1, rb.1] {
                for case .finished(_, .rotated(let o), _) in events { outcomes[o.resumed ? "lost the create race, converged" : "created", default: 0] += 1 }
                for case .upToDate in events { outcomes["saw it rotated already", default: 0] += 1 }
            }
        }
        print("concurrent rotations of one key: \(outcomes.sorted { $0.key < $1.key })")
        #expect(outcomes["created"] == olds.count)
    }

    @Test func aProbeUsingTheSinkAlwaysFindsAWorkingSecret() async throws {
        let f = try await Fixture()
        defer { Task { await f.close() } }
        try await f.seed("probe", scopes: ["keys.read"], lifetime: 86400)
        _ = try await f.run(#"secret "probe" to file "probe.key""#)
        let stop = Flag()
        let credentials = f.sandbox.credentials
        let path = f.workDir.appendingPathComponent("probe.key").path
        let probe = Task.detached { () -> (ok: Int, failures: [String]) in
            var ok = 0
            var failures: [String] = []
            while !stop.isSet {
                let secret = Self.read(path)
                do {
                    _ = try await Self.authenticate(credentials, secret)
                    ok += 1
                } catch {
                    // A failure counts only if the sink still holds the secret that failed
                    // (the probe may have read it just before the sink moved on).
                    let now = Self.read(path)
                    if now == secret { failures.append("\(error)") } else { ok += 1 }
                }
            }
            return (ok, failures)
        }
        // Rotations with a grace window and without (grace 0 deletes the old key at once).
        for _ in 0..<6 {
            let (s, events) = try await f.run(#"rotate "probe" grace 0 secret to file "probe.key""#)
            #expect(s.status == .ok, "\(Self.diagnostics(events).map(\.summary))")
        }
        let (s, _) = try await f.run(#"rotate "probe" grace 1h secret to file "probe.key""#)
        #expect(s.status == .ok)
        let (back, _) = try await f.run(#"rollback "probe" secret to file "probe.key""#)
        #expect(back.status == .ok)
        try await Task.sleep(for: .milliseconds(200))
        stop.set()
        let result = await probe.value
        #expect(result.failures.isEmpty, "\(result.failures.prefix(3))")
        #expect(result.ok > 20)
    }

    // MARK: - Helpers

    static func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .newlines)
    }

    /// Lists keys authenticated by `secret` alone (no retries: one real attempt).
    static func authenticate(_ c: SandboxCredentials, _ secret: String) async throws(APIError) -> KeyList {
        let client = AppwriteClient(
            ClientConfiguration(
                endpoint: c.endpoint, project: c.project, credentials: Credentials(apiKey: Secret(secret)), retry: .none))
        return try await client.listKeys(queries: [.limit(1)], total: false)
    }

    static func retrying<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do { return try await body() } catch {
                if attempt >= 10 { throw error }
            }
        }
    }

    /// The end state of a finished bulk rotation of `olds`.
    static func expectRotated(_ olds: [Key], keys: [Key], grace: TimeInterval, file: (String) -> String?) async throws {
        #expect(keys.count == olds.count * 2, "no third key: \(keys.count) keys for \(olds.count) rotations")
        for old in olds {
            let successor = try #require(keys.first { $0.id == RotationLinks.successorID(of: old.id) }, "successor of \(old.name)")
            #expect(successor.name == old.name && successor.scopes == old.scopes)
            #expect(!RotationLinks.isExpired(successor, now: Date()))
            #expect(keys.filter { $0.name == old.name }.count == 1, "one active key named \(old.name)")
            let retired = try #require(keys.first { $0.id == old.id }, "old \(old.name) kept for its grace")
            #expect(RetiredName.original(of: retired.name) == old.name)
            let left = try #require(seconds(retired.expire))
            #expect(left > 0 && left <= grace)
            #expect(retired.secret == old.secret && successor.secret != old.secret)
            #expect(file(old.name) == successor.secret.reveal(), "sink of \(old.name)")
        }
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

extension RotationLinks.Status {
    var isFresh: Bool { if case .fresh = self { true } else { false } }
}
