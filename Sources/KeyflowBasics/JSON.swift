/// A JSON value whose objects keep their members in order, so a body is written back byte
/// for byte in the order it was built or read. Integers stay integers (`600` is not
/// `600.0`) and booleans never pass for numbers.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.integer(let x), .integer(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .integer(let n): hasher.combine(n)
        case .number(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let items): hasher.combine(items)
        case .object(let members):
            for (key, value) in members {
                hasher.combine(key)
                hasher.combine(value)
            }
        }
    }

    /// The member named `key` of an object (the last one when repeated, as PHP does).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// An integer, or a number that is one.
    public var integerValue: Int64? {
        switch self {
        case .integer(let n): n
        case .number(let d): d.rounded(.towardZero) == d && abs(d) < 9.0e18 ? Int64(d) : nil
        default: nil
        }
    }

    /// An array of strings (nil when any item is not a string).
    public var stringsValue: [String]? {
        guard case .array(let items) = self else { return nil }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard case .string(let s) = item else { return nil }
            out.append(s)
        }
        return out
    }

    /// This value as JSON text, without white space.
    public func encoded(_ style: JSONStyle = .plain) -> String {
        var w = JSONWriter(capacity: 64, style: style)
        w.value(self)
        return w.text
    }

    /// Parses one JSON document; nil when it is not valid JSON (or nests deeper than 64).
    public static func parse(_ bytes: some Collection<UInt8>) -> JSONValue? {
        var parser = JSONParser(bytes: Array(bytes))
        guard let value = parser.parseValue(depth: 0) else { return nil }
        parser.skipWhitespace()
        return parser.atEnd ? value : nil
    }

    public static func parse(_ text: String) -> JSONValue? { parse(Array(text.utf8)) }
}

/// How strings are escaped: `"`, `\` and control characters always (`\n`, `\r`, `\t`,
/// `\b`, `\f`, else `\u00XX`); `/` and everything outside printable ASCII on request.
public struct JSONStyle: Sendable, Equatable {
    /// Escape `/` as `\/`.
    public var escapesSlashes: Bool
    /// Escape every character outside printable ASCII (DEL included) as `\uXXXX`, UTF-16.
    public var asciiOnly: Bool

    public init(escapesSlashes: Bool = false, asciiOnly: Bool = false) {
        self.escapesSlashes = escapesSlashes
        self.asciiOnly = asciiOnly
    }

    /// Only what JSON requires: what files and lines written for people use.
    public static let plain = JSONStyle()
    /// The Appwrite server's bodies (PHP's `json_encode` with unescaped unicode).
    public static let server = JSONStyle(escapesSlashes: true)
    /// Python's `json.dumps`, as the official SDK sends request bodies.
    public static let python = JSONStyle(asciiOnly: true)
}

/// Writes JSON text in the order it is told, for bodies whose member order is fixed.
public struct JSONWriter {
    public private(set) var text = ""
    public var style: JSONStyle

    public init(capacity: Int = 512, style: JSONStyle = .plain) {
        text.reserveCapacity(capacity)
        self.style = style
    }

    /// Text that is already JSON (a number, `true`, a whole object written elsewhere).
    public mutating func raw(_ s: String) { text += s }

