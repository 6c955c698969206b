import KeyflowBasics

/// The organization routes of docs/appwrite-api.md §4.7 after `authenticateOrganization`:
/// the organization's projects (`/organization/projects`) and the keys of each of its
/// projects (`/organization/projects/{projectId}/keys…`), which are the very keys the
/// project routes serve. Order within each: parameters, the path project (404
/// `project_not_found` outside the organization, 401 `user_unauthorized` for a project key of
/// a sibling project), then the action of `KeysService`.
struct OrganizationService: Sendable {
    let state: SandboxState

    static let readScopes = ["organization.projects.keys.read", "keys.read"]
    static let writeScopes = ["organization.projects.keys.write", "keys.write"]
    static let defaultProjectLimit = 25

    private var keys: KeysService { KeysService(state: state) }

    // MARK: projects

    /// GET /organization/projects: the team's projects; `queries` limit, offset,
    /// cursorAfter/cursorBefore and equal on `$id`/`name`; `search` on id and name; `total`.
    func listProjects(_ request: APIRequest, team: TeamRecord) throws(APIFailure) -> APIResponse {
        let query = try ProjectQuery.parse(request.queries())
        let includeTotal = try Validation.total(request.query["total"])
        let search = request.query["search"] ?? ""
        guard search.count <= 256 else { throw .invalidParam("search", "Value must be a valid string and no longer than 256 chars") }
        var projects = state.organizations.projects(team: team.id).filter { p in
            query.equal.allSatisfy { $0.matches(p) }
                && (search.isEmpty || p.id.lowercased().contains(search.lowercased()) || p.name.lowercased().contains(search.lowercased()))
        }
        let total = projects.count
        if let cursor = query.cursor {
            guard state.organizations.project(cursor.id) != nil else { throw .cursorNotFound }
            if let at = projects.firstIndex(where: { $0.id == cursor.id }) {
                projects = cursor.after ? Array(projects[(at + 1)...]) : Array(projects[..<at].suffix(query.limit ?? Self.defaultProjectLimit))
            } else {
                projects = []
            }
        }
        let page = projects.dropFirst(query.offset).prefix(query.limit ?? Self.defaultProjectLimit)
        var w = JSONWriter(capacity: 64 + page.count * 300, style: .server)
        w.raw("{")
        w.key("total", first: true)
        w.raw(String(includeTotal ? min(total, 5000) : 0))
        w.key("projects")
        w.raw("[")
        for (n, project) in page.enumerated() {
            if n > 0 { w.raw(",") }
            project.render(into: &w)
        }
        w.raw("]}")
        return .json(200, w.text)
    }

    /// POST /organization/projects: body `projectId` (or `unique()`), `name`, optional `region`.
    func createProject(_ request: APIRequest, team: TeamRecord) async throws(APIFailure) -> APIResponse {
        let body = try request.jsonBody()
        let id = try Validation.newID("projectId", body)
        let name = try Validation.name(body)
        if let region = body["region"], region != .null {
            guard case .string = region else { throw .invalidParam("region", "Value must be a valid string") }
        }
        guard id != SandboxState.consoleProject else { throw .projectAlreadyExists }
        let now = Timestamps.now()
        let record = ProjectRecord(sequence: 0, id: id, name: name, teamID: team.id, createdAt: now, updatedAt: now)
        let organizations = state.organizations
        let stored: ProjectRecord?
        do {
            stored = try await state.storage.write { db -> ProjectRecord? in
                if try Storage.projectExists(db, id: id) { return nil }
                return try Storage.insertProject(db, record)
            } thenApply: { stored in
                if let stored { organizations.add(stored) }
            }
        } catch {
            throw .serverError
        }
        guard let stored else { throw .projectAlreadyExists }
        return .json(201, stored.json())
    }

    // MARK: project keys

    /// The path project, checked against the organization and the caller (org-keys getProject).
    func project(_ raw: String, _ call: Authentication.OrganizationCall) throws(APIFailure) -> String {
        let id = try Validation.uid("projectId", raw)
        guard id != SandboxState.consoleProject, let project = state.organizations.project(id), project.teamID == call.team.id else {
            throw .projectNotFound
        }
        switch call.caller {
        case .standardKey(let key) where key.projectID != id: throw .userUnauthorized
        case .ephemeralKey(let claims) where claims.projectID != id: throw .userUnauthorized
        default: return id
        }
    }

    /// GET /organization/projects/{projectId}/keys
    func listKeys(_ request: APIRequest, _ call: Authentication.OrganizationCall, projectID: String) throws(APIFailure) -> APIResponse {
        _ = try ListQuery.parse(request.queries())
        _ = try Validation.total(request.query["total"])
        return try keys.list(request, project: try project(projectID, call))
    }

