import Foundation
import KeyflowSandbox
import KeyflowTestSupport
import Testing

@testable import KeyflowClient

/// The client against the real sandbox server (HTTP, SQLite): every route, every error
/// type the client can provoke, both server modes, retries under `--chaos`, timeouts and
/// cancellation.
struct SandboxClientTests {
    struct Started {
        let sandbox: RunningSandbox
        let credentials: SandboxCredentials

        func client(
            apiKey: String? = nil, session: String? = nil, project: String? = nil, retry: RetryPolicy = .fast,
            timeout: Duration = .seconds(10)
        ) -> AppwriteClient {
            AppwriteClient(ClientConfiguration(
                endpoint: credentials.endpoint, project: project ?? credentials.project,
                credentials: Credentials(apiKey: apiKey.map(Secret.init), session: session.map(Secret.init)),
                totalTimeout: timeout, retry: retry))
        }

        var keyClient: AppwriteClient { client(apiKey: credentials.apiKey) }
        var sessionClient: AppwriteClient { client(session: credentials.session) }
        var bothClient: AppwriteClient { client(apiKey: credentials.apiKey, session: credentials.session) }
    }

    static func start(legacy: Bool = false, chaos: String? = nil, seed: UInt64 = 7) async throws -> Started {
        let sandbox = try await startSandbox("keyflow-client", legacy: legacy, chaos: chaos, seed: seed)
        return Started(sandbox: sandbox, credentials: sandbox.credentials)
    }

    static func withSandbox(legacy: Bool = false, chaos: String? = nil, seed: UInt64 = 7, _ body: (Started) async throws -> Void) async throws {
        let s = try await start(legacy: legacy, chaos: chaos, seed: seed)
        do {
            try await body(s)
        } catch {
            await s.sandbox.stop()
            throw error
        }
        await s.sandbox.stop()
    }

    static let later = Date(timeIntervalSinceNow: 30 * 86_400)

