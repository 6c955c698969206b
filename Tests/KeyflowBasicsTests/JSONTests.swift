import Foundation
import KeyflowBasics
import Testing

@Suite struct JSONTests {
    @Test func integersStayApartFromNumbers() {
        #expect(JSONValue.parse(#"{"d":600}"#)?["d"] == .integer(600))
        #expect(JSONValue.parse(#"{"d":600.0}"#)?["d"] == .number(600))
        #expect(JSONValue.parse(#"{"d":true}"#)?["d"]?.integerValue == nil)
        #expect(JSONValue.parse(#"{"s":"\u00e9\ud83d\ude00\/"}"#)?["s"] == .string("é😀/"))
        #expect(JSONValue.parse("{") == nil)
        #expect(JSONValue.parse(#"{"a":1} x"#) == nil)
        #expect(JSONValue.parse(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)) == nil)
        #expect(JSONValue.parse(#"{"a":1,"a":2}"#)?["a"] == .integer(2), "the last of repeated members, as PHP")
    }

    @Test func objectsKeepTheirOrder() {
        let text = #"{"b":1,"a":[true,null,"x"],"c":{}}"#
        #expect(JSONValue.parse(text)?.encoded() == text)
        #expect(JSONValue.parse(#"{"a":1,"b":2}"#) != JSONValue.parse(#"{"b":2,"a":1}"#))
    }

    /// The three styles: the server's (`\/`), Python's `json.dumps` (ASCII only, UTF-16
    /// escapes) and the plain one; control characters the same in all three.
    @Test func styles() {
        let s = "a/b\"\\\n\r\t\u{08}\u{0C}\u{01}\u{7F}é😀"
        func written(_ style: JSONStyle) -> String {
            var w = JSONWriter(style: style)
            w.string(s)
            return w.text
        }
        #expect(written(.server) == #""a\/b\"\\\n\r\t\b\f\u0001"# + "\u{7F}é😀\"")
        #expect(written(.plain) == #""a/b\"\\\n\r\t\b\f\u0001"# + "\u{7F}é😀\"")
        #expect(written(.python) == #""a/b\"\\\n\r\t\b\f\u0001\u007f\u00e9\ud83d\ude00""#)
    }

    @Test func writerPieces() {
        var w = JSONWriter(style: .server)
        w.raw("{")
        w.key("ids", first: true)
        w.strings(["a", "b/c"])
        w.key("n")
        w.number(12)
        w.key("x")
        w.number(0.5)
        w.key("v")
        w.value(.object([("k", .integer(-3)), ("z", .null)]))
        w.raw("}")
        #expect(w.text == #"{"ids":["a","b\/c"],"n":12,"x":0.5,"v":{"k":-3,"z":null}}"#)
    }

    /// Numbers as `JSONSerialization` writes them, which the `--json` events used before.
    @Test(arguments: [0, 31.7, 0.1, 12_345.6, 1_000_000, 0.5, 2.25, 100])
    func numbersAsJSONSerializationWritesThem(_ d: Double) throws {
        var w = JSONWriter()
        w.number(d)
        let reference = String(decoding: try JSONSerialization.data(withJSONObject: [d]), as: UTF8.self)
        #expect("[" + w.text + "]" == reference)
    }
}
