import Foundation

/// A JSON value whose objects keep their key order, so request bodies and query
/// strings come out byte for byte as the official SDKs write them (keys-api.md §3.2, §9).
enum JSONValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (a: JSONValue, b: JSONValue) -> Bool { a.compact == b.compact }
    func hash(into hasher: inout Hasher) { hasher.combine(compact) }

    /// Compact JSON (no spaces), non-ASCII escaped as `\uXXXX` like Python's `json.dumps`.
    var compact: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .int(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        out += "\""
    }
}

/// Reading a response body: a thin, typed layer over `JSONSerialization`.
struct JSONObject {
    let fields: [String: Any]

    init?(bytes: [UInt8]) {
        guard !bytes.isEmpty,
            let parsed = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let object = parsed as? [String: Any]
        else { return nil }
        fields = object
    }

    init(_ fields: [String: Any]) { self.fields = fields }

    func string(_ key: String) -> String? { fields[key] as? String }
    func int(_ key: String) -> Int? {
        // Not `is Bool`: on Linux an NSNumber 0 or 1 passes that test.
        if let n = fields[key] as? NSNumber { return n.intValue }
        if let s = fields[key] as? String { return Int(s) }
        return nil
    }
    func strings(_ key: String) -> [String]? { fields[key] as? [String] }
    func objects(_ key: String) -> [JSONObject]? {
        (fields[key] as? [Any])?.compactMap { ($0 as? [String: Any]).map(JSONObject.init) }
    }
}
