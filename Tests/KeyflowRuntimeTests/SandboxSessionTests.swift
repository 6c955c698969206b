import Foundation
import KeyflowClient
import KeyflowLanguage
import KeyflowSandbox
import KeyflowTestSupport
import Testing

@testable import KeyflowRuntime

/// The public entry points (Session: compile a chunk, plan it, run it, keep bindings)
/// against the real sandbox over HTTP with the real client.
@Suite struct SandboxSessionTests {
    final class Events: @unchecked Sendable {
        let lock = NSLock()
        var all: [Event] = []
        func record(_ e: Event) { lock.withLock { all.append(e) } }
        var outputs: [String] { lock.withLock { all.compactMap { if case .output(let t, _, _) = $0 { t } else { nil } } } }
    }

    static func start(legacy: Bool = false) async throws -> (RunningSandbox, AppwriteClient, Session) {
        let sandbox = try await startSandbox("keyflow-rt", legacy: legacy)
        let c = sandbox.credentials
        let client = AppwriteClient(
            ClientConfiguration(
                endpoint: c.endpoint, project: c.project,
                credentials: Credentials(apiKey: Secret(c.apiKey), session: Secret(c.session))))
        let session = Session(
            api: client, target: TargetDescription(endpoint: c.endpoint, project: c.project, isSandbox: true, credential: "api key + session"),
            canCreateKeys: true)
        return (sandbox, client, session)
    }

