import KeyflowBasics

/// The `queries` of `GET /project/keys`, parsed and checked the way the server's Keys
/// query validator does (docs/appwrite-api.md §4.1, §9); ListQueryEvaluation.swift evaluates it.
struct ListQuery: Sendable {
    /// The attributes lists may filter and order on.
    enum Attribute: String, Sendable, CaseIterable {
        case id = "$id"
        case createdAt = "$createdAt"
        case updatedAt = "$updatedAt"
        case sequence = "$sequence"
        case name, expire, accessedAt, scopes

        enum Kind { case text, instant, integer, array }

        var kind: Kind {
            switch self {
            case .id, .name: .text
            case .createdAt, .updatedAt, .expire, .accessedAt: .instant
            case .sequence: .integer
            case .scopes: .array
            }
        }
    }

    /// A comparable attribute value: text, or an integer (instants in ms, `$sequence`).
    enum Scalar: Sendable, Comparable {
        case text(String)
        case integer(Int64)
    }

    enum Filter: Sendable {
        case equal(Attribute, [Scalar])
        case notEqual(Attribute, [Scalar])
        case lessThan(Attribute, Scalar)
        case lessThanEqual(Attribute, Scalar)
        case greaterThan(Attribute, Scalar)
        case greaterThanEqual(Attribute, Scalar)
        case contains(Attribute, [String])
        case startsWith(Attribute, String)
        case endsWith(Attribute, String)
        case isNull(Attribute)
        case isNotNull(Attribute)
    }

    struct Order: Sendable {
        var attribute: Attribute
        var ascending: Bool
    }

    struct Cursor: Sendable {
        var id: String
        var after: Bool
    }

    var filters: [Filter] = []
    var orders: [Order] = []
    var limit: Int?
    var offset = 0
    var cursor: Cursor?

    /// Methods the query syntax knows but the Keys validator does not allow.
    private static let knownButNotAllowed: Set<String> = [
        "select", "search", "notSearch", "between", "notBetween", "and", "or", "containsAny", "containsAll",
        "notContains", "notStartsWith", "notEndsWith", "exists", "notExists", "orderRandom", "elemMatch",
        "regex", "distanceEqual", "distanceNotEqual", "distanceGreaterThan", "distanceLessThan",
        "intersects", "notIntersects", "crosses", "notCrosses", "overlaps", "notOverlaps", "touches",
        "notTouches", "createdBefore", "createdAfter", "updatedBefore", "updatedAfter",
    ]

    /// Parses every query string; the first bad one gives
    /// ``Invalid `queries` param: Invalid query: …`` (400 general_argument_invalid).
    static func parse(_ raw: [String]) throws(APIFailure) -> ListQuery {
        var query = ListQuery()
        for text in raw {
            guard case .object? = JSONValue.parse(text), let object = JSONValue.parse(text) else {
                throw .invalidQuery("Syntax error in \(text.prefix(80))")
            }
            guard case .string(let method)? = object["method"] else {
                throw .invalidQuery("Invalid query method: \(text.prefix(80))")
            }
            var attributeName = ""
            if let a = object["attribute"] {
                guard case .string(let s) = a else { throw .invalidQuery("Invalid query attribute in \(method)") }
                attributeName = s
            }
            var values: [JSONValue] = []
            if let v = object["values"] {
                guard case .array(let items) = v else { throw .invalidQuery("Invalid query values in \(method)") }
                values = items
            }
            try query.add(method: method, attributeName: attributeName, values: values)
        }
        return query
    }

