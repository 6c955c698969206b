import Foundation

/// A key's secret. Opaque on purpose: every textual rendering is redacted, so a
/// secret that reaches a log line, a diagnostic or a `print` shows `«secret»`.
/// The only way to the bytes is `reveal()`, which sinks (and the wire) call.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, Codable
{
    private let value: String
    public init(_ value: String) { self.value = value }
    /// The secret itself. Call only where it leaves the process on purpose (a sink, a request header).
    public func reveal() -> String { value }
    public var isEmpty: Bool { value.isEmpty }
    public var description: String { "«secret»" }
    public var debugDescription: String { "«secret»" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// When a key stops working: never, or at an instant (UTC).
public enum Expiry: Sendable, Hashable {
    case never
    case at(Date)
}

/// A project API key as the Keys API returns it (docs/appwrite-api.md §5.1).
public struct Key: Sendable, Hashable {
    public var id: String
    public var createdAt: Date
    public var updatedAt: Date
    public var name: String
    public var description: String
    public var expire: Expiry
    public var scopes: [String]
    public var secret: Secret
    /// nil: never accessed.
    public var accessedAt: Date?
    public var sdks: [String]

    public init(
        id: String, createdAt: Date, updatedAt: Date, name: String, description: String = "",
        expire: Expiry, scopes: [String], secret: Secret, accessedAt: Date? = nil, sdks: [String] = []
    ) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.name = name
        self.description = description
        self.expire = expire
        self.scopes = scopes
        self.secret = secret
        self.accessedAt = accessedAt
        self.sdks = sdks
    }
}

/// `{"total": N, "keys": [...]}` (docs/appwrite-api.md §5.2).
public struct KeyList: Sendable, Hashable {
    public var total: Int
    public var keys: [Key]
    public init(total: Int, keys: [Key]) {
        self.total = total
        self.keys = keys
    }
}

/// One list query (docs/appwrite-api.md §9), serialised as compact JSON on the wire.
public enum KeyQuery: Sendable, Hashable {
    case limit(Int)
    case offset(Int)
    case cursorAfter(String)
    case cursorBefore(String)
    case equal(String, [String])
    case notEqual(String, [String])
    case lessThan(String, String)
    case greaterThan(String, String)
    case contains(String, [String])
    /// `startsWith("name", "tenant-")`: text attributes only.
    case startsWith(String, String)
    case orderAsc(String)
    case orderDesc(String)
}

/// The full set of fields a create or a (replacing) PUT sends.
public struct KeyFields: Sendable, Hashable {
    public var name: String
    public var scopes: [String]
    public var expire: Expiry
    /// nil: not sent (servers before 1.9.7 / SDK 26 do not know the field).
    public var description: String?
    public init(name: String, scopes: [String], expire: Expiry = .never, description: String? = nil) {
        self.name = name
        self.scopes = scopes
        self.expire = expire
        self.description = description
    }
}

/// A project of the organization, as `projects` lists it (docs/appwrite-api.md §4.7).
public struct Project: Sendable, Hashable {
    public var id: String
    public var name: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The Keys API as keyflow's runtime sees it, for one project; the libcurl client
/// implements it. `projects` and `inProject` reach the other projects of the organization.
public protocol KeysAPI: Sendable {
    /// The project this API acts on.
    var project: String { get }
    /// The same credentials against another project of the organization (a project API
    /// key stays behind: it belongs to its own project).
    func inProject(_ id: String) -> any KeysAPI
    /// Every project of the organization, page by page (needs an organization key, or a
    /// session with an organization id).
    func listProjects() async throws(APIError) -> [Project]
    func listKeys(queries: [KeyQuery], total: Bool) async throws(APIError) -> KeyList
    func getKey(id: String) async throws(APIError) -> Key
    /// POST /project/keys. The id is chosen by the caller (docs/language.md §10, docs/appwrite-api.md §4.2):
    /// retries of a create that may have committed resolve a 409 by reading the key back.
    func createKey(id: String, fields: KeyFields) async throws(APIError) -> Key
    /// PUT /project/keys/{id}: a full replacement (docs/appwrite-api.md §4.5).
    func replaceKey(id: String, fields: KeyFields) async throws(APIError) -> Key
    func deleteKey(id: String) async throws(APIError)
    /// POST /project/keys/ephemeral; duration in seconds, 1...3600.
    func createEphemeralKey(scopes: [String], duration: Int) async throws(APIError) -> Key
    /// A rotation of the API key these calls authenticate with (`old`) has delivered its
    /// successor: every later call authenticates with `successor`. Nothing happens when
    /// `old` is not the key in use.
    func adopt(successor: Secret, replacing old: Secret)
}

extension KeysAPI {
    /// An API that holds no API key of its own has nothing to switch.
    public func adopt(successor: Secret, replacing old: Secret) {}
}

/// Every way a call can fail, typed. Messages never include secrets.
public enum APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered with an error body (docs/appwrite-api.md §5.4).
    case server(status: Int, type: String, message: String)
    /// The connection failed: DNS, refused, reset, TLS, timeout. `code` is curl's.
    case transport(code: Int, message: String)
    /// The server answered something that is not the documented shape.
    case malformedResponse(status: Int, detail: String)
    /// The request was cancelled (Ctrl-C, task cancellation).
    case cancelled
    /// No credential that this call can use (for example a create with only an API key).
    case noCredential(String)

    public var description: String {
        switch self {
        case .server(let status, let type, let message): "\(message) (HTTP \(status), \(type))"
        case .transport(_, let message): "connection failed: \(message)"
        case .malformedResponse(let status, let detail): "unexpected response (HTTP \(status)): \(detail)"
        case .cancelled: "cancelled"
        case .noCredential(let why): why
        }
    }

    public var status: Int? {
        switch self {
        case .server(let s, _, _), .malformedResponse(let s, _): s
        default: nil
        }
    }

    public var type: String? {
        if case .server(_, let t, _) = self { return t }
        return nil
    }

    /// What to do about it, when the error type says (docs/appwrite-api.md §8).
    public var remedy: String? {
        if case .noCredential = self { return "give an organization key (APPWRITE_ORGANIZATION_KEY) or run `keyflow login`" }
        switch type {
        case "key_creation_denied":
            return "this server refuses to create keys with a project API key: use an organization key "
                + "(APPWRITE_ORGANIZATION_KEY with APPWRITE_ORGANIZATION_ID) or a console session (keyflow login, APPWRITE_SESSION)"
        case "general_unauthorized_scope": return "the credential lacks a scope this call needs (see the message)"
        case "organization_id_missing": return "an organization key needs its organization: set APPWRITE_ORGANIZATION_ID or --organization"
        case "team_not_found": return "the organization id is unknown to this server: check APPWRITE_ORGANIZATION_ID or --organization"
        case "project_not_found": return "no such project in this organization: check the project id (`projects` lists them)"
        case "user_unauthorized":
            return "the credential is not accepted here: a project API key reaches only its own project, and "
                + "an organization key only its organization's (check the key and APPWRITE_ORGANIZATION_ID)"
        case "project_key_expired": return "the key has expired: give a current key"
        default: return nil
        }
    }
}
