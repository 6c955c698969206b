import KeyflowBasics

/// `POST /teams` in the console project, as the console creates an organization (console
/// SDK `Teams.create`): a console session makes a team of which it becomes a member with
/// `roles` (default `owner`). A new, empty organization (docs/appwrite-api.md §4.7, §12).
struct TeamsService: Sendable {
    let state: SandboxState

    func create(_ request: APIRequest) async throws(APIFailure) -> APIResponse {
        let now = Timestamps.now()
        let project = request.query["project"].flatMap { $0.isEmpty ? nil : $0 } ?? request.projectHeader.flatMap { $0.isEmpty ? nil : $0 }
        // Only a signed-in console user in the console project; anyone else is a guest here.
        guard project ?? SandboxState.consoleProject == SandboxState.consoleProject,
            request.keyHeader.map(\.isEmpty) ?? true,
            let cookie = request.cookie("a_session_console"), let session = state.accounts.session(secret: cookie, now: now)
        else {
            if let project, project != SandboxState.consoleProject, state.organizations.project(project) == nil { throw .projectNotFound }
            throw .missingScope(identity: "User", role: "guests", scope: "teams.write")
        }
        let body = try request.jsonBody()
        let id = try Validation.newID("teamId", body)
        guard case .string(let name) = body["name"] ?? .null else { throw .missingParam("name") }
        guard (1...128).contains(name.count) else { throw .invalidParam("name", Validation.nameRule) }
        var roles = ["owner"]
        if let value = body["roles"], value != .null {
            let rule = "Value must a valid array no longer than 100 items and Value must be a valid string and at least 1 chars and no longer than 81 chars"
            guard case .array(let items) = value, items.count <= 100 else { throw .invalidParam("roles", rule) }
            roles = []
            for item in items {
                guard case .string(let role) = item, (1...81).contains(role.count) else { throw .invalidParam("roles", rule) }
                roles.append(role)
            }
        }
        let team = TeamRecord(sequence: 0, id: id, name: name, createdAt: now, updatedAt: now)
        let membership = MembershipRecord(teamID: id, userID: session.userID, roles: roles, createdAt: now)
        let organizations = state.organizations
        let stored: TeamRecord?
        do {
            stored = try await state.storage.write { db -> TeamRecord? in
                if try Storage.teamExists(db, id: id) { return nil }
                return try Storage.insertTeam(db, team, membership)
            } thenApply: { stored in
                if let stored { organizations.add(stored, membership) }
            }
        } catch {
            throw .serverError
        }
        guard let stored else { throw .teamAlreadyExists }
        return .json(201, stored.json(members: 1))
    }
}