    private mutating func add(method: String, attributeName: String, values: [JSONValue]) throws(APIFailure) {
        switch method {
        case "limit":
            guard case .integer(let n)? = values.first, n >= 1 else {
                throw .invalidQuery("Invalid limit: Value must be a valid range between 1 and 9,223,372,036,854,775,807")
            }
            limit = Int(n)
        case "offset":
            guard case .integer(let n)? = values.first, n >= 0 else {
                throw .invalidQuery("Invalid offset: Value must be a valid range between 0 and 9,223,372,036,854,775,807")
            }
            offset = Int(n)
        case "cursorAfter", "cursorBefore":
            guard case .string(let id)? = values.first else {
                throw .queryInvalid("Cursor must contain exactly one document ID")
            }
            cursor = Cursor(id: id, after: method == "cursorAfter")
        case "orderAsc", "orderDesc":
            let attribute = try Self.attribute(attributeName, method: method)
            guard attribute != .scopes else {
                throw .invalidQuery("Cannot order by attribute \"scopes\" because it is an array.")
            }
            orders.append(Order(attribute: attribute, ascending: method == "orderAsc"))
        case "equal", "notEqual", "lessThan", "lessThanEqual", "greaterThan", "greaterThanEqual",
            "contains", "startsWith", "endsWith", "isNull", "isNotNull":
            let attribute = try Self.attribute(attributeName, method: method)
            filters.append(try Self.filter(method, attribute, values))
        default:
            if Self.knownButNotAllowed.contains(method) {
                throw .invalidQuery("Query method not valid: \(method)")
            }
            throw .invalidQuery("Invalid query method: \(method)")
        }
    }

    private static func attribute(_ name: String, method: String) throws(APIFailure) -> Attribute {
        guard let attribute = Attribute(rawValue: name) else {
            throw .invalidQuery("Attribute not found in schema: \(name.isEmpty ? "(none) in \(method)" : name)")
        }
        return attribute
    }

    private static func filter(_ method: String, _ a: Attribute, _ values: [JSONValue]) throws(APIFailure) -> Filter {
        guard values.count <= 500 else {
            throw .invalidQuery("Query on attribute \"\(a.rawValue)\" has more than 500 values.")
        }
        if a == .scopes, !["contains", "isNull", "isNotNull"].contains(method) {
            throw .invalidQuery("Cannot query \(method) on attribute \"scopes\" because it is an array.")
        }
        switch method {
        case "isNull": return .isNull(a)
        case "isNotNull": return .isNotNull(a)
        case "contains", "startsWith", "endsWith":
            guard a.kind == .text || a.kind == .array else {
                throw .invalidQuery("Cannot query \(method) on attribute \"\(a.rawValue)\": it is not a string.")
            }
            guard !values.isEmpty else { throw .invalidQuery("\(method) queries require at least one value.") }
            var texts: [String] = []
            for v in values {
                guard case .string(let s) = v else {
                    throw .invalidQuery("Query value is invalid for attribute \"\(a.rawValue)\"")
                }
                texts.append(s)
            }
            if method == "contains" { return .contains(a, texts) }
            guard texts.count == 1 else { throw .invalidQuery("\(method) queries require exactly one value.") }
            return method == "startsWith" ? .startsWith(a, texts[0]) : .endsWith(a, texts[0])
        default:
            guard !values.isEmpty else { throw .invalidQuery("\(method) queries require at least one value.") }
            var scalars: [Scalar] = []
            for v in values { scalars.append(try scalar(v, for: a)) }
            switch method {
            case "equal": return .equal(a, scalars)
            case "notEqual": return .notEqual(a, scalars)
            default:
                guard scalars.count == 1 else { throw .invalidQuery("\(method) queries require exactly one value.") }
                switch method {
                case "lessThan": return .lessThan(a, scalars[0])
                case "lessThanEqual": return .lessThanEqual(a, scalars[0])
                case "greaterThan": return .greaterThan(a, scalars[0])
                default: return .greaterThanEqual(a, scalars[0])
                }
            }
        }
    }

    private static func scalar(_ value: JSONValue, for a: Attribute) throws(APIFailure) -> Scalar {
        switch (a.kind, value) {
        case (.text, .string(let s)): return .text(s)
        case (.instant, .string(let s)):
            if let ms = Timestamps.parse(s) { return .integer(ms) }
        case (.integer, .integer(let n)): return .integer(n)
        case (.integer, .string(let s)):
            if let n = Int64(s) { return .integer(n) }
        default: break
        }
        throw .invalidQuery("Query value is invalid for attribute \"\(a.rawValue)\"")
    }
}
