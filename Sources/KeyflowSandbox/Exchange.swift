import KeyflowBasics

/// One HTTP request as the sandbox's engine sees it: Hummingbird parses the wire, the
/// responder copies out the few headers that matter, and the engine never touches NIO.
struct APIRequest: Sendable {
    var method: String
    var path: String
    var query: QueryString
    /// `X-Appwrite-Project`; nil when absent.
    var projectHeader: String?
    /// `X-Appwrite-Key`.
    var keyHeader: String?
    /// `X-Appwrite-Organization`: the team of a console-project request (§4.7).
    var organizationHeader: String?
    /// `X-Appwrite-Mode` (`admin` for console requests).
    var modeHeader: String?
    /// The raw `Cookie` header.
    var cookieHeader: String?
    /// `x-sdk-name`.
    var sdkName: String?
    /// `Host`, used in the identity of scope errors.
    var host: String?
    var body: [UInt8]

    init(
        method: String, path: String, query: String? = nil, projectHeader: String? = nil, keyHeader: String? = nil,
        organizationHeader: String? = nil, modeHeader: String? = nil, cookieHeader: String? = nil, sdkName: String? = nil, host: String? = nil,
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = QueryString(query)
        self.projectHeader = projectHeader
        self.keyHeader = keyHeader
        self.organizationHeader = organizationHeader
        self.modeHeader = modeHeader
        self.cookieHeader = cookieHeader
        self.sdkName = sdkName
        self.host = host
        self.body = body
    }

    /// The value of cookie `name`.
    func cookie(_ name: String) -> String? {
        guard let cookieHeader else { return nil }
        for part in cookieHeader.split(separator: ";") {
            let pair = part.drop(while: { $0 == " " })
            if let eq = pair.firstIndex(of: "="), pair[..<eq] == name {
                return String(pair[pair.index(after: eq)...])
            }
        }
        return nil
    }

    /// The most queries a list takes, and the longest query (docs/appwrite-api.md §9).
    static let maxQueries = 100
    static let maxQueryLength = 4096

    /// The `queries` parameter of a list: at most `maxQueries` strings of at most
    /// `maxQueryLength` characters, as the parameter's description says, else 400
    /// ``Invalid `queries` param: …`` before any of them is parsed.
    func queries() throws(APIFailure) -> [String] {
        let queries = query.array("queries") ?? []
        guard queries.count <= Self.maxQueries, queries.allSatisfy({ $0.count <= Self.maxQueryLength }) else {
            throw .invalidParam("queries", APIFailure.queriesRule)
        }
        return queries
    }

    /// The request body as a JSON object; an empty body is `{}`.
    func jsonBody() throws(APIFailure) -> JSONValue {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .object([]) }
        guard let value = JSONValue.parse(body), case .object = value else {
            throw .invalidBody("expected a JSON object")
        }
        return value
    }
}

/// What the engine answers.
struct APIResponse: Sendable {
    enum Body: Sendable {
        case json(String)
        /// 204: empty, labelled `text/html; charset=UTF-8` (docs/appwrite-api.md §3.3).
        case noContent
    }

    var status: Int
    var headers: [(String, String)] = []
    var body: Body
    /// Close the connection without answering (`--chaos reset`).
    var reset = false

    static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> APIResponse {
        APIResponse(status: status, headers: headers, body: .json(text))
    }

    static func failure(_ failure: APIFailure, version: String) -> APIResponse {
        APIResponse(status: failure.status, headers: failure.headers, body: .json(failure.body(version: version)))
    }

    static let resetConnection = APIResponse(status: 500, body: .noContent, reset: true)
}