    @Test func chunksShareBindingsAndUpdatesKeepTheExpiry() async throws {
        let (sandbox, client, session) = try await Self.start()
        defer { Task { await sandbox.stop() } }
        let events = Events()
        let options = RunOptions(announceTarget: false)

        let (first, d1) = session.compile(#"ensure "repl-key" scopes [users.read] expire 2030-01-01 as k"#)
        #expect(d1.filter(\.isError).isEmpty)
        let s1 = await session.run(try #require(first), options: options, emit: events.record)
        #expect(s1.created == 1)
        #expect(session.environment["k"] != nil)

        // The next chunk sees `k` (the checker knows its type, the interpreter its value).
        let (second, d2) = session.compile("grant k users.write\nprint k.name, k.expire")
        #expect(d2.filter(\.isError).isEmpty, "\(d2.map(\.summary))")
        let s2 = await session.run(try #require(second), options: options, emit: events.record)
        #expect(s2.updated == 1)
        #expect(events.outputs.last == "repl-key 2030-01-01T00:00Z")

        // The scopes-only change went through the real API as a patch: the expiry survived.
        let stored = try await client.listKeys(queries: [.equal("name", ["repl-key"])], total: false).keys
        #expect(stored.count == 1)
        #expect(Set(stored[0].scopes) == ["users.read", "users.write"])
        #expect(stored[0].expire == .at(Date(timeIntervalSince1970: 1_893_456_000)))

        // Planning writes nothing.
        let (third, _) = session.compile(#"delete "repl-key""#)
        let p = await session.plan(try #require(third), options: options, emit: events.record)
        #expect(p.deleted == 1)
        #expect(try await client.listKeys(queries: [.equal("name", ["repl-key"])], total: false).keys.count == 1)
    }

    @Test func bulkEnsureOfManyTenantsIsIdempotentAgainstTheServer() async throws {
        let (sandbox, client, session) = try await Self.start()
        defer { Task { await sandbox.stop() } }
        let names = (1...60).map { "\"c\($0)\"" }.joined(separator: ", ")
        let source = """
            for t in [\(names)] parallel 8 {
              ensure "tenant-${t}" scopes [databases.read, files.read] expire in 30d
            }
            rotate keys where name == "tenant-c1" grace 1h
            """
        let (program, diagnostics) = session.compile(source)
        #expect(diagnostics.filter(\.isError).isEmpty, "\(diagnostics.map(\.summary))")
        let events = Events()
        let first = await session.run(try #require(program), emit: events.record)
        #expect(first.status == .ok)
        #expect(first.created == 60 && first.rotated == 1)
        let finished = events.all.compactMap { e -> String? in
            if case .finished(let step, _, _) = e, case .create = step.action { return step.keyName }
            return nil
        }
        #expect(finished == (1...60).map { "tenant-c\($0)" })
        let all = try await client.listKeys(queries: [], total: false).keys
        #expect(all.filter { $0.name.hasPrefix("tenant-") }.count == 61)
        #expect(all.contains { $0.name.hasPrefix("tenant-c1 (rotated ") })
        let second = await session.run(try #require(program), emit: Events().record)
        #expect(second.status == .ok)
        #expect(second.changes == 0, "the rotation within its grace window and every ensure are up to date")
    }

    /// The requests the sandbox has served (its own counter, docs/appwrite-api.md §12).
    static func served(_ sandbox: RunningSandbox) async throws -> Int {
        let root = String(sandbox.credentials.endpoint.dropLast("/v1".count))
        return try #require(try await send("GET", root + "/_sandbox/requests").json["served"] as? Int)
    }

    /// docs/repl.md, "The key cache": counted at the real sandbox.
    @Test func aChunkThatTouchesNoKeySendsNoRequestAndReadsUseTheKeptList() async throws {
        let (sandbox, _, session) = try await Self.start()
        defer { Task { await sandbox.stop() } }
        let events = Events()
        let options = RunOptions(announceTarget: false)
        func run(_ source: String) async throws -> (Summary, requests: Int) {
            let (program, diagnostics) = session.compile(source)
            #expect(diagnostics.filter(\.isError).isEmpty, "\(diagnostics.map(\.summary))")
            let before = try await Self.served(sandbox)
            let summary = await session.run(try #require(program), options: options, emit: events.record)
            return (summary, try await Self.served(sandbox) - before)
        }

        // No kept list (as `keyflow run`): a script that reaches no key lists nothing.
        var (summary, requests) = try await run(#"print "x""#)
        #expect(summary.status == .ok && requests == 0)
        #expect(events.outputs.last == "x")
        (summary, requests) = try await run(#"print count(keys)"#)
        #expect(summary.status == .ok && requests == 1)

        // The REPL's kept list: reads within its age need no request; a write lists afresh.
        let kept = SessionKeys(maxAge: .seconds(60))
        session.keptKeys = kept
        (summary, requests) = try await run(#"let n = 3"#)
        #expect(summary.status == .ok && requests == 0)
        (summary, requests) = try await run(#"show "Sandbox bootstrap key""#)
        #expect(summary.status == .ok && requests == 1, "a read that names its key asks for that name alone")
        #expect(kept.fresh() == nil, "a list narrowed to one name is not kept")
        (summary, requests) = try await run(#"print count(keys)"#)
        #expect(summary.status == .ok && requests == 1, "a read of any key lists them all, and keeps the list")
        #expect(kept.fresh() != nil)
        (summary, requests) = try await run(#"print exists("Sandbox bootstrap key"), n"#)
        #expect(summary.status == .ok && requests == 0, "a read from the kept list")
        #expect(events.outputs.last == "true 3")
        (summary, requests) = try await run(#"ensure "cached-1" scopes [users.read]"#)
        #expect(summary.status == .ok && summary.created == 1)
        #expect(requests == 2, "a write lists afresh (1) and creates (1)")
        #expect(kept.fresh() == nil, "a write drops the kept list")
        (summary, requests) = try await run(#"print exists("cached-1")"#)
        #expect(requests == 1 && events.outputs.last == "true", "asked for by name after the write")
        (summary, requests) = try await run(#"print "x""#)
        #expect(summary.status == .ok && requests == 0)
    }

    /// A client that counts the key lists in flight at once, in every project it reaches.
    final class ListsInFlight: KeysAPI, @unchecked Sendable {
        let inner: any KeysAPI
        let counter: Counter
        final class Counter: @unchecked Sendable {
            let lock = NSLock()
            var now = 0, most = 0, lists: [String] = []
            func begin(_ project: String) { lock.withLock { now += 1; most = max(most, now); lists.append(project) } }
            func end() { lock.withLock { now -= 1 } }
        }
        init(_ inner: any KeysAPI, _ counter: Counter = Counter()) {
            self.inner = inner
            self.counter = counter
        }
        var project: String { inner.project }
        func inProject(_ id: String) -> any KeysAPI { ListsInFlight(inner.inProject(id), counter) }
        func listKeys(queries: [KeyQuery], total: Bool) async throws(APIError) -> KeyList {
            counter.begin(inner.project)
            defer { counter.end() }
            return try await inner.listKeys(queries: queries, total: total)
        }
        func listProjects() async throws(APIError) -> [Project] { try await inner.listProjects() }
        func getKey(id: String) async throws(APIError) -> Key { try await inner.getKey(id: id) }
        func createKey(id: String, fields: KeyFields) async throws(APIError) -> Key { try await inner.createKey(id: id, fields: fields) }
        func replaceKey(id: String, fields: KeyFields) async throws(APIError) -> Key { try await inner.replaceKey(id: id, fields: fields) }
        func deleteKey(id: String) async throws(APIError) { try await inner.deleteKey(id: id) }
        func createEphemeralKey(scopes: [String], duration: Int) async throws(APIError) -> Key {
            try await inner.createEphemeralKey(scopes: scopes, duration: duration)
        }
    }

    /// A plan pass evaluates a loop's iterations one after another, but the key lists of the
    /// projects a loop enters are made before it, side by side (`parallel` at a time): the
    /// same one list per project, without a round trip each in turn (scripts/bench-latency's fleet).
    @Test func aLoopOverProjectsListsTheirKeysSideBySide() async throws {
        let projects = (1...7).map { "fleet-\($0)" }
        var configuration = SandboxConfiguration(
            directory: URL(fileURLWithPath: try TestPaths.temporaryFolder("keyflow-fleet")), projectID: projects[0], projectIDs: projects)
        configuration.latency = .milliseconds(20)
        let sandbox = try await Sandbox.start(configuration)
        defer { Task { await sandbox.stop() } }
        let c = sandbox.credentials
        let client = AppwriteClient(
            ClientConfiguration(
                endpoint: c.endpoint, project: c.project,
                credentials: Credentials(organizationKey: Secret(c.organizationKey), organization: c.organization)))
        let api = ListsInFlight(client)
        let session = Session(
            api: api, target: TargetDescription(endpoint: c.endpoint, project: c.project, isSandbox: true, credential: "organization key"),
            canCreateKeys: true)
        let (program, diagnostics) = session.compile("for p in projects parallel 4 {\n  in project p { print p.id, count(keys) }\n}")
        #expect(diagnostics.filter(\.isError).isEmpty, "\(diagnostics.map(\.summary))")
        let events = Events()
        let summary = await session.run(try #require(program), options: RunOptions(announceTarget: false), emit: events.record)
        #expect(summary.status == .ok)
        #expect(events.outputs == projects.map { "\($0) \($0 == projects[0] ? 1 : 0)" }, "in order, the bootstrap key in the first")
        #expect(api.counter.lists.sorted() == projects.sorted(), "one list per project: \(api.counter.lists)")
        #expect((2...4).contains(api.counter.most), "lists in flight at once: \(api.counter.most)")
    }
}
