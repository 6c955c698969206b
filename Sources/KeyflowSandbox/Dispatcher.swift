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

        // Keys routes: /project/keys…, or the legacy console alias /projects/{projectId}/keys…
        var keysRoute: ArraySlice<Substring>?
        var pathProject: String?
        if route.count >= 2, route[0] == "project", route[1] == "keys" {
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
        let response = await serveKeys(Array(rest), request, pathProject: pathProject)
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
            default:
                throw .routeNotFound
            }
        } catch {
            return .failure(error, version: SandboxState.version)
        }
    }
}