    /// POST /organization/projects/{projectId}/keys: refused to project keys (403
    /// `key_creation_denied`) before the path project is looked at.
    func createKey(_ request: APIRequest, _ call: Authentication.OrganizationCall, projectID: String) async throws(APIFailure) -> APIResponse {
        _ = try Validation.uid("projectId", projectID)
        let new = try keys.parseCreate(request)
        if call.caller.isAPIKey { throw .keyCreationDenied }
        return try await keys.insert(new, project: try project(projectID, call))
    }

    /// POST /organization/projects/{projectId}/keys/ephemeral: a token for the path project.
    func createEphemeralKey(_ request: APIRequest, _ call: Authentication.OrganizationCall, projectID: String) throws(APIFailure) -> APIResponse {
        _ = try Validation.uid("projectId", projectID)
        let body = try request.jsonBody()
        _ = try Validation.scopes(body)
        _ = try Validation.duration(body)
        return try keys.createEphemeral(request, project: try project(projectID, call))
    }

    /// GET /organization/projects/{projectId}/keys/{keyId}
    func getKey(_ call: Authentication.OrganizationCall, projectID: String, keyID: String) throws(APIFailure) -> APIResponse {
        _ = try Validation.uid("projectId", projectID)
        _ = try Validation.pathKeyID(keyID)
        return try keys.get(keyID: keyID, project: try project(projectID, call))
    }

    /// PUT /organization/projects/{projectId}/keys/{keyId}: replaces, as on the project route.
    func updateKey(_ request: APIRequest, _ call: Authentication.OrganizationCall, projectID: String, keyID: String) async throws(APIFailure) -> APIResponse {
        _ = try Validation.uid("projectId", projectID)
        _ = try Validation.pathKeyID(keyID)
        let body = try request.jsonBody()
        _ = try Validation.name(body)
        _ = try Validation.scopes(body)
        _ = try Validation.expire(body)
        _ = try Validation.description(body)
        return try await keys.update(request, keyID: keyID, project: try project(projectID, call))
    }

    /// DELETE /organization/projects/{projectId}/keys/{keyId}
    func deleteKey(_ call: Authentication.OrganizationCall, projectID: String, keyID: String) async throws(APIFailure) -> APIResponse {
        _ = try Validation.uid("projectId", projectID)
        _ = try Validation.pathKeyID(keyID)
        return try await keys.delete(keyID: keyID, project: try project(projectID, call))
    }
}

/// The `queries` of `GET /organization/projects` the sandbox supports: `limit`, `offset`,
/// `cursorAfter`/`cursorBefore`, and `equal` on `$id`, `name` and `teamId`.
struct ProjectQuery: Sendable {
    struct Equal: Sendable {
        var attribute: String
        var values: [String]

        func matches(_ p: ProjectRecord) -> Bool {
            switch attribute {
            case "$id": values.contains(p.id)
            case "name": values.contains(p.name)
            default: values.contains(p.teamID)
            }
        }
    }

    var equal: [Equal] = []
    var limit: Int?
    var offset = 0
    var cursor: ListQuery.Cursor?

    static func parse(_ raw: [String]) throws(APIFailure) -> ProjectQuery {
        var query = ProjectQuery()
        for text in raw {
            guard let object = JSONValue.parse(text), case .object = object, case .string(let method)? = object["method"] else {
                throw .invalidQuery("Syntax error in \(text.prefix(80))")
            }
            var values: [JSONValue] = []
            if case .array(let items)? = object["values"] { values = items }
            switch method {
            case "limit":
                guard case .integer(let n)? = values.first, n >= 1 else {
                    throw .invalidQuery("Invalid limit: Value must be a valid range between 1 and 9,223,372,036,854,775,807")
                }
                query.limit = Int(n)
            case "offset":
                guard case .integer(let n)? = values.first, n >= 0 else {
                    throw .invalidQuery("Invalid offset: Value must be a valid range between 0 and 9,223,372,036,854,775,807")
                }
                query.offset = Int(n)
            case "cursorAfter", "cursorBefore":
                guard case .string(let id)? = values.first else { throw .queryInvalid("Cursor must contain exactly one document ID") }
                query.cursor = ListQuery.Cursor(id: id, after: method == "cursorAfter")
            case "equal":
                guard case .string(let attribute)? = object["attribute"], ["$id", "name", "teamId"].contains(attribute) else {
                    throw .invalidQuery("Attribute not found in schema: \(object["attribute"].map { "\($0)" } ?? "(none)")")
                }
                var texts: [String] = []
                for value in values {
                    guard case .string(let s) = value else { throw .invalidQuery("Query value is invalid for attribute \"\(attribute)\"") }
                    texts.append(s)
                }
                query.equal.append(Equal(attribute: attribute, values: texts))
            default:
                throw .invalidQuery("Query method not supported by the sandbox: \(method)")
            }
        }
        return query
    }
}
