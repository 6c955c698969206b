import KeyflowBasics

/// The route table under `/v1` and the fault injection that sits in front of the Keys
/// routes. Turns every thrown APIFailure into its error body.
struct Dispatcher: Sendable {
    let state: SandboxState
    let chaos: ChaosDice?

    private var keys: KeysService { KeysService(state: state) }
    private var auth: Authentication { Authentication(state: state) }

    func respond(_ request: APIRequest) async -> APIResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true)
        guard segments.first == "v1" else { return .failure(.routeNotFound, version: SandboxState.version) }
        let route = Array(segments.dropFirst())

        // Keys routes: /project/keys…, or the legacy console alias /projects/{projectId}/keys…,
        // or the organization's /organization/projects/{projectId}/keys… (§4.7).
        var keysRoute: ArraySlice<Substring>?
        var pathProject: String?
        var organizationRoute = false
        if route.count >= 4, route[0] == "organization", route[1] == "projects", route[3] == "keys" {
            pathProject = QueryString.decode(route[2])
            keysRoute = route[4...]
            organizationRoute = true
        } else if route.count >= 2, route[0] == "project", route[1] == "keys" {
            keysRoute = route[2...]
        } else if route.count >= 3, route[0] == "projects", route[2] == "keys" || route[2] == "jwts" {
            pathProject = String(route[1])
            keysRoute = route[2] == "jwts" ? ["ephemeral"] : route[3...]
        }
        guard let rest = keysRoute else {
            return await serveOther(route, request)
        }

        var commitThen500 = false
        switch chaos?.draw() {
        case .status(let code)?:
            return .failure(code == 503 ? .serviceUnavailable : .serverError, version: SandboxState.version)
        case .rateLimited?:
            return .failure(.rateLimited(retryAfter: 1), version: SandboxState.version)
        case .reset?:
            return .resetConnection
        case .delay(let ms)?:
            try? await Task.sleep(for: .milliseconds(ms))
        case .commitThen500?:
            commitThen500 = true
        case nil:
            break
        }
        let response =
            organizationRoute
            ? await serveOrganizationKeys(Array(rest), request, projectID: pathProject!)
            : await serveKeys(Array(rest), request, pathProject: pathProject)
        return commitThen500 ? .failure(.serverError, version: SandboxState.version) : response
    }

    private func serveKeys(_ rest: [Substring], _ request: APIRequest, pathProject: String?) async -> APIResponse {
        do throws(APIFailure) {
            switch (request.method, rest.count) {
            case ("GET", 0):
                let (project, _) = try await auth.authenticate(request, scope: "keys.read", pathProject: pathProject)
                return try keys.list(request, project: project)
            case ("POST", 0):
                let (project, caller) = try await auth.authenticate(request, scope: "keys.write", pathProject: pathProject)
                return try await keys.create(request, project: project, caller: caller)
            case ("POST", 1) where rest[0] == "ephemeral":
                let (project, _) = try await auth.authenticate(request, scope: "keys.write", pathProject: pathProject)
                return try keys.createEphemeral(request, project: project)
            case ("GET", 1):
                let (project, _) = try await auth.authenticate(request, scope: "keys.read", pathProject: pathProject)
                return try keys.get(keyID: QueryString.decode(rest[0]), project: project)
            case ("PUT", 1):
                let (project, _) = try await auth.authenticate(request, scope: "keys.write", pathProject: pathProject)
                return try await keys.update(request, keyID: QueryString.decode(rest[0]), project: project)
            case ("DELETE", 1):
                let (project, _) = try await auth.authenticate(request, scope: "keys.write", pathProject: pathProject)
                return try await keys.delete(keyID: QueryString.decode(rest[0]), project: project)
            default:
                throw .routeNotFound
            }
        } catch {
            return .failure(error, version: SandboxState.version)
        }
    }

    /// `/organization/projects/{projectId}/keys…`
    private func serveOrganizationKeys(_ rest: [Substring], _ request: APIRequest, projectID: String) async -> APIResponse {
        let organization = OrganizationService(state: state)
        let (read, write) = (OrganizationService.readScopes, OrganizationService.writeScopes)
        do throws(APIFailure) {
            switch (request.method, rest.count) {
            case ("GET", 0):
                let call = try await auth.authenticateOrganization(request, anyOf: read)
                return try organization.listKeys(request, call, projectID: projectID)
            case ("POST", 0):
                let call = try await auth.authenticateOrganization(request, anyOf: write)
                return try await organization.createKey(request, call, projectID: projectID)
            case ("POST", 1) where rest[0] == "ephemeral":
                let call = try await auth.authenticateOrganization(request, anyOf: write)
                return try organization.createEphemeralKey(request, call, projectID: projectID)
            case ("GET", 1):
                let call = try await auth.authenticateOrganization(request, anyOf: read)
                return try organization.getKey(call, projectID: projectID, keyID: QueryString.decode(rest[0]))
            case ("PUT", 1):
                let call = try await auth.authenticateOrganization(request, anyOf: write)
                return try await organization.updateKey(request, call, projectID: projectID, keyID: QueryString.decode(rest[0]))
            case ("DELETE", 1):
                let call = try await auth.authenticateOrganization(request, anyOf: write)
                return try await organization.deleteKey(call, projectID: projectID, keyID: QueryString.decode(rest[0]))
            default:
                throw .routeNotFound
            }
        } catch {
            return .failure(error, version: SandboxState.version)
        }
    }

    /// `/organization/projects` and the organization keys of `/organization/keys…` (§4.7).
    private func serveOrganization(_ route: [String], _ request: APIRequest) async throws(APIFailure) -> APIResponse {
        let organization = OrganizationService(state: state)
        let keys = KeysService(state: state, table: .organization)
        switch (request.method, route) {
        case ("GET", ["projects"]):
            let call = try await auth.authenticateOrganization(request, anyOf: ["projects.read"])
            return try organization.listProjects(request, team: call.team)
        case ("POST", ["projects"]):
            let call = try await auth.authenticateOrganization(request, anyOf: ["projects.write"])
            return try await organization.createProject(request, team: call.team)
        case ("GET", ["keys"]):
            let call = try await auth.authenticateOrganization(request, anyOf: ["keys.read"])
            return try keys.list(request, project: call.team.id)
        case ("POST", ["keys"]):
            let call = try await auth.authenticateOrganization(request, anyOf: ["keys.write"])
            return try await keys.insert(try keys.parseCreate(request), project: call.team.id)
        case ("GET", let r) where r.count == 2 && r[0] == "keys":
            let call = try await auth.authenticateOrganization(request, anyOf: ["keys.read"])
            return try keys.get(keyID: r[1], project: call.team.id)
        case ("PUT", let r) where r.count == 2 && r[0] == "keys":
            let call = try await auth.authenticateOrganization(request, anyOf: ["keys.write"])
            return try await keys.update(request, keyID: r[1], project: call.team.id)
        case ("DELETE", let r) where r.count == 2 && r[0] == "keys":
            let call = try await auth.authenticateOrganization(request, anyOf: ["keys.write"])
            return try await keys.delete(keyID: r[1], project: call.team.id)
        default:
            throw .routeNotFound
        }
    }

    private func serveOther(_ route: [Substring], _ request: APIRequest) async -> APIResponse {
        do throws(APIFailure) {
            switch (request.method, route.map(String.init)) {
            case ("GET", ["health", "version"]):
                var w = JSONWriter(capacity: 32, style: .server)
                w.raw("{")
                w.key("version", first: true)
                w.string(SandboxState.version)
                w.raw("}")
                return .json(200, w.text)
            case ("POST", ["account", "sessions", "email"]):
                return try await AccountService(state: state).createEmailSession(request)
            case ("DELETE", ["account", "sessions", "current"]):
                return try await AccountService(state: state).deleteCurrentSession(request)
            case ("POST", ["teams"]):
                return try await TeamsService(state: state).create(request)
            case (_, let r) where r.first == "organization":
                return try await serveOrganization(r.dropFirst().map { QueryString.decode(Substring($0)) }, request)
            default:
                throw .routeNotFound
            }
        } catch {
            return .failure(error, version: SandboxState.version)
        }
    }
}
