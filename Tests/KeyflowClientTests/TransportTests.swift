import Foundation
import KeyflowTestSupport
import Testing

@testable import KeyflowClient

/// The transport and the client's failure handling against a scripted server on 127.0.0.1.
@Suite(.serialized) struct TransportTests {
    let server: TestServer

    init() throws { server = try TestServer() }

    func client(
        apiKey: String? = "standard_test", session: String? = nil, retry: RetryPolicy = .fast,
        timeout: Duration = .seconds(10), routes: ClientConfiguration.Routes = .project
    ) -> AppwriteClient {
        AppwriteClient(ClientConfiguration(
            endpoint: server.endpoint, project: "proj", credentials: Credentials(apiKey: apiKey.map(Secret.init), session: session.map(Secret.init)),
            routes: routes, totalTimeout: timeout, retry: retry))
    }

    func makeKey(_ client: AppwriteClient, _ id: String = "k1") async throws -> Key {
        try await client.createKey(id: id, fields: KeyFields(name: "Key \(id)", scopes: ["users.read"]))
    }

    @Test func sequentialCallsReuseOneConnection() async throws {
        let api = client()
        _ = try await makeKey(api)
        for _ in 0..<20 { _ = try await api.getKey(id: "k1") }
        let ports = Set(try server.requests().map(\.clientPort))
        #expect(ports.count == 1, "20 sequential calls used \(ports.count) connections")
    }

