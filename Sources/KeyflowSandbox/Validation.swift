import KeyflowBasics

/// Parameter validation for the Keys routes (docs/appwrite-api.md §10, §6.2 step 7): a missing
/// required parameter gives `Param "<name>" is not optional.`, a bad one
/// ``Invalid `<name>` param: <rule>``, both 400 general_argument_invalid.
enum Validation {
    static let uidRule =
        "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char"
    static let nameRule = "Value must be a valid string and at least 1 chars and no longer than 128 chars"
    static let descriptionRule = "Value must be a valid string and no longer than 256 chars"
    static let expireRule = "Value must be valid date between 0000-01-01 00:00:00 and 9999-12-31 23:59:59."
    static let durationRule = "Value must be a valid range between 1 and 3,600"
    static let maxScopes = 200

    /// A UID: 1–36 of `[A-Za-z0-9._-]`, not starting with `_`, `.` or `-`.
    static func isValidUID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (1...36).contains(bytes.count) else { return false }
        for (n, c) in bytes.enumerated() {
            let alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            if n == 0 { guard alnum else { return false } }
            guard alnum || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") else { return false }
        }
        return true
    }

    /// A path `keyId`.
    static func pathKeyID(_ id: String) throws(APIFailure) -> String {
        guard isValidUID(id) else { throw .invalidParam("keyId", uidRule) }
        return id
    }

    /// The body `keyId` of a create: `unique()` or a UID.
    static func newKeyID(_ body: JSONValue) throws(APIFailure) -> String {
        let value = try required("keyId", body)
        guard case .string(let id) = value else { throw .invalidParam("keyId", uidRule) }
        if id == "unique()" { return uniqueID() }
        guard isValidUID(id) else { throw .invalidParam("keyId", uidRule) }
        return id
    }

    static func name(_ body: JSONValue) throws(APIFailure) -> String {
        guard case .string(let name) = try required("name", body), (1...128).contains(name.count) else {
            throw .invalidParam("name", nameRule)
        }
        return name
    }

    /// Optional `description` (SDK 26+); absent or null is "".
    static func description(_ body: JSONValue) throws(APIFailure) -> String {
        guard let value = body["description"], value != .null else { return "" }
        guard case .string(let text) = value, text.count <= 256 else { throw .invalidParam("description", descriptionRule) }
        return text
    }

    /// The scopes an organization key may hold (the console SDK's `OrganizationKeyScopes`, §4.7).
    static let organizationScopes: Set<String> = [
        "projects.read", "projects.write", "organization.projects.keys.read", "organization.projects.keys.write",
        "organization.installations.read", "organization.installations.write", "organization.memberships.read",
        "organization.memberships.write", "organization.read", "organization.write", "domains.read", "domains.write",
        "keys.read", "keys.write",
    ]

    /// A UID-valued path or body parameter (`projectId`, `teamId`): `unique()` allowed when `allowUnique`.
    static func uid(_ name: String, _ value: String, allowUnique: Bool = false) throws(APIFailure) -> String {
        if allowUnique && value == "unique()" { return uniqueID() }
        guard isValidUID(value) else { throw .invalidParam(name, uidRule) }
        return value
    }

    /// A required UID body parameter (`projectId`, `teamId`), `unique()` allowed.
    static func newID(_ name: String, _ body: JSONValue) throws(APIFailure) -> String {
        guard case .string(let id) = try required(name, body) else { throw .invalidParam(name, uidRule) }
        return try uid(name, id, allowUnique: true)
    }

    /// Organization key `scopes`: as `scopes`, from the organization scope list.
    static func organizationKeyScopes(_ body: JSONValue) throws(APIFailure) -> [String] {
        try scopes(body, allowed: organizationScopes.contains, kind: "organization")
    }

    /// `scopes`: an array (possibly empty) of at most 200 catalogue scopes, order and duplicates kept.
    static func scopes(_ body: JSONValue) throws(APIFailure) -> [String] {
        try scopes(body, allowed: ScopeCatalogue.contains, kind: "project")
    }

    private static func scopes(_ body: JSONValue, allowed: (String) -> Bool, kind: String) throws(APIFailure) -> [String] {
        let arrayRule = "Value must a valid array no longer than \(maxScopes) items and Value must be one of the \(kind) scopes"
        guard case .array(let items) = try required("scopes", body), items.count <= maxScopes else {
            throw .invalidParam("scopes", arrayRule)
        }
        var scopes: [String] = []
        scopes.reserveCapacity(items.count)
        for item in items {
            guard case .string(let scope) = item else { throw .invalidParam("scopes", arrayRule) }
            guard allowed(scope) else {
                throw .invalidParam("scopes", arrayRule + " (\"\(scope.prefix(64))\" is not one)")
            }
            scopes.append(scope)
        }
        return scopes
    }

    /// `expire`: absent or null ⇒ never (nil); otherwise a date/time string (years 0000–9999).
    static func expire(_ body: JSONValue) throws(APIFailure) -> Int64? {
        guard let value = body["expire"], value != .null else { return nil }
        guard case .string(let text) = value, let ms = Timestamps.parse(text) else {
            throw .invalidParam("expire", expireRule)
        }
        return ms
    }

    /// `duration`: an integer 1…3600 (a JSON integer or a string of digits).
    static func duration(_ body: JSONValue) throws(APIFailure) -> Int {
        let n: Int64?
        switch try required("duration", body) {
        case .integer(let v): n = v
        case .string(let s): n = Int64(s)
        default: n = nil
        }
        guard let n, (1...3600).contains(n) else { throw .invalidParam("duration", durationRule) }
        return Int(n)
    }

    /// `total`: loose boolean (`true/false/1/0`), default true.
    static func total(_ raw: String?) throws(APIFailure) -> Bool {
        switch raw {
        case nil: return true
        case "true", "1": return true
        case "false", "0": return false
        default: throw .invalidParam("total", "Value must be a valid boolean")
        }
    }

    private static func required(_ name: String, _ body: JSONValue) throws(APIFailure) -> JSONValue {
        guard let value = body[name], value != .null else { throw .missingParam(name) }
        return value
    }
}
