import Foundation
import KeyflowTestSupport
import Testing

@testable import KeyflowSandbox

/// The organization of the sandbox over real HTTP (docs/appwrite-api.md §4.7): which headers
/// resolve to which answer, isolation between two organizations, and what a restart keeps.
@Suite struct OrganizationTests {
    /// A sandbox with organization A (projects alpha, beta) and organization B (project b1),
    /// made the console's way: POST /teams, then POST /organization/projects.
    struct TwoOrganizations {
        let sandbox: RunningSandbox
        var c: SandboxCredentials { sandbox.credentials }
        static let teamB = "org-b"

        static func start(_ dir: TemporaryDirectory) async throws -> TwoOrganizations {
            let sandbox = try await Sandbox.start(SandboxConfiguration(directory: dir.url, projectIDs: ["alpha", "beta"]))
            let c = sandbox.credentials
            let team = try await send(
                "POST", c.endpoint + "/teams", headers: session(c, organization: nil), body: #"{"teamId":"org-b","name":"B"}"#)
            #expect(team.status == 201, "\(team.text)")
            let project = try await send(
                "POST", c.endpoint + "/organization/projects", headers: session(c, organization: teamB),
                body: #"{"projectId":"b1","name":"B one"}"#)
            #expect(project.status == 201, "\(project.text)")
            #expect(project.json["teamId"] as? String == teamB)
            return TwoOrganizations(sandbox: sandbox)
        }
    }

    static func session(_ c: SandboxCredentials, organization: String?, project: String = "console") -> [String: String] {
        var h = ["X-Appwrite-Project": project, "Cookie": "a_session_console=\(c.session)"]
        if let organization { h["X-Appwrite-Organization"] = organization }
        return h
    }

    /// Organization-key headers; nil leaves a header out.
    static func orgKey(_ c: SandboxCredentials, organization: String?, project: String?, key: String? = nil) -> [String: String] {
        var h = ["X-Appwrite-Key": key ?? c.organizationKey]
        if let organization { h["X-Appwrite-Organization"] = organization }
        if let project { h["X-Appwrite-Project"] = project }
        return h
    }

    func expectAnswer(
        _ label: String, _ method: String, _ url: String, _ headers: [String: String], body: String? = nil,
        _ status: Int, _ type: String? = nil
    ) async throws {
        let answer = try await send(method, url, headers: headers, body: body)
        #expect(answer.status == status, "\(label): \(answer.status) \(answer.text)")
        if let type { #expect(answer.type == type, "\(label): \(answer.text)") }
    }

    @Test func organizationKeyHeaderResolutionTable() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let world = try await TwoOrganizations.start(dir)
        let c = world.c
        let keys = c.endpoint + "/organization/projects/beta/keys"
        let a = c.organization
        try await expectAnswer("org header, project console", "GET", keys, Self.orgKey(c, organization: a, project: "console"), 200)
        try await expectAnswer("org header, project header absent", "GET", keys, Self.orgKey(c, organization: a, project: nil), 200)
        try await expectAnswer("org header, project header empty", "GET", keys, Self.orgKey(c, organization: a, project: ""), 200)
        try await expectAnswer("org header, project of the organization", "GET", keys, Self.orgKey(c, organization: a, project: "alpha"), 200)
        try await expectAnswer(
            "no org header, project of the organization", "GET", keys, Self.orgKey(c, organization: nil, project: "alpha"), 403,
            "organization_id_missing")
        try await expectAnswer(
            "org header B, project of the organization", "GET", keys, Self.orgKey(c, organization: "org-b", project: "alpha"), 403,
            "organization_id_missing")
        try await expectAnswer(
            "no org header, no project header", "GET", keys, Self.orgKey(c, organization: nil, project: nil), 403, "project_id_missing")
        try await expectAnswer(
            "org header B, project header empty", "GET", keys, Self.orgKey(c, organization: "org-b", project: ""), 403, "project_id_missing")
        try await expectAnswer(
            "org header unknown, no project header", "GET", keys, Self.orgKey(c, organization: "nope", project: nil), 403,
            "project_id_missing")
        try await expectAnswer(
            "no org header, project console", "GET", keys, Self.orgKey(c, organization: nil, project: "console"), 401, "user_unauthorized")
        try await expectAnswer(
            "project header of organization B", "GET", keys, Self.orgKey(c, organization: a, project: "b1"), 401, "user_unauthorized")
        try await expectAnswer(
            "project header unknown", "GET", keys, Self.orgKey(c, organization: a, project: "zzz"), 404, "project_not_found")

        // Scope: exactly the key's own; the message names both scopes of the pair.
        let made = try await send(
            "POST", c.endpoint + "/organization/keys", headers: Self.session(c, organization: a),
            body: #"{"keyId":"only-projects","name":"p","scopes":["projects.read"]}"#)
        #expect(made.status == 201, "\(made.text)")
        let narrow = try #require(made.json["secret"] as? String)
        let denied = try await send("GET", keys, headers: Self.orgKey(c, organization: a, project: "console", key: narrow))
        #expect(denied.status == 401)
        #expect(denied.type == "general_unauthorized_scope")
        #expect(
            denied.json["message"] as? String
                == #"app.console@service.127.0.0.1 (role: applications) missing scopes (["organization.projects.keys.read","keys.read"])"#)
        let write = try await send(
            "DELETE", keys + "/sandbox-admin", headers: Self.orgKey(c, organization: a, project: "console", key: narrow))
        #expect(
            write.json["message"] as? String
                == #"app.console@service.127.0.0.1 (role: applications) missing scopes (["organization.projects.keys.write","keys.write"])"#)
        try await expectAnswer(
            "projects.read lists projects", "GET", c.endpoint + "/organization/projects",
            Self.orgKey(c, organization: a, project: nil, key: narrow), 200)

        // Expiry.
        let old = try await send(
            "POST", c.endpoint + "/organization/keys", headers: Self.session(c, organization: a),
            body: #"{"keyId":"expired","name":"e","scopes":["keys.read"],"expire":"2020-01-01T00:00:00.000+00:00"}"#)
        let expired = try #require(old.json["secret"] as? String)
        try await expectAnswer(
            "expired organization key", "GET", keys, Self.orgKey(c, organization: a, project: "console", key: expired), 401,
            "project_key_expired")

        // Sessions.
        try await expectAnswer(
            "session, no org header: projects", "GET", c.endpoint + "/organization/projects", Self.session(c, organization: nil), 404,
            "team_not_found")
        try await expectAnswer(
            "session, no org header: keys", "GET", keys, Self.session(c, organization: nil), 401, "general_unauthorized_scope")
        try await expectAnswer("no credentials", "GET", keys, [:], 401, "general_unauthorized_scope")
        await world.sandbox.stop()
    }

    @Test func organizationsAreIsolated() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let world = try await TwoOrganizations.start(dir)
        let c = world.c
        let a = c.organization
        let orgA = Self.orgKey(c, organization: a, project: "console")
        // An organization key of A cannot reach B's projects.
        for (method, path, body) in [
            ("GET", "/organization/projects/b1/keys", nil), ("GET", "/organization/projects/b1/keys/sandbox-admin", nil),
            ("POST", "/organization/projects/b1/keys", #"{"keyId":"unique()","name":"n","scopes":[]}"#),
            ("POST", "/organization/projects/b1/keys/ephemeral", #"{"scopes":[],"duration":60}"#),
            ("PUT", "/organization/projects/b1/keys/k", #"{"name":"n","scopes":[]}"#), ("DELETE", "/organization/projects/b1/keys/k", nil),
        ] as [(String, String, String?)] {
            try await expectAnswer("org key A → B: \(method) \(path)", method, c.endpoint + path, orgA, body: body, 404, "project_not_found")
        }
        // Nor can the session acting for B reach A's.
        try await expectAnswer(
            "session as B → A", "GET", c.endpoint + "/organization/projects/alpha/keys", Self.session(c, organization: "org-b"), 404,
            "project_not_found")
        // A project key of alpha: own project yes, sibling 401, other organization 404, creating 403.
        let projectKey = ["X-Appwrite-Project": "alpha", "X-Appwrite-Key": c.apiKey]
        try await expectAnswer("project key: own", "GET", c.endpoint + "/organization/projects/alpha/keys", projectKey, 200)
        try await expectAnswer(
            "project key: sibling", "GET", c.endpoint + "/organization/projects/beta/keys", projectKey, 401, "user_unauthorized")
        try await expectAnswer(
            "project key: other organization", "GET", c.endpoint + "/organization/projects/b1/keys", projectKey, 404, "project_not_found")
        try await expectAnswer(
            "project key: create", "POST", c.endpoint + "/organization/projects/alpha/keys", projectKey,
            body: #"{"keyId":"unique()","name":"n","scopes":[]}"#, 403, "key_creation_denied")
        // Each organization lists its own projects only.
        let listA = try await send("GET", c.endpoint + "/organization/projects", headers: orgA)
        #expect((listA.json["projects"] as? [[String: Any]])?.compactMap { $0["$id"] as? String } == ["alpha", "beta"])
        let listB = try await send("GET", c.endpoint + "/organization/projects", headers: Self.session(c, organization: "org-b"))
        #expect((listB.json["projects"] as? [[String: Any]])?.compactMap { $0["$id"] as? String } == ["b1"])
        // Organization keys are per organization.
        let keysB = try await send("GET", c.endpoint + "/organization/keys", headers: Self.session(c, organization: "org-b"))
        #expect(keysB.json["total"] as? Int == 0)
        // A key made for beta through the organization route is the project route's key.
        let made = try await send(
            "POST", c.endpoint + "/organization/projects/b1/keys", headers: Self.session(c, organization: "org-b"),
            body: #"{"keyId":"b1-key","name":"B key","scopes":["keys.read"]}"#)
        #expect(made.status == 201)
        let secret = try #require(made.json["secret"] as? String)
        let viaProjectRoute = try await send(
            "GET", c.endpoint + "/project/keys/b1-key", headers: ["X-Appwrite-Project": "b1", "X-Appwrite-Key": secret])
        #expect(viaProjectRoute.status == 200)
        await world.sandbox.stop()
    }

    @Test func restartKeepsOrganizationsProjectsAndKeys() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let world = try await TwoOrganizations.start(dir)
        let first = world.c
        #expect(first.projects == ["alpha", "beta"])
        #expect(first.project == "alpha")
        #expect(first.organizationKey.hasPrefix("organization_") && first.organizationKey.count == 269)
        let made = try await send(
            "POST", first.endpoint + "/organization/keys", headers: Self.session(first, organization: TwoOrganizations.teamB),
            body: #"{"keyId":"kept-org-key","name":"k","scopes":["projects.read"]}"#)
        let kept = try #require(made.json["secret"] as? String)
        await world.sandbox.stop()

        let second = try await Sandbox.start(SandboxConfiguration(directory: dir.url, projectIDs: ["alpha", "beta"]))
        let c = second.credentials
        #expect(c.organization == first.organization)
        #expect(c.organizationKey == first.organizationKey)
        #expect(c.projects == first.projects)
        #expect(c.apiKey == first.apiKey)
        let list = try await send(
            "GET", c.endpoint + "/organization/projects", headers: Self.orgKey(c, organization: TwoOrganizations.teamB, project: nil, key: kept))
        #expect((list.json["projects"] as? [[String: Any]])?.compactMap { $0["$id"] as? String } == ["b1"], "\(list.text)")
        await second.stop()
        await #expect(throws: SandboxError.self) {
            _ = try await Sandbox.start(SandboxConfiguration(directory: dir.url, projectIDs: ["alpha", "gamma"]))
        }
        // `--project` alone still names the first project.
        let third = try await Sandbox.start(SandboxConfiguration(directory: dir.url, projectID: "alpha"))
        await third.stop()
    }

    /// A data directory made before organizations (no organization in its settings, projects
    /// owned by no team) gets one on its next start, owning every project; nothing else changes.
    @Test func databaseWithoutOrganizationGetsOneOnStart() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let first = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        let before = first.credentials
        await first.stop()
        let storage = try Storage(directory: dir.url)
        try await storage.write { db in
            try db.execute(
                sql: """
                    DELETE FROM settings WHERE name IN ('organization', 'organizationKey', 'projects');
                    DELETE FROM organizationKeys; DELETE FROM memberships; DELETE FROM teams;
                    UPDATE projects SET teamId = '', name = '', updatedAt = 0;
                    """)
        }
        let second = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        let c = second.credentials
        #expect(c.apiKey == before.apiKey && c.session == before.session && c.project == "sandbox")
        #expect(c.projects == ["sandbox"])
        #expect(c.organization != before.organization && c.organizationKey.hasPrefix("organization_"))
        let list = try await send(
            "GET", c.endpoint + "/organization/projects", headers: Self.orgKey(c, organization: c.organization, project: nil))
        #expect((list.json["projects"] as? [[String: Any]])?.first?["name"] as? String == "sandbox", "\(list.text)")
        let keys = try await send(
            "GET", c.endpoint + "/project/keys/sandbox-admin", headers: ["X-Appwrite-Project": "sandbox", "X-Appwrite-Key": c.apiKey])
        #expect(keys.status == 200)
        await second.stop()
    }

    @Test func projectsOptionIsChecked() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        for bad: [String] in [["a", "a"], ["a", "console"], ["a", "-b"], [], ["a", ""]] {
            await #expect(throws: SandboxError.self, "\(bad)") {
                _ = try await Sandbox.start(SandboxConfiguration(directory: dir.url, projectIDs: bad))
            }
        }
        await #expect(throws: SandboxError.self) {
            _ = try await Sandbox.start(SandboxConfiguration(directory: dir.url, projectID: "b", projectIDs: ["a", "b"]))
        }
    }
}
