import Foundation

/// A JSON value whose objects keep their key order, so request bodies and query
/// strings come out byte for byte as the official SDKs write them (docs/appwrite-api.md §3.2, §9).
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

/// A strict JSON reader over a response body's bytes, for the models read in bulk (a
/// list of 5,000 keys is a few megabytes): it walks the bytes once and builds only the
/// strings the model keeps, where `JSONDecoder` would build a whole tree first.
struct JSONReader {
    struct Malformed: Error {}

    private let bytes: [UInt8]
    private var at = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The whole body is one value followed by nothing but white space.
    mutating func finish() throws(Malformed) {
        skipSpace()
        guard at == bytes.count else { throw Malformed() }
    }

    /// A member's name as it stands in the body, compared with literals without making a
    /// `String` of it (a key list has ten names a key): `case "$id":` in a `switch`.
    struct Name {
        fileprivate let bytes: ArraySlice<UInt8>

        static func == (name: Name, literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard name.bytes.count == count else { return false }
            return name.bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, literal.utf8Start, count) == 0 }
        }
        static func ~= (literal: StaticString, name: Name) -> Bool { name == literal }
    }

    /// Reads an object, handing each member's name to `member`, which must read its value.
    mutating func readObject(_ member: (inout JSONReader, Name) throws(Malformed) -> Void) throws(Malformed) {
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek == UInt8(ascii: "}") {
            at += 1
            return
        }
        while true {
            skipSpace()
            let name = try readName()
            skipSpace()
            try expect(UInt8(ascii: ":"))
            try member(&self, name)
            skipSpace()
            guard let next = peek else { throw Malformed() }
            at += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw Malformed() }
        }
    }

    /// Reads an array, calling `element` for each item, which must read it.
    mutating func readArray(_ element: (inout JSONReader) throws(Malformed) -> Void) throws(Malformed) {
        try expect(UInt8(ascii: "["))
        skipSpace()
        if peek == UInt8(ascii: "]") {
            at += 1
            return
        }
        while true {
            try element(&self)
            skipSpace()
            guard let next = peek else { throw Malformed() }
            at += 1
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else { throw Malformed() }
        }
    }

    /// True (and consumed) when the next value is `null`.
    mutating func readNull() throws(Malformed) -> Bool {
        skipSpace()
        guard peek == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// A string, or nil for `null`.
    mutating func readOptionalString() throws(Malformed) -> String? {
        try readNull() ? nil : try readString()
    }

    /// A string's UTF-8 bytes handed to `body` where they lie (decoded first only when the
    /// string holds escapes), or nil for `null`.
    mutating func readOptionalStringBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) throws(Malformed) -> T? {
        if try readNull() { return nil }
        switch try readSpan() {
        case .inPlace(let range): return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
        case .decoded(let text): return Array(text.utf8).withUnsafeBufferPointer(body)
        }
    }

    /// An array of strings, or nil for `null`.
    mutating func readOptionalStrings() throws(Malformed) -> [String]? {
        if try readNull() { return nil }
        var out: [String] = []
        try readArray { (reader: inout JSONReader) throws(Malformed) in out.append(try reader.readString()) }
        return out
    }

    /// A number (integral or not), or nil for `null`.
    mutating func readOptionalNumber() throws(Malformed) -> Double? {
        if try readNull() { return nil }
        skipSpace()
        let start = at
        while let b = peek, b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
            || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
        {
            at += 1
        }
        guard at > start, let value = Double(String(decoding: bytes[start..<at], as: UTF8.self)) else { throw Malformed() }
        return value
    }

    /// A member name: its bytes in place, or decoded when it holds escapes.
    private mutating func readName() throws(Malformed) -> Name {
        switch try readSpan() {
        case .inPlace(let range): Name(bytes: bytes[range])
        case .decoded(let text): Name(bytes: Array(text.utf8)[...])
        }
    }

    /// Where a string's content lies: in the body (it holds no escape), or decoded.
    private enum Span {
        case inPlace(Range<Int>)
        case decoded(String)
    }

    /// Reads a string up to its closing quote.
    private mutating func readSpan() throws(Malformed) -> Span {
        try expect(UInt8(ascii: "\""))
        let start = at
        // The first byte that is not plain string content, found without a bounds check
        // per byte: a 2,000-key list is mostly the insides of strings (secrets, ids).
        let stop = bytes.withUnsafeBufferPointer { buffer -> Int in
            var i = start
            while i < buffer.count {
                let b = buffer[i]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { return i }
                i += 1
            }
            return i
        }
        at = stop
        guard at < bytes.count else { throw Malformed() }
        switch bytes[at] {
        case UInt8(ascii: "\""):
            at += 1
            return .inPlace(start..<(at - 1))
        case UInt8(ascii: "\\"):
            return .decoded(try readEscapedString(from: start))
        default:
            throw Malformed()  // a control character inside a string
        }
    }

    mutating func readString() throws(Malformed) -> String {
        switch try readSpan() {
        case .inPlace(let range): String(decoding: bytes[range], as: UTF8.self)
        case .decoded(let text): text
        }
    }

    /// Skips one value of any kind.
    mutating func skipValue() throws(Malformed) {
        skipSpace()
        switch peek {
        case UInt8(ascii: "{"): try readObject { (reader: inout JSONReader, _: Name) throws(Malformed) in try reader.skipValue() }
        case UInt8(ascii: "["): try readArray { (reader: inout JSONReader) throws(Malformed) in try reader.skipValue() }
        case UInt8(ascii: "\""): _ = try readString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try readOptionalNumber()
        }
    }

    // MARK: bytes

    private var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

    private mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws(Malformed) {
        skipSpace()
        guard peek == byte else { throw Malformed() }
        at += 1
    }

    private mutating func literal(_ word: StaticString) throws(Malformed) {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { throw Malformed() }
        for n in 0..<count where bytes[at + n] != word.utf8Start[n] { throw Malformed() }
        at += count
    }

    /// The rest of a string that holds escapes; `start` is just after its opening quote.
    private mutating func readEscapedString(from start: Int) throws(Malformed) -> String {
        var out = Array(bytes[start..<at])
        while at < bytes.count {
            let b = bytes[at]
            at += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw Malformed() }
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low one.
                        guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                            throw Malformed()
                        }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw Malformed() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw Malformed() }
                    out.append(contentsOf: Array(String(unicode).utf8))
                default:
                    throw Malformed()
                }
            default:
                guard b >= 0x20 else { throw Malformed() }
                out.append(b)
            }
        }
        throw Malformed()
    }

    private mutating func hex4() throws(Malformed) -> UInt32 {
        guard at + 4 <= bytes.count else { throw Malformed() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[at]
            at += 1
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw Malformed()
            }
            value = value << 4 | digit
        }
        return value
    }
}