    @Test func concurrentCallsRunInParallel() async throws {
        let api = client()
        _ = try await makeKey(api)
        try server.reset()
        _ = try await makeKey(api)
        try server.script(Array(repeating: #"{"delay": 1.0}"#, count: 8))
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Key.self) { group in
            for _ in 0..<8 { group.addTask { try await api.getKey(id: "k1") } }
            for try await key in group { #expect(key.id == "k1") }
        }
        let elapsed = ContinuousClock.now - started
        let gets = try server.requests().filter { $0.method == "GET" }
        #expect(Set(gets.map(\.clientPort)).count == 8, "8 calls in flight should use 8 connections")
        #expect(elapsed < .seconds(4), "8 one-second calls took \(elapsed): they did not overlap")
    }

    @Test func cancellingATaskAbortsItsTransfer() async throws {
        let api = client()
        _ = try await makeKey(api)
        try server.script([#"{"delay": 5.0}"#])
        let started = ContinuousClock.now
        let task = Task { try await api.getKey(id: "k1") }
        try await server.waitForRequests(1) { $0.method == "GET" }
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(throws: APIError.cancelled) { try result.get() }
        // The engine goes on serving other calls.
        #expect(try await api.getKey(id: "k1").id == "k1")
    }

    @Test func manyInFlightCancelledAtOnce() async throws {
        let api = client()
        _ = try await makeKey(api)
        try server.script(Array(repeating: #"{"delay": 5.0}"#, count: 6))
        let tasks = (0..<6).map { _ in Task { try await api.getKey(id: "k1") } }
        try await server.waitForRequests(6) { $0.method == "GET" }
        for task in tasks { task.cancel() }
        for task in tasks {
            await #expect(throws: APIError.cancelled) { try await task.value }
        }
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        let api = client()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await api.getKey(id: "k1")
        }
        await #expect(throws: APIError.cancelled) { try await task.value }
        #expect(try server.requests().isEmpty)
    }

    @Test func totalTimeoutIsATransportError() async throws {
        let api = client(retry: .none, timeout: .milliseconds(300))
        _ = try await makeKey(api)
        try server.script([#"{"delay": 2.0}"#])
        do {
            _ = try await api.getKey(id: "k1")
            Issue.record("expected a timeout")
        } catch {
            guard case .transport(let code, _) = error else { Issue.record("got \(error)"); return }
            #expect(code == 28)
        }
    }

    @Test func retriesServerErrorsThenSucceeds() async throws {
        let api = client()
        _ = try await makeKey(api)
        try server.script([#"{"status": 503}"#, #"{"status": 500}"#, #"{"status": 502}"#])
        #expect(try await api.getKey(id: "k1").name == "Key k1")
        #expect(try server.requests().filter { $0.method == "GET" }.count == 4)
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let api = client(retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1)))
        _ = try await makeKey(api)
        try server.script([#"{"status": 500}"#, #"{"status": 500}"#])
        await #expect(throws: APIError.server(status: 500, type: "scripted", message: "scripted failure")) {
            try await api.getKey(id: "k1")
        }
    }

    @Test func honoursRetryAfter() async throws {
        let api = client()
        _ = try await makeKey(api)
        try server.script([#"{"status": 429, "headers": {"Retry-After": "1"}}"#])
        let started = ContinuousClock.now
        _ = try await api.getKey(id: "k1")
        #expect(ContinuousClock.now - started >= .milliseconds(950))
    }

    @Test func retriesAConnectionReset() async throws {
        let api = client()
        _ = try await makeKey(api)
        try server.script([#"{"reset": true}"#])
        #expect(try await api.getKey(id: "k1").id == "k1")
    }

    @Test func refusedConnectionIsATransportError() async throws {
        let api = AppwriteClient(ClientConfiguration(
            endpoint: "http://127.0.0.1:1/v1", project: "p", credentials: Credentials(apiKey: Secret("standard_x")),
            retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1))))
        do {
            _ = try await api.getKey(id: "k1")
            Issue.record("expected a failure")
        } catch {
            guard case .transport(let code, let message) = error else { Issue.record("got \(error)"); return }
            #expect(code == 7)
            #expect(!message.contains("standard_x"))
        }
    }

    @Test func createCommittedThen500IsNotDuplicatedNorFailed() async throws {
        let api = client(session: "sess")
        try server.script([#"{"commit_then": 500}"#])
        let key = try await api.createKey(id: "c1", fields: KeyFields(name: "CI", scopes: ["users.read"], expire: .at(Date(timeIntervalSince1970: 1_900_000_000))))
        #expect(key.id == "c1")
        #expect(try await api.listKeys(queries: [], total: true).keys.count == 1)
        let methods = try server.requests().map { "\($0.method) \($0.path)" }
        #expect(methods == ["POST /v1/project/keys", "POST /v1/project/keys", "GET /v1/project/keys/c1", "GET /v1/project/keys"])
    }

    @Test func createConflictWithADifferentKeyIsAnError() async throws {
        let api = client(session: "sess")
        _ = try await api.createKey(id: "c1", fields: KeyFields(name: "Other", scopes: []))
        try server.script([#"{"status": 500}"#])
        await #expect(throws: APIError.server(status: 409, type: "key_already_exists", message: "Key already exists.")) {
            try await api.createKey(id: "c1", fields: KeyFields(name: "Mine", scopes: []))
        }
    }

    @Test func createConflictWithoutRetryIsAnError() async throws {
        let api = client(session: "sess")
        let fields = KeyFields(name: "Same", scopes: [])
        _ = try await api.createKey(id: "c1", fields: fields)
        await #expect(throws: APIError.server(status: 409, type: "key_already_exists", message: "Key already exists.")) {
            try await api.createKey(id: "c1", fields: fields)
        }
    }

    @Test func deleteCommittedThen500Succeeds() async throws {
        let api = client()
        _ = try await makeKey(api)
        try server.script([#"{"commit_then": 500}"#])
        try await api.deleteKey(id: "k1")
        await #expect(throws: APIError.server(status: 404, type: "key_not_found", message: "Key not found.")) {
            try await api.deleteKey(id: "k1")
        }
    }

    @Test func errorBodiesBecomeTypedErrors() async throws {
        await #expect(throws: APIError.server(status: 404, type: "key_not_found", message: "Key not found.")) {
            try await client().getKey(id: "absent")
        }
        await #expect(throws: APIError.noCredential("no credential: give an API key (--key-file or APPWRITE_API_KEY), an organization key (APPWRITE_ORGANIZATION_KEY with APPWRITE_ORGANIZATION_ID), or sign in with keyflow login (or APPWRITE_SESSION)")) {
            try await client(apiKey: nil).getKey(id: "absent")
        }
    }

    @Test func updateKeepsTheExpiryOnAScopesOnlyChange() async throws {
        let api = client()
        let expiry = Date(timeIntervalSince1970: 1_900_000_000.5)
        _ = try await api.createKey(id: "u1", fields: KeyFields(name: "Deploy", scopes: ["users.read"], expire: .at(expiry), description: "for CI"))
        let updated = try await api.updateKey(id: "u1", scopes: ["users.read", "users.write"])
        #expect(updated.scopes == ["users.read", "users.write"])
        #expect(updated.expire == .at(expiry))
        #expect(updated.name == "Deploy")
        #expect(updated.description == "for CI")
        let put = try #require(try server.requests().last { $0.method == "PUT" })
        #expect(put.body == #"{"name":"Deploy","scopes":["users.read","users.write"],"expire":"2030-03-17T17:46:40.500+00:00","description":"for CI"}"#)
        // And a plain replace drops it, as the API does.
        let replaced = try await api.replaceKey(id: "u1", fields: KeyFields(name: "Deploy", scopes: []))
        #expect(replaced.expire == .never)
    }

    @Test func createUsesTheSessionEverythingElseTheKey() async throws {
        let api = client(apiKey: "standard_k", session: "sess")
        _ = try await makeKey(api)
        _ = try await api.getKey(id: "k1")
        let requests = try server.requests()
        #expect(requests[0].header("cookie") == "a_session_console=sess")
        #expect(requests[0].header("x-appwrite-mode") == "admin")
        #expect(requests[0].header("x-appwrite-key") == nil)
        #expect(requests[1].header("x-appwrite-key") == "standard_k")
        #expect(requests[1].header("cookie") == nil)
    }

    @Test func organizationRoutes() async throws {
        let api = client(routes: .organization)
        _ = try await makeKey(api)
        _ = try await api.getKey(id: "k1")
        _ = try await api.listKeys(queries: [.limit(1)], total: false)
        _ = try await api.createEphemeralKey(scopes: ["users.read"], duration: 60)
        try await api.deleteKey(id: "k1")
        let paths = try server.requests().map { "\($0.method) \($0.path)" }
        #expect(paths == [
            "POST /v1/organization/projects/proj/keys", "GET /v1/organization/projects/proj/keys/k1",
            "GET /v1/organization/projects/proj/keys", "POST /v1/organization/projects/proj/keys/ephemeral",
            "DELETE /v1/organization/projects/proj/keys/k1",
        ])
    }

    @Test func ephemeralKeyDatesParse() async throws {
        let key = try await client().createEphemeralKey(scopes: ["users.read"], duration: 600)
        #expect(key.secret.reveal().hasPrefix("ephemeral_"))
        #expect(key.expire == .at(WireDate.parse("2026-10-24T10:00:00Z")!))
        #expect(key.createdAt == WireDate.parse("2026-10-24T09:00:00Z")!)
    }

    @Test func consoleLogin() async throws {
        let session = try await AppwriteClient.createConsoleSession(endpoint: server.endpoint, email: "a@b.c", password: Secret("right-password"))
        #expect(session.reveal() == "sess-cookie-value")
        let login = try #require(try server.requests().first)
        #expect(login.header("x-appwrite-project") == "console")
        #expect(login.body == #"{"email":"a@b.c","password":"right-password"}"#)
        await #expect(throws: APIError.server(status: 401, type: "user_invalid_credentials", message: "Invalid credentials.")) {
            try await AppwriteClient.createConsoleSession(endpoint: server.endpoint, email: "a@b.c", password: Secret("wrong"))
        }
    }

    @Test func serverVersion() async throws {
        #expect(try await client(apiKey: nil).serverVersion() == "1.9.6")
    }
}

extension RetryPolicy {
    static let fast = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50))
}
