import Foundation
import KeyflowBasics

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
                guard decodeJSONEscape(bytes, at: &at, into: &out) else { throw Malformed() }
            default:
                guard b >= 0x20 else { throw Malformed() }
                out.append(b)
            }
        }
        throw Malformed()
    }
}
