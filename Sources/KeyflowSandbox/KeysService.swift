import KeyflowBasics

/// The actions of the Keys routes (docs/appwrite-api.md §4), after authentication: parameter
/// validation (§6.2 step 7), then the action (step 8). Writes commit to SQLite first and
/// reach the index after the commit. The same actions serve the organization keys of
/// `/organization/keys…` (table `.organization`, where a key's `projectID` is its team).
struct KeysService: Sendable {
    let state: SandboxState
    var table: KeyTable = .project

    private var index: KeyIndex { table == .project ? state.index : state.organizationIndex }

    /// A create's validated body.
    struct NewKey: Sendable {
        var id: String
        var name: String
        var scopes: [String]
        var expire: Int64?
        var description: String
    }

    /// GET /project/keys
    func list(_ request: APIRequest, project: String) throws(APIFailure) -> APIResponse {
        let query = try ListQuery.parse(request.queries())
        let includeTotal = try Validation.total(request.query["total"])
        var cursorKey: KeyRecord?
        if let cursor = query.cursor {
            guard let key = index.key(id: cursor.id, project: project) else { throw .cursorNotFound }
            cursorKey = key
        }
        let filters = query.filters
        let matching = index.keys(project: project, named: query.requiredNames) { key in
            filters.allSatisfy { $0.matches(key) }
        }
        let (matched, page) = try query.evaluate(matching, cursorKey: cursorKey)
        var w = JSONWriter(capacity: 64 + page.count * 620, style: .server)
        w.raw("{")
        w.key("total", first: true)
        w.raw(String(includeTotal ? min(matched, 5000) : 0))
        w.key("keys")
        w.raw("[")
        for (n, json) in index.json(of: page).enumerated() {
            if n > 0 { w.raw(",") }
            w.raw(json)
        }
        w.raw("]}")
        return .json(200, w.text)
    }

    /// POST /project/keys
    func create(_ request: APIRequest, project: String, caller: Caller) async throws(APIFailure) -> APIResponse {
        let new = try parseCreate(request)
        if caller.isAPIKey && !state.legacyKeyCreate { throw .keyCreationDenied }
        return try await insert(new, project: project)
    }

    /// The body of a create, validated (§6.2 step 7).
    func parseCreate(_ request: APIRequest) throws(APIFailure) -> NewKey {
        let body = try request.jsonBody()
        return NewKey(
            id: try Validation.newKeyID(body), name: try Validation.name(body), scopes: try scopes(body),
            expire: try Validation.expire(body), description: try Validation.description(body))
    }

    /// Stores a new key of `project` (a team for organization keys): 201 with its secret.
    func insert(_ new: NewKey, project: String) async throws(APIFailure) -> APIResponse {
        let now = Timestamps.now()
        let record = KeyRecord(
            sequence: 0, id: new.id, projectID: project, createdAt: now, updatedAt: now, name: new.name,
            description: new.description, expire: new.expire, scopes: new.scopes,
            secret: table == .project ? newStandardSecret() : newOrganizationSecret(), accessedAt: nil, sdks: [])
        let index = self.index, table = self.table
        let stored = try await commit { db -> KeyRecord? in
            // Ids are unique across projects and organizations (docs/appwrite-api.md §7).
            if try Storage.keyExists(db, id: new.id) { return nil }
            return try Storage.insertKey(db, record, table)
        } thenApply: { stored in
            if let stored { index.put(stored) }
        }
        guard let stored else { throw .keyAlreadyExists }
        return .json(201, stored.json())
    }

    /// POST /project/keys/ephemeral
    func createEphemeral(_ request: APIRequest, project: String) throws(APIFailure) -> APIResponse {
        let body = try request.jsonBody()
        let scopes = try Validation.scopes(body)
        let duration = try Validation.duration(body)
        let nowUS = Timestamps.nowMicroseconds()
        let expiresUS = nowUS + Int64(duration) * 1_000_000
        let token = state.tokens.mint(.init(projectID: project, scopes: scopes, expiresAt: expiresUS / 1_000_000))
        let created = Timestamps.formatDatabase(nowUS / 1000)
        var w = JSONWriter(capacity: 700, style: .server)
        w.raw("{")
        w.key("$id", first: true)
        w.string(uniqueID())
        w.key("$createdAt")
        w.string(created)
        w.key("$updatedAt")
        w.string(created)
        w.key("name")
        w.string("")
        w.key("description")
        w.string("")
        w.key("expire")
        w.string(Timestamps.formatMicroseconds(expiresUS))
        w.key("scopes")
        w.strings(scopes)
        w.key("secret")
        w.string("ephemeral_" + token)
        w.key("accessedAt")
        w.string("")
        w.key("sdks")
        w.strings([])
        w.raw("}")
        return .json(201, w.text)
    }

    /// GET /project/keys/{keyId}
    func get(keyID: String, project: String) throws(APIFailure) -> APIResponse {
        let id = try Validation.pathKeyID(keyID)
        guard let json = index.json(id: id, project: project) else { throw .keyNotFound }
        return .json(200, json)
    }

    /// PUT /project/keys/{keyId}: replaces name, scopes, expire (omitted ⇒ never) and description.
    func update(_ request: APIRequest, keyID: String, project: String) async throws(APIFailure) -> APIResponse {
        let id = try Validation.pathKeyID(keyID)
        let body = try request.jsonBody()
        let name = try Validation.name(body)
        let scopes = try self.scopes(body)
        let expire = try Validation.expire(body)
        let description = try Validation.description(body)
        let index = self.index, table = self.table
        let now = Timestamps.now()
        let updated = try await commit { db -> KeyRecord? in
            guard var key = try Storage.key(db, id: id, project: project, table) else { return nil }
            key.name = name
            key.scopes = scopes
            key.expire = expire
            key.description = description
            key.updatedAt = max(now, key.updatedAt)
            try Storage.updateKey(db, key, table)
            return key
        } thenApply: { key in
            if let key { index.put(key) }
        }
        guard let updated else { throw .keyNotFound }
        return .json(200, updated.json())
    }

    /// DELETE /project/keys/{keyId}
    func delete(keyID: String, project: String) async throws(APIFailure) -> APIResponse {
        let id = try Validation.pathKeyID(keyID)
        let index = self.index, table = self.table
        let deleted = try await commit { db -> Bool in
            guard try Storage.key(db, id: id, project: project, table) != nil else { return false }
            return try Storage.deleteKey(db, id: id, table)
        } thenApply: { deleted in
            if deleted { index.remove(id: id) }
        }
        guard deleted else { throw .keyNotFound }
        return APIResponse(status: 204, body: .noContent)
    }

    /// Project scopes, or organization scopes for organization keys.
    private func scopes(_ body: JSONValue) throws(APIFailure) -> [String] {
        table == .project ? try Validation.scopes(body) : try Validation.organizationKeyScopes(body)
    }

    /// A storage write whose failure is a 500 (the transaction rolled back: nothing half-written).
    private func commit<T: Sendable>(
        _ change: @escaping @Sendable (GRDBDatabase) throws -> T,
        thenApply apply: @escaping @Sendable (T) -> Void
    ) async throws(APIFailure) -> T {
        do {
            return try await state.storage.write(change, thenApply: apply)
        } catch let failure as APIFailure {
            throw failure
        } catch {
            throw .serverError
        }
    }
}
