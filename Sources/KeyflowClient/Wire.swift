import Foundation
import KeyflowBasics

// The wire format of docs/appwrite-api.md §3, §5 and §9: query strings, bodies, models, errors.

extension KeyQuery {
    /// The compact JSON of docs/appwrite-api.md §9, as the SDKs' `Query` helpers write it.
    public var wireJSON: String { jsonValue.encoded(.python) }

    var jsonValue: JSONValue {
        func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
        func query(_ method: String, _ attribute: String? = nil, _ values: JSONValue? = nil) -> JSONValue {
            var members: [(String, JSONValue)] = [("method", .string(method))]
            if let attribute { members.append(("attribute", .string(attribute))) }
            if let values { members.append(("values", values)) }
            return .object(members)
        }
        return switch self {
        case .limit(let n): query("limit", nil, .array([.integer(Int64(n))]))
        case .offset(let n): query("offset", nil, .array([.integer(Int64(n))]))
        case .cursorAfter(let id): query("cursorAfter", nil, .array([.string(id)]))
        case .cursorBefore(let id): query("cursorBefore", nil, .array([.string(id)]))
        case .equal(let attribute, let values): query("equal", attribute, strings(values))
        case .notEqual(let attribute, let values): query("notEqual", attribute, strings(values))
        case .lessThan(let attribute, let value): query("lessThan", attribute, .array([.string(value)]))
        case .greaterThan(let attribute, let value): query("greaterThan", attribute, .array([.string(value)]))
        case .contains(let attribute, let values): query("contains", attribute, strings(values))
        case .startsWith(let attribute, let value): query("startsWith", attribute, .array([.string(value)]))
        case .orderAsc(let attribute): query("orderAsc", attribute)
        case .orderDesc(let attribute): query("orderDesc", attribute)
        }
    }
}

enum FormEncoding {
    /// Percent-encodes like Python's `urllib.parse.quote_plus` (what the official SDK's
    /// `requests` does): unreserved characters stay, a space becomes `+`, all else `%XX`.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// `name=value&…`, each side encoded.
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// The list parameters: `queries[0]=…&queries[1]=…` and `total=false` when asked.
    static func listParameters(queries: [KeyQuery], total: Bool) -> [(String, String)] {
        var pairs = queries.enumerated().map { ("queries[\($0.offset)]", $0.element.wireJSON) }
        if !total { pairs.append(("total", "false")) }
        return pairs
    }

    /// A path segment (a key or project id): ids are `[A-Za-z0-9._-]`, anything else is escaped.
    static func pathSegment(_ text: String) -> String {
        let plain = text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                true
            default: false
            }
        }
        return plain ? text : encode(text).replacingOccurrences(of: "+", with: "%20")
    }
}

extension Expiry {
    /// The `expire` body field: a timestamp, or null for never.
    var jsonValue: JSONValue {
        switch self {
        case .never: .null
        case .at(let date): .string(WireDate.format(date))
        }
    }
}

extension KeyFields {
    /// The body of a create (with `keyId`) or a replacing PUT, in the SDKs' field order.
    func body(keyId: String?) -> JSONValue {
        var members: [(String, JSONValue)] = []
        if let keyId { members.append(("keyId", .string(keyId))) }
        members.append(("name", .string(name)))
        members.append(("scopes", .array(scopes.map(JSONValue.string))))
        // Omitted for "never", as SDK 22+ do: the server stores an absent expire as null.
        if case .at = expire { members.append(("expire", expire.jsonValue)) }
        if let description { members.append(("description", .string(description))) }
        return .object(members)
    }
}

/// A Key or EphemeralKey body as it arrives (§5.1, §5.3): every field optional here, so that
/// `WireModel` can name what is missing. Unknown fields are skipped. Timestamps are read
/// straight from the body's bytes (three or four a key; no string is made of them).
private struct WireKey {
    var id: String?
    var createdAt: Stamp?
    var updatedAt: Stamp?
    var name: String?
    var description: String?
    var expire: Stamp?
    var scopes: [String]?
    var secret: String?
    var accessedAt: Stamp?
    var sdks: [String]?

    /// A timestamp field: empty (`""`), a date, or text that is not one (kept for the error).
    enum Stamp {
        case empty
        case date(Date)
        case invalid(String)

