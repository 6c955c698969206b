// The JSON reader's promises on any input, as a function: the libFuzzer target `json`
// (Tests/Fuzz/JSON.swift) calls it on every generated input and the regression tests on
// every input a fuzzer ever found (docs/fuzzing.md).

public enum JSONInvariants {
    /// Nil when the reader's contract holds on `bytes`: it returns quickly, and what it read,
    /// written out and read again, is the same value (up to the writer's one liberty: a
    /// number with an integral value is written as an integer, `JSONWriter.number`).
    public static func roundTripViolation(_ bytes: [UInt8]) -> String? {
        guard let value = JSONValue.parse(bytes) else { return nil }
        for style in [JSONStyle.plain, .server, .python] {
            guard let again = JSONValue.parse(value.encoded(style)) else { return "JSON written with \(style) does not read back" }
            if normalized(again) != normalized(value) { return "JSON written with \(style) reads back as a different value" }
        }
        return nil
    }

    static func normalized(_ v: JSONValue) -> JSONValue {
        switch v {
        case .number(let d) where d.rounded(.towardZero) == d && abs(d) < 1e15: .integer(Int64(d))
        case .array(let items): .array(items.map(normalized))
        case .object(let members): .object(members.map { ($0.0, normalized($0.1)) })
        default: v
        }
    }
}