    public mutating func string(_ s: String) {
        text += "\""
        // Most strings need no escape: they are appended whole.
        let slashes = style.escapesSlashes, asciiOnly = style.asciiOnly
        guard s.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || (slashes && $0 == 0x2F) || (asciiOnly && $0 >= 0x7F) }) else {
            text += s
            text += "\""
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "/" where style.escapesSlashes: text += "\\/"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            default:
                if u.value < 0x20 || (style.asciiOnly && u.value >= 0x7F) {
                    for unit in String(u).utf16 { escape(unit) }
                } else {
                    text.unicodeScalars.append(u)
                }
            }
        }
        text += "\""
    }

    private mutating func escape(_ unit: UInt16) {
        let hex = String(unit, radix: 16)
        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    public mutating func strings(_ items: [String]) {
        text += "["
        for (n, item) in items.enumerated() {
            if n > 0 { text += "," }
            string(item)
        }
        text += "]"
    }

    /// `"name":` inside an object; `first` omits the comma.
    public mutating func key(_ name: String, first: Bool = false) {
        if !first { text += "," }
        string(name)
        text += ":"
    }

    /// A number: integral values without a fraction (`12`, not `12.0`).
    public mutating func number(_ d: Double) {
        if d.rounded(.towardZero) == d, abs(d) < 1e15 { text += String(Int64(d)) } else { text += String(d) }
    }

    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: text += "null"
        case .bool(let b): text += b ? "true" : "false"
        case .integer(let n): text += String(n)
        case .number(let d): number(d)
        case .string(let s): string(s)
        case .array(let items):
            text += "["
            for (n, item) in items.enumerated() {
                if n > 0 { text += "," }
                value(item)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (n, (name, member)) in members.enumerated() {
                key(name, first: n == 0)
                value(member)
            }
            text += "}"
        }
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var i = 0

    var atEnd: Bool { i >= bytes.count }

    mutating func skipWhitespace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func parseValue(depth: Int) -> JSONValue? {
        guard depth < 64 else { return nil }
        skipWhitespace()
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "{"): return parseObject(depth: depth)
        case UInt8(ascii: "["): return parseArray(depth: depth)
        case UInt8(ascii: "\""): return parseString().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return parseNumber()
        }
    }

    mutating func literal(_ word: String, _ value: JSONValue) -> JSONValue? {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { return nil }
        i += w.count
        return value
    }

    mutating func parseObject(depth: Int) -> JSONValue? {
        i += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let key = parseString() else { return nil }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            guard let value = parseValue(depth: depth + 1) else { return nil }
            members.append((key, value))
            skipWhitespace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            return nil
        }
    }

    mutating func parseArray(depth: Int) -> JSONValue? {
        i += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            guard let value = parseValue(depth: depth + 1) else { return nil }
            items.append(value)
            skipWhitespace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            return nil
        }
    }

    mutating func parseString() -> String? {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard decodeJSONEscape(bytes, at: &i, into: &out) else { return nil }
            default:
                if c < 0x20 { return nil }
                out.append(c)
            }
        }
        return nil
    }

    /// A number as RFC 8259 §6 spells it: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    /// (so `.5`, `01`, `1.` and `+1` are not numbers, as in every other JSON reader).
    mutating func parseNumber() -> JSONValue? {
        let start = i
        func digits() -> Int {
            let from = i
            while i < bytes.count, bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
            return i - from
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let leadingZero = i < bytes.count && bytes[i] == UInt8(ascii: "0")
        let whole = digits()
        guard whole > 0, !(leadingZero && whole > 1) else { return nil }
        var integral = true
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            integral = false
            guard digits() > 0 else { return nil }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            integral = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return nil }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard !text.isEmpty, text != "-" else { return nil }
        if integral, let n = Int64(text) { return .integer(n) }
        guard let d = Double(text), d.isFinite else { return nil }
        return .number(d)
    }
}

/// Decodes the escape that follows a backslash in a JSON string (`i` is just past the
/// backslash), appending its UTF-8 to `out` and moving `i` past it; false when it is not a
/// valid escape (a high surrogate must be followed by an escaped low one).
public func decodeJSONEscape(_ bytes: [UInt8], at i: inout Int, into out: inout [UInt8]) -> Bool {
    guard i < bytes.count else { return false }
    let e = bytes[i]
    i += 1
    switch e {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
    case UInt8(ascii: "b"): out.append(0x08)
    case UInt8(ascii: "f"): out.append(0x0C)
    case UInt8(ascii: "n"): out.append(0x0A)
    case UInt8(ascii: "r"): out.append(0x0D)
    case UInt8(ascii: "t"): out.append(0x09)
    case UInt8(ascii: "u"):
        func hex4() -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let d = hexDigit(bytes[i]) else { return nil }
                v = v << 4 | UInt32(d)
                i += 1
            }
            return v
        }
        guard var scalar = hex4() else { return false }
        if (0xD800..<0xDC00).contains(scalar) {
            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return false }
            i += 2
            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return false }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let u = Unicode.Scalar(scalar) else { return false }
        out.append(contentsOf: Array(String(u).utf8))
    default: return false
    }
    return true
}

/// The value of an ASCII hex digit (`0-9`, `a-f`, `A-F`).
public func hexDigit(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: c - 0x30
    case 0x41...0x46: c - 0x41 + 10
    case 0x61...0x66: c - 0x61 + 10
    default: nil
    }
}
