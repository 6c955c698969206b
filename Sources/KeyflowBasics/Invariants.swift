// The JSON reader's promises on any input, as a function: the libFuzzer target `json`
// (Tests/Fuzz/JSON.swift) calls it on every generated input and the regression tests on
// every input a fuzzer ever found (docs/fuzzing.md).

public enum JSONInvariants {
    /// Nil when the reader's contract holds on `bytes`: it returns quickly, and what it read,
    /// written out and read again, is the same value.
    public static func roundTripViolation(_ bytes: [UInt8]) -> String? {
        guard let value = JSONValue.parse(bytes) else { return nil }
        for style in [JSONStyle.plain, .server, .python] where JSONValue.parse(value.encoded(style)) != value {
            return "JSON written with \(style) reads back as a different value"
        }
        return nil
    }
}
