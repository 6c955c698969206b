import Foundation

/// The credentials a client may use (docs/language.md §13). Any may be absent.
public struct Credentials: Sendable, Hashable {
    /// A project API key (`standard_…` or `ephemeral_…`), sent as `X-Appwrite-Key`. It
    /// belongs to one project: a client for another project does not carry it.
    public var apiKey: Secret?
    /// A console session (the `a_session_console` cookie), sent with `x-appwrite-mode: admin`.
    public var session: Secret?
    /// An organization API key (`organization_…`), sent as `X-Appwrite-Key` with
    /// `X-Appwrite-Organization` to the organization routes (docs/appwrite-api.md §4.7).
    public var organizationKey: Secret?
    /// The organization (team) id: needed with an organization key, and for `projects`.
    public var organization: String?

    public init(apiKey: Secret? = nil, session: Secret? = nil, organizationKey: Secret? = nil, organization: String? = nil) {
        self.apiKey = apiKey?.isEmpty == true ? nil : apiKey
        self.session = session?.isEmpty == true ? nil : session
        self.organizationKey = organizationKey?.isEmpty == true ? nil : organizationKey
        self.organization = organization?.isEmpty == true ? nil : organization
    }

    public var isEmpty: Bool { apiKey == nil && session == nil && organizationKey == nil }

    /// `api key`, `organization key + session`, … for the first line of a plan.
    public var kinds: String {
        let names = [apiKey.map { _ in "api key" }, organizationKey.map { _ in "organization key" }, session.map { _ in "session" }]
            .compactMap { $0 }
        return names.isEmpty ? "no credential" : names.joined(separator: " + ")
    }
}

/// Everything a client needs to reach one project.
public struct ClientConfiguration: Sendable {
    /// Which family of routes the client calls (docs/appwrite-api.md §4 and §4.7).
    public enum Routes: Sendable, Hashable {
        /// `/project/keys…`: the project comes from `X-Appwrite-Project`.
        case project
        /// `/organization/projects/{projectId}/keys…` (Cloud, SDK 25+).
        case organization
    }

    /// The API base URL, `/v1` included (normalised by `init`).
    public var endpoint: String
    public var project: String
    public var credentials: Credentials
    public var routes: Routes
    /// Skip TLS certificate verification. Only when the user named `--insecure`.
    public var insecure: Bool
    public var connectTimeout: Duration
    /// The limit for one attempt, from connect to the last byte.
    public var totalTimeout: Duration
    public var retry: RetryPolicy

    public init(
        endpoint: String, project: String, credentials: Credentials, routes: Routes = .project,
        insecure: Bool = false, connectTimeout: Duration = .seconds(10), totalTimeout: Duration = .seconds(30),
        retry: RetryPolicy = .standard
    ) {
        self.endpoint = ClientConfiguration.normalise(endpoint: endpoint)
        self.project = project
        self.credentials = credentials
        self.routes = routes
        self.insecure = insecure
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.retry = retry
    }

    /// Trailing slashes dropped; a bare `scheme://host[:port]` gets `/v1`, as every
    /// Appwrite endpoint carries it.
    public static func normalise(endpoint: String) -> String {
        var text = endpoint.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix("/") { text.removeLast() }
        if let schemeEnd = text.range(of: "://"), !text[schemeEnd.upperBound...].contains("/") {
            text += "/v1"
        }
        return text
    }

    /// Why an endpoint is unusable, or nil when it is fine.
    public static func problem(endpoint: String) -> String? {
        let text = endpoint.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
            return "endpoint \(text.isEmpty ? "(empty)" : text) must start with http:// or https://"
        }
        guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
            return "endpoint \(text) is not a URL with a host"
        }
        return nil
    }
}