        static func read(_ reader: inout JSONReader) throws(JSONReader.Malformed) -> Stamp? {
            try reader.readOptionalStringBytes { bytes in
                if bytes.isEmpty { return .empty }
                if let date = WireDate.parse(utf8: bytes) { return .date(date) }
                return .invalid(String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    init(reading reader: inout JSONReader) throws(JSONReader.Malformed) {
        try reader.readObject { (reader: inout JSONReader, field: JSONReader.Name) throws(JSONReader.Malformed) in
            switch field {
            case "$id": id = try reader.readOptionalString()
            case "$createdAt": createdAt = try Stamp.read(&reader)
            case "$updatedAt": updatedAt = try Stamp.read(&reader)
            case "name": name = try reader.readOptionalString()
            case "description": description = try reader.readOptionalString()
            case "expire": expire = try Stamp.read(&reader)
            case "scopes": scopes = try reader.readOptionalStrings()
            case "secret": secret = try reader.readOptionalString()
            case "accessedAt": accessedAt = try Stamp.read(&reader)
            case "sdks": sdks = try reader.readOptionalStrings()
            default: try reader.skipValue()
            }
        }
    }

    static func read(_ bytes: [UInt8]) -> WireKey? {
        var reader = JSONReader(bytes)
        guard let key = try? WireKey(reading: &reader), (try? reader.finish()) != nil else { return nil }
        return key
    }
}

private struct WireKeyList {
    var total: Int?
    var keys: [Key]?
    /// The first key that read as JSON but not as a key (its reason), if any.
    var invalid: APIError?

    /// `total` may be 3 or 3.0 (Python types it as a float). Each key becomes a `Key` as
    /// soon as it is read: a 2,000-key list keeps no second, wire-shaped copy.
    static func read(_ bytes: [UInt8], status: Int) -> WireKeyList? {
        var reader = JSONReader(bytes)
        var list = WireKeyList()
        do throws(JSONReader.Malformed) {
            try reader.readObject { (reader: inout JSONReader, field: JSONReader.Name) throws(JSONReader.Malformed) in
                switch field {
                case "total":
                    guard let number = try reader.readOptionalNumber() else { return }
                    guard number.rounded() == number, abs(number) < 1e15 else { throw JSONReader.Malformed() }
                    list.total = Int(number)
                case "keys":
                    if try reader.readNull() { return }
                    var keys: [Key] = []
                    try reader.readArray { (reader: inout JSONReader) throws(JSONReader.Malformed) in
                        let wire = try WireKey(reading: &reader)
                        guard list.invalid == nil else { return }
                        do throws(APIError) {
                            keys.append(try WireModel.key(wire, status: status))
                        } catch {
                            list.invalid = error
                        }
                    }
                    list.keys = keys
                default:
                    try reader.skipValue()
                }
            }
            try reader.finish()
        } catch {
            return nil
        }
        return list
    }
}

private struct WireError: Decodable {
    var message: String?
    var type: String?
}

enum WireModel {
    /// A key body. Missing optional fields take their defaults; a missing id, scopes or
    /// secret, or an unreadable date, is malformed.
    fileprivate static func key(_ wire: WireKey, status: Int) throws(APIError) -> Key {
        func fail(_ detail: String) -> APIError { .malformedResponse(status: status, detail: detail) }
        func date(_ field: String, _ stamp: WireKey.Stamp?) throws(APIError) -> Date? {
            switch stamp {
            case nil, .empty?: return nil
            case .date(let date)?: return date
            case .invalid(let text)?: throw fail("key field \(field) is not a date: \(text)")
            }
        }
        guard let id = wire.id else { throw fail("key field $id is missing") }
        guard let scopes = wire.scopes else { throw fail("key field scopes is missing") }
        guard let secret = wire.secret else { throw fail("key field secret is missing") }
        let created = try date("$createdAt", wire.createdAt) ?? Date(timeIntervalSince1970: 0)
        let updated = try date("$updatedAt", wire.updatedAt) ?? created
        let expire: Expiry = try date("expire", wire.expire).map(Expiry.at) ?? .never
        return Key(
            id: id, createdAt: created, updatedAt: updated, name: wire.name ?? "", description: wire.description ?? "",
            expire: expire, scopes: scopes, secret: Secret(secret), accessedAt: try date("accessedAt", wire.accessedAt),
            sdks: wire.sdks ?? [])
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) -> T? {
        guard !bytes.isEmpty else { return nil }
        return try? JSONDecoder().decode(type, from: Data(bytes))
    }

    static func key(_ response: HTTPResponse) throws(APIError) -> Key {
        guard let wire = WireKey.read(response.body) else {
            throw .malformedResponse(status: response.status, detail: "expected a JSON key object")
        }
        return try key(wire, status: response.status)
    }

    static func keyList(_ response: HTTPResponse) throws(APIError) -> KeyList {
        guard let wire = WireKeyList.read(response.body, status: response.status), let keys = wire.keys else {
            throw .malformedResponse(status: response.status, detail: "expected {\"total\", \"keys\"}")
        }
        if let invalid = wire.invalid { throw invalid }
        return KeyList(total: wire.total ?? keys.count, keys: keys)
    }

    /// `{"total": n, "projects": [...]}` (docs/appwrite-api.md §4.7): id, name and dates of each.
    static func projects(_ response: HTTPResponse) throws(APIError) -> [Project] {
        func fail(_ detail: String) -> APIError { .malformedResponse(status: response.status, detail: detail) }
        guard let body = JSONValue.parse(response.body), case .array(let items)? = body["projects"] else {
            throw fail("expected {\"total\", \"projects\"}")
        }
        var out: [Project] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let id = item["$id"]?.stringValue else { throw fail("project field $id is missing") }
            func date(_ field: String) throws(APIError) -> Date {
                guard let text = item[field]?.stringValue, !text.isEmpty else { return Date(timeIntervalSince1970: 0) }
                guard let date = WireDate.parse(text) else { throw fail("project field \(field) is not a date: \(text)") }
                return date
            }
            out.append(Project(id: id, name: item["name"]?.stringValue ?? "", createdAt: try date("$createdAt"), updatedAt: try date("$updatedAt")))
        }
        return out
    }

    /// An error response (§5.4) as `APIError.server`. A body that is not Appwrite's error
    /// JSON (a proxy's HTML page, say) keeps its status, with type `unknown`.
    static func error(_ response: HTTPResponse) -> APIError {
        if let wire = decode(WireError.self, response.body), let message = wire.message {
            return .server(status: response.status, type: wire.type ?? "unknown", message: message)
        }
        let text = String(decoding: response.body.prefix(200), as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return .server(
            status: response.status, type: "unknown",
            message: text.isEmpty ? "HTTP \(response.status) with no error body" : text)
    }
}