    @Test func everyRoute() async throws {
        try await Self.withSandbox() { s in
            let api = s.bothClient
            let expire = Date(timeIntervalSince1970: (Self.later.timeIntervalSince1970 * 1000).rounded(.down) / 1000)

            let created = try await api.createKey(id: "ci-deploy", fields: KeyFields(name: "CI deploy", scopes: ["users.read", "keys.read"], expire: .at(expire)))
            #expect(created.id == "ci-deploy")
            #expect(created.expire == .at(expire))
            #expect(created.secret.reveal().hasPrefix("standard_"))
            #expect(created.accessedAt == nil)
            _ = try await api.createKey(id: "b", fields: KeyFields(name: "B key", scopes: ["keys.write"]))
            _ = try await api.createKey(id: "c", fields: KeyFields(name: "C key", scopes: []))

            let fetched = try await api.getKey(id: "ci-deploy")
            #expect(fetched.name == "CI deploy")
            #expect(fetched.secret == created.secret)

            let all = try await api.listKeys(queries: [], total: true)
            #expect(all.total == 4)  // the bootstrap key too
            let page = try await api.listKeys(queries: [.limit(2), .offset(1)], total: true)
            #expect(page.keys.count == 2)
            #expect(page.total == 4)
            #expect(try await api.listKeys(queries: [.limit(1)], total: false).total == 0)
            #expect(try await api.listKeys(queries: [.equal("name", ["B key"])], total: true).keys.map(\.id) == ["b"])
            #expect(try await api.listKeys(queries: [.notEqual("name", ["B key"])], total: true).keys.count == 3)
            #expect(try await api.listKeys(queries: [.contains("scopes", ["keys.write"])], total: true).keys.map(\.id).contains("b"))
            let mine: Set<String> = ["ci-deploy", "b", "c"]
            #expect(try await api.listKeys(queries: [.orderDesc("name")], total: true).keys.map(\.id).filter(mine.contains) == ["ci-deploy", "c", "b"])
            #expect(try await api.listKeys(queries: [.orderAsc("name")], total: true).keys.map(\.id).filter(mine.contains) == ["b", "c", "ci-deploy"])
            let after = try await api.listKeys(queries: [.cursorAfter("ci-deploy")], total: true).keys.map(\.id)
            #expect(after == ["b", "c"])
            #expect(try await api.listKeys(queries: [.cursorBefore("c"), .limit(1)], total: true).keys.map(\.id) == ["b"])
            let expiring = try await api.listKeys(queries: [.lessThan("expire", WireDate.format(Date(timeIntervalSinceNow: 60 * 86_400)))], total: true)
            #expect(expiring.keys.map(\.id).contains("ci-deploy"))
            #expect(try await api.listKeys(queries: [.greaterThan("expire", WireDate.format(Date(timeIntervalSinceNow: 60 * 86_400)))], total: true).keys.isEmpty)

            // Patch: a scopes-only change keeps the expiry; a plain replace drops it.
            let patched = try await api.updateKey(id: "ci-deploy", scopes: ["users.read"])
            #expect(patched.expire == .at(expire))
            #expect(patched.name == "CI deploy")
            #expect(try await api.getKey(id: "ci-deploy").expire == .at(expire))
            let renamed = try await api.updateKey(id: "ci-deploy") { $0.name = "CI" }
            #expect(renamed.name == "CI" && renamed.scopes == ["users.read"] && renamed.expire == .at(expire))
            let replaced = try await api.replaceKey(id: "ci-deploy", fields: KeyFields(name: "CI", scopes: []))
            #expect(replaced.expire == .never)

            // Ephemeral keys authenticate.
            let ephemeral = try await api.createEphemeralKey(scopes: ["keys.read"], duration: 60)
            #expect(ephemeral.secret.reveal().hasPrefix("ephemeral_"))
            guard case .at(let until) = ephemeral.expire else { Issue.record("ephemeral key without expiry"); return }
            #expect(abs(until.timeIntervalSinceNow - 60) < 10)
            #expect(try await s.client(apiKey: ephemeral.secret.reveal()).listKeys(queries: [], total: true).total == 4)

            try await api.deleteKey(id: "c")
            do {
                _ = try await api.getKey(id: "c")
                Issue.record("the deleted key is still there")
            } catch {
                #expect((error as? APIError)?.status == 404 && (error as? APIError)?.type == "key_not_found")
            }
            // The deleted key's secret stops working at once.
            let deletedSecret = try await api.getKey(id: "b").secret.reveal()
            try await api.deleteKey(id: "b")
            await #expect(throws: (any Error).self) { try await s.client(apiKey: deletedSecret).listKeys(queries: [], total: true) }
        }
    }

    /// Every error type of docs/appwrite-api.md §8 that a client sending correct headers can meet.
    @Test func errorTypes() async throws {
        try await Self.withSandbox() { s in
            let api = s.bothClient
            func type(_ body: () async throws -> Void) async -> String? {
                do { try await body(); return nil } catch { return (error as? APIError)?.type ?? "not a server error: \(error)" }
            }
            #expect(await type { _ = try await api.getKey(id: "absent") } == "key_not_found")
            #expect(await type { _ = try await api.createKey(id: "dup", fields: KeyFields(name: "d", scopes: [])) } == nil)
            #expect(await type { _ = try await api.createKey(id: "dup2", fields: KeyFields(name: "e", scopes: [])) } == nil)
            #expect(await type {
                _ = try await s.client(session: s.credentials.session, retry: .none).createKey(id: "dup", fields: KeyFields(name: "other", scopes: []))
            } == "key_already_exists")
            #expect(await type { _ = try await api.createKey(id: "bad", fields: KeyFields(name: "", scopes: [])) } == "general_argument_invalid")
            #expect(await type { _ = try await api.createKey(id: "bad", fields: KeyFields(name: "n", scopes: ["no.such.scope"])) } == "general_argument_invalid")
            #expect(await type { _ = try await api.createKey(id: "_bad", fields: KeyFields(name: "n", scopes: [])) } == "general_argument_invalid")
            #expect(await type { _ = try await api.createEphemeralKey(scopes: [], duration: 7200) } == "general_argument_invalid")
            #expect(await type { _ = try await api.listKeys(queries: [.cursorAfter("absent")], total: true) } == "general_cursor_not_found")
            #expect(await type { _ = try await api.listKeys(queries: [.limit(0)], total: true) } == "general_argument_invalid")
            #expect(await type { _ = try await s.keyClient.createKey(id: "bykey", fields: KeyFields(name: "n", scopes: [])) } == "key_creation_denied")
            #expect(await type { _ = try await s.client(apiKey: s.credentials.apiKey, project: "nope").getKey(id: "dup") } == "project_not_found")
            #expect(await type { _ = try await s.client(apiKey: "standard_" + String(repeating: "0", count: 256)).getKey(id: "dup") } == "user_unauthorized")
            #expect(await type { _ = try await s.client(apiKey: "ephemeral_x.y.z").getKey(id: "dup") } == "general_unauthorized_scope")
            #expect(await type { _ = try await s.client().getKey(id: "dup") } != nil)  // no credential at all

