import KeyflowBasics

/// An Appwrite error answer: HTTP status, stable `type`, message (docs/appwrite-api.md §5.4, §8).
/// Each case of the catalogue is a static constructor named after the problem. Messages
/// never contain a secret.
struct APIFailure: Error, Sendable, Equatable {
    let status: Int
    let type: String
    let message: String
    /// Extra response headers (`Retry-After` on 429).
    var headers: [(String, String)] = []

    static func == (a: APIFailure, b: APIFailure) -> Bool {
        a.status == b.status && a.type == b.type && a.message == b.message
    }

    /// `{"message":…,"code":…,"type":…,"version":…}` in that order.
    func body(version: String) -> String {
        var w = JSONWriter(capacity: 256, style: .server)
        w.raw("{")
        w.key("message", first: true)
        w.string(message)
        w.key("code")
        w.raw(String(status))
        w.key("type")
        w.string(type)
        w.key("version")
        w.string(version)
        w.raw("}")
        return w.text
    }

    // MARK: parameters (§4, §6.2 step 7)

    static func missingParam(_ name: String) -> APIFailure {
        APIFailure(status: 400, type: "general_argument_invalid", message: "Param \"\(name)\" is not optional.")
    }

    static func invalidParam(_ name: String, _ rule: String) -> APIFailure {
        APIFailure(status: 400, type: "general_argument_invalid", message: "Invalid `\(name)` param: \(rule)")
    }

    /// Appwrite's rule for an array parameter of texts: its count and each text's length.
    static let queriesRule =
        "Value must a valid array no longer than \(APIRequest.maxQueries) items and Value must be a valid string and no longer than \(APIRequest.maxQueryLength) chars"

    static func invalidQuery(_ detail: String) -> APIFailure {
        invalidParam("queries", "Invalid query: \(detail)")
    }

    static func invalidBody(_ detail: String) -> APIFailure {
        APIFailure(status: 400, type: "general_argument_invalid", message: "Invalid request body: \(detail)")
    }

    static let bodyTooLarge = APIFailure(
        status: 413, type: "general_argument_invalid",
        message: "Request body is larger than the 1 MiB the server accepts.")

    // MARK: list (§4.1)

    static let cursorNotFound = APIFailure(
        status: 400, type: "general_cursor_not_found",
        message: "The cursor is invalid. This can happen if the item represented by the cursor has been deleted.")

    static func queryInvalid(_ detail: String) -> APIFailure {
        APIFailure(status: 400, type: "general_query_invalid", message: "Invalid query: \(detail)")
    }

    static func orderNull(_ attribute: String) -> APIFailure {
        APIFailure(
            status: 400, type: "database_query_order_null",
            message: "Order attribute '\(attribute)' is empty on the cursor document: cursor pagination cannot order by it.")
    }

    // MARK: authentication (§6.2)

    static let projectIDMissing = APIFailure(
        status: 403, type: "project_id_missing",
        message: "The project ID is missing. Please check the value of the X-Appwrite-Project header to ensure the correct project ID is being used.")

    static let projectNotFound = APIFailure(
        status: 404, type: "project_not_found",
        message: "The requested project could not be found. Please check the value of the X-Appwrite-Project header to ensure the correct project ID is being used.")

    static let keyExpired = APIFailure(
        status: 401, type: "project_key_expired",
        message: "The project key has expired. Please generate a new key using the Appwrite console.")

    static let userUnauthorized = APIFailure(
        status: 401, type: "user_unauthorized",
        message: "The current user is not authorized to perform the requested action.")

    /// `<identity> (role: <role>) missing scopes (["keys.write"])`.
    static func missingScope(identity: String, role: String, scope: String) -> APIFailure {
        missingScopes(identity: identity, role: role, scopes: [scope])
    }

    /// The organization routes accept either of two scopes and name both:
    /// `… missing scopes (["organization.projects.keys.read","keys.read"])` (§4.7).
    static func missingScopes(identity: String, role: String, scopes: [String]) -> APIFailure {
        var w = JSONWriter(capacity: 80, style: .server)
        w.strings(scopes)
        return APIFailure(
            status: 401, type: "general_unauthorized_scope", message: "\(identity) (role: \(role)) missing scopes (\(w.text))")
    }

    // MARK: organizations (§4.7)

    static let organizationIDMissing = APIFailure(
        status: 403, type: "organization_id_missing",
        message: "When using organization API key, make sure to pass x-appwrite-organization header with the organization ID.")

    static let teamNotFound = APIFailure(
        status: 404, type: "team_not_found", message: "Team with the requested ID could not be found.")

    static let teamAlreadyExists = APIFailure(
        status: 409, type: "team_already_exists",
        message: "Team with requested ID already exists. Please choose a different ID and try again.")

    static let projectAlreadyExists = APIFailure(
        status: 409, type: "project_already_exists",
        message: "Project with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.")

    static let invalidCredentials = APIFailure(
        status: 401, type: "user_invalid_credentials",
        message: "Invalid credentials. Please check the email and password.")

    // MARK: actions (§4.2–§4.6)

    static let keyCreationDenied = APIFailure(
        status: 403, type: "key_creation_denied",
        message: "Standard keys cannot be created with an API key. Create the key from a Console session.")

    static let keyNotFound = APIFailure(
        status: 404, type: "key_not_found", message: "The requested key could not be found.")

    static let keyAlreadyExists = APIFailure(
        status: 409, type: "key_already_exists",
        message: "A key with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.")

    static let routeNotFound = APIFailure(
        status: 404, type: "general_route_not_found",
        message: "The requested route was not found. Please refer to the API docs and try again.")

    // MARK: server faults (and `--chaos`)

    static let serverError = APIFailure(status: 500, type: "general_unknown", message: "Server Error")

    static let serviceUnavailable = APIFailure(
        status: 503, type: "general_server_error", message: "Service Unavailable")

    static func rateLimited(retryAfter seconds: Int) -> APIFailure {
        APIFailure(
            status: 429, type: "general_rate_limit_exceeded",
            message: "Rate limit for the current endpoint has been exceeded. Please try again after some time.",
            headers: [("Retry-After", String(seconds))])
    }
}
