import Foundation
import KeyflowTestSupport
import Testing

@testable import KeyflowSandbox

/// The in-process sandbox over real HTTP: bootstrap, restart, the console/key split on create.
@Suite struct SandboxServerTests {
    @Test func bootstrapWritesCredentialsAndRestartKeepsEverything() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let first = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        let credentials = first.credentials
        #expect(credentials.project == "sandbox")
        #expect(credentials.endpoint.hasPrefix("http://127.0.0.1:") && credentials.endpoint.hasSuffix("/v1"))
        #expect(credentials.apiKey.hasPrefix("standard_") && credentials.apiKey.count == 265)
        #expect(!String(describing: credentials).contains(credentials.apiKey))
        #expect(!String(describing: credentials).contains(credentials.password))

        let file = dir.url.appendingPathComponent("sandbox.json")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // The database and its WAL and shared-memory files hold secrets: owner only.
        for name in ["sandbox.sqlite", "sandbox.sqlite-wal", "sandbox.sqlite-shm"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir.url.appendingPathComponent(name).path)[.posixPermissions]
            #expect((mode as? NSNumber)?.intValue == 0o600, "\(name)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        #expect(
            Set(json.keys) == [
                "endpoint", "project", "apiKey", "session", "email", "password", "organization", "organizationKey", "projects",
            ])
        #expect(json["endpoint"] as? String == credentials.endpoint)
        #expect(json["apiKey"] as? String == credentials.apiKey)
        #expect(json["organization"] as? String == credentials.organization)
        #expect(json["organizationKey"] as? String == credentials.organizationKey)
        #expect(json["projects"] as? [String] == ["sandbox"])
        #expect(credentials.organizationKey.hasPrefix("organization_") && credentials.organizationKey.count == 269)
        #expect(!String(describing: credentials).contains(credentials.organizationKey))

        let created = try await send(
            "POST", credentials.endpoint + "/project/keys", headers: consoleHeaders(credentials),
            body: #"{"keyId":"kept","name":"Kept","scopes":["users.read"],"expire":"2031-02-03T04:05:06.789+00:00"}"#)
        #expect(created.status == 201)
        await first.stop()

        let second = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        defer { Task { await second.stop() } }
        #expect(second.credentials.apiKey == credentials.apiKey)
        #expect(second.credentials.session == credentials.session)
        #expect(second.credentials.password == credentials.password)
        #expect(second.credentials.organization == credentials.organization)
        #expect(second.credentials.organizationKey == credentials.organizationKey)
        #expect(second.credentials.projects == credentials.projects)
        let got = try await send("GET", second.credentials.endpoint + "/project/keys/kept", headers: keyHeaders(second.credentials))
        #expect(got.status == 200)
        #expect(got.json["name"] as? String == "Kept")
        #expect(got.json["expire"] as? String == "2031-02-03T04:05:06.789+00:00")
        #expect(got.json["secret"] as? String == created.json["secret"] as? String)
        await second.stop()
    }

    @Test func createNeedsConsoleSessionUnlessLegacy() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let sandbox = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        let c = sandbox.credentials
        let body = #"{"keyId":"unique()","name":"n","scopes":[]}"#
        let denied = try await send("POST", c.endpoint + "/project/keys", headers: keyHeaders(c), body: body)
        #expect(denied.status == 403)
        #expect(denied.type == "key_creation_denied")
        let allowed = try await send("POST", c.endpoint + "/project/keys", headers: consoleHeaders(c), body: body)
        #expect(allowed.status == 201)
        #expect((allowed.json["$id"] as? String)?.count == 20)
        var noMode = consoleHeaders(c)
        noMode["X-Appwrite-Mode"] = nil
        let guest = try await send("POST", c.endpoint + "/project/keys", headers: noMode, body: body)
        #expect(guest.status == 401)
        #expect(guest.type == "general_unauthorized_scope")
        await sandbox.stop()

        let legacy = try await Sandbox.start(SandboxConfiguration(directory: dir.url, legacyKeyCreate: true))
        let viaKey = try await send("POST", legacy.credentials.endpoint + "/project/keys", headers: keyHeaders(c), body: body)
        #expect(viaKey.status == 201)
        await legacy.stop()
    }

    @Test func consoleLoginSetsCookieThatAuthorisesCreate() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let sandbox = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        let c = sandbox.credentials
        let wrong = try await send(
            "POST", c.endpoint + "/account/sessions/email", headers: ["X-Appwrite-Project": "console"],
            body: #"{"email":"\#(c.email)","password":"not-the-password"}"#)
        #expect(wrong.status == 401)
        #expect(wrong.type == "user_invalid_credentials")
        let login = try await send(
            "POST", c.endpoint + "/account/sessions/email", headers: ["X-Appwrite-Project": "console"],
            body: #"{"email":"\#(c.email)","password":"\#(c.password)"}"#)
        #expect(login.status == 201)
        let cookie = try #require(login.headers["set-cookie"])
        #expect(cookie.hasPrefix("a_session_console="))
        let session = String(cookie.dropFirst("a_session_console=".count).prefix(while: { $0 != ";" }))
        let created = try await send(
            "POST", c.endpoint + "/project/keys",
            headers: ["X-Appwrite-Project": c.project, "Cookie": "a_session_console=\(session)", "X-Appwrite-Mode": "admin"],
            body: #"{"keyId":"from-login","name":"n","scopes":["keys.read"]}"#)
        #expect(created.status == 201)
        await sandbox.stop()
    }

    @Test func bodyOverOneMebibyteIsRejected() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let sandbox = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        let c = sandbox.credentials
        let big = #"{"name":"\#(String(repeating: "x", count: 1 << 20))","scopes":[]}"#
        let answer = try await send("PUT", c.endpoint + "/project/keys/sandbox-admin", headers: keyHeaders(c), body: big)
        #expect(answer.status == 413)
        #expect(answer.type == "general_argument_invalid")
        // The key is untouched.
        let key = try await send("GET", c.endpoint + "/project/keys/sandbox-admin", headers: keyHeaders(c))
        #expect(key.json["name"] as? String == "Sandbox bootstrap key")
        await sandbox.stop()
    }

    /// Hostile lists and headers are refused before they are parsed: more than 100 queries or
    /// one longer than 4096 characters is a 400 in Appwrite's error JSON; a header past the
    /// HTTP parser's 1 MiB is a 400 from Hummingbird, and the server goes on answering.
    @Test func queryCountsLengthsAndHeadersAreBounded() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let sandbox = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        let c = sandbox.credentials
        let limit = "queries%5B%5D=%7B%22method%22%3A%22limit%22%2C%22values%22%3A%5B1%5D%7D"
        let many = try await send("GET", c.endpoint + "/project/keys?" + Array(repeating: limit, count: 101).joined(separator: "&"), headers: keyHeaders(c))
        #expect(many.status == 400)
        #expect(many.type == "general_argument_invalid")
        #expect(many.json["message"] as? String == "Invalid `queries` param: " + APIFailure.queriesRule)
        let hundred = try await send("GET", c.endpoint + "/project/keys?" + Array(repeating: limit, count: 100).joined(separator: "&"), headers: keyHeaders(c))
        #expect(hundred.status == 200)
        let long = "queries%5B%5D=%7B%22method%22%3A%22equal%22%2C%22attribute%22%3A%22name%22%2C%22values%22%3A%5B%22" + String(repeating: "a", count: 4096) + "%22%5D%7D"
        let tooLong = try await send("GET", c.endpoint + "/project/keys?" + long, headers: keyHeaders(c))
        #expect(tooLong.status == 400)
        #expect(tooLong.json["message"] as? String == "Invalid `queries` param: " + APIFailure.queriesRule)
        // Hummingbird answers 400 and closes; URLSession may report the close instead.
        let huge = try? await send("GET", c.endpoint + "/project/keys", headers: keyHeaders(c).merging(["X-Padding": String(repeating: "p", count: 1 << 20)]) { $1 })
        #expect(huge == nil || huge?.status == 400)
        let after = try await send("GET", c.endpoint + "/project/keys", headers: keyHeaders(c))
        #expect(after.status == 200)
        await sandbox.stop()
    }

    @Test func projectMismatchIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let sandbox = try await Sandbox.start(SandboxConfiguration(directory: dir.url, projectID: "alpha"))
        await sandbox.stop()
        await #expect(throws: SandboxError.self) {
            _ = try await Sandbox.start(SandboxConfiguration(directory: dir.url, projectID: "beta"))
        }
        await #expect(throws: SandboxError.self) {
            _ = try await Sandbox.start(SandboxConfiguration(directory: dir.url, projectID: "-bad"))
        }
    }
}

@Suite struct SandboxStartFailureTests {
    @Test func busyPortIsABindError() async throws {
        let a = try TemporaryDirectory()
        let b = try TemporaryDirectory()
        defer { a.cleanup(); b.cleanup() }
        let first = try await Sandbox.start(SandboxConfiguration(directory: a.url))
        do {
            _ = try await Sandbox.start(SandboxConfiguration(directory: b.url, port: first.port))
            Issue.record("a second sandbox bound the same port")
        } catch {
            guard case .bind = error else { Issue.record("wrong error: \(error)"); return }
        }
        await first.stop()
    }
}