            // A key lacking the scope, and an expired key.
            let readOnly = try await api.createKey(id: "ro", fields: KeyFields(name: "ro", scopes: ["keys.read"]))
            #expect(await type { try await s.client(apiKey: readOnly.secret.reveal()).deleteKey(id: "dup") } == "general_unauthorized_scope")
            let expired = try await api.createKey(id: "old", fields: KeyFields(name: "old", scopes: ["keys.read"], expire: .at(Date(timeIntervalSinceNow: -60))))
            #expect(await type { _ = try await s.client(apiKey: expired.secret.reveal()).getKey(id: "dup") } == "project_key_expired")
            // A session that is not one.
            #expect(await type { _ = try await s.client(session: "not-a-session").getKey(id: "dup") } != nil)
        }
    }

    @Test func legacyServersLetKeysCreate() async throws {
        try await Self.withSandbox(legacy: true) { s in
            let key = try await s.keyClient.createKey(id: "by-key", fields: KeyFields(name: "made by a key", scopes: ["users.read"]))
            #expect(key.id == "by-key")
            #expect(await Doctor(target: target(s, apiKey: true)).run().keysCanCreateKeys == true)
        }
    }

    @Test func doctorInBothModes() async throws {
        try await Self.withSandbox() { s in
            // The bootstrap key: keys.write and no expiry, a warning.
            let report = await Doctor(target: target(s, apiKey: true)).run()
            #expect(report.serverVersion != nil)
            #expect(report.key?.scopes.contains("keys.write") == true)
            #expect(report.keysCanCreateKeys == false)
            #expect(report.checks.contains { $0.name == "expiry" && $0.status == .warning })
            #expect(!report.healthy && !report.failed && report.warnings == 1)
            #expect(report.exitCode(strict: false) == 0 && report.exitCode(strict: true) == 1)
            #expect(!report.text.contains(s.credentials.apiKey))
            #expect(try await s.keyClient.listKeys(queries: [], total: true).total == 1, "the probe created a key")

            // A well-kept key: healthy.
            let good = try await s.sessionClient.createKey(id: "good", fields: KeyFields(name: "Good", scopes: ["keys.read", "keys.write"], expire: .at(Self.later)))
            let healthy = await Doctor(target: target(s, apiKey: good.secret.reveal())).run()
            #expect(healthy.healthy, "\(healthy.text)")
            #expect(healthy.key?.id == "good")

            // Expiring in three days: a warning.
            let soon = try await s.sessionClient.createKey(id: "soon", fields: KeyFields(name: "Soon", scopes: ["keys.read"], expire: .at(Date(timeIntervalSinceNow: 3 * 86_400))))
            let warned = await Doctor(target: target(s, apiKey: soon.secret.reveal())).run()
            #expect(warned.checks.contains { $0.name == "expiry" && $0.status == .warning })
            #expect(!warned.healthy)

            // A session only.
            let session = await Doctor(target: target(s, apiKey: false, session: true)).run()
            #expect(session.credential == "session")
            #expect(session.healthy, "\(session.text)")

            // Wrong project, unreachable endpoint.
            var wrong = target(s, apiKey: true)
            wrong.project = "nope"
            #expect(await Doctor(target: wrong).run().checks.contains { $0.name == "project" && $0.status == .failure })
            var gone = target(s, apiKey: true)
            gone.endpoint = "http://127.0.0.1:1/v1"
            let unreachable = await Doctor(target: gone).run()
            #expect(unreachable.checks.first { $0.name == "endpoint" }?.status == .failure)
        }
    }

    func target(_ s: Started, apiKey: Bool, session: Bool = false) -> ResolvedTarget {
        target(s, apiKey: apiKey ? s.credentials.apiKey : nil, session: session ? s.credentials.session : nil)
    }

    func target(_ s: Started, apiKey: String?, session: String? = nil) -> ResolvedTarget {
        ResolvedTarget(
            endpoint: s.credentials.endpoint, project: s.credentials.project,
            credentials: Credentials(apiKey: apiKey.map(Secret.init), session: session.map(Secret.init)), insecure: false,
            endpointSource: "test", projectSource: "test", apiKeySource: apiKey == nil ? nil : "test",
            sessionSource: session == nil ? nil : "test")
    }

    /// Under chaos every call still succeeds once, and no create is duplicated or lost.
    @Test func retriesUnderChaos() async throws {
        try await Self.withSandbox(chaos: "500=0.1,503=0.1,429=0.1,reset=0.05,commit-then-500=0.15", seed: 42) { s in
            let patient = RetryPolicy(maxAttempts: 12, baseDelay: .milliseconds(2), maxDelay: .milliseconds(20), maxRetryAfter: .milliseconds(20))
            let api = s.client(apiKey: s.credentials.apiKey, session: s.credentials.session, retry: patient)
            // The faults are real: without retries, calls fail.
            let bare = s.client(apiKey: s.credentials.apiKey, retry: .none)
            var failures = 0
            for _ in 0..<20 {
                do { _ = try await bare.listKeys(queries: [.limit(1)], total: false) } catch { failures += 1 }
            }
            #expect(failures == 11, "seed 42 fails 11 of these 20 calls, one draw each")
            let ids = (0..<40).map { "chaos-\($0)" }
            try await withThrowingTaskGroup(of: Key.self) { group in
                for (index, id) in ids.enumerated() {
                    group.addTask { try await api.createKey(id: id, fields: KeyFields(name: "Chaos \(index)", scopes: ["users.read"])) }
                }
                for try await key in group { #expect(ids.contains(key.id)) }
            }
            let listed = try await api.listKeys(queries: [], total: true)
            #expect(listed.total == 41)
            #expect(Set(listed.keys.map(\.name)).count == 41)
            for id in ids.prefix(20) { _ = try await api.updateKey(id: id, name: "Renamed \(id)") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in ids { group.addTask { try await api.deleteKey(id: id) } }
                try await group.waitForAll()
            }
            #expect(try await api.listKeys(queries: [], total: true).total == 1)
        }
    }

    @Test func timeoutAndCancellationAgainstASlowServer() async throws {
        try await Self.withSandbox(chaos: "delay=1.0:8s") { s in
            let impatient = s.client(apiKey: s.credentials.apiKey, retry: .none, timeout: .milliseconds(400))
            do {
                _ = try await impatient.listKeys(queries: [], total: true)
                Issue.record("expected a timeout")
            } catch {
                guard case .transport(let code, _) = error as? APIError else { Issue.record("got \(error)"); return }
                #expect(code == 28)
            }
            let started = ContinuousClock.now
            let task = Task { try await s.keyClient.listKeys(queries: [], total: true) }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            await #expect(throws: APIError.cancelled) { try await task.value }
            #expect(ContinuousClock.now - started < .seconds(6), "cancellation waited for the slow answer")
        }
    }
}
