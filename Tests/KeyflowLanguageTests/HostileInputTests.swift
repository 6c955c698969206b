import Testing
@testable import KeyflowLanguage

/// Hostile input gives diagnostics, never a crash or a hang.
struct HostileInputTests {
    func ids(_ source: String) -> [String] { Parser.parse(source: source, file: "h.kf").diagnostics.map(\.id) }

    @Test func bracketsNestedTenThousandDeep() {
        #expect(ids("print " + String(repeating: "[", count: 10_000)) .contains("nesting-too-deep"))
        #expect(ids("print " + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)) == ["nesting-too-deep"])
        #expect(ids(String(repeating: "if x {", count: 10_000)).contains("nesting-too-deep"))
        #expect(ids("print " + String(repeating: "not ", count: 10_000) + "x") == ["nesting-too-deep"])
        #expect(ids("print " + String(repeating: "- ", count: 10_000) + "x") == ["nesting-too-deep"])
        #expect(ids("print \"" + String(repeating: "${\"", count: 5_000)).contains("unterminated-interpolation"))
    }

    @Test func nestingBelowTheLimitParses() {
        let depth = Parser.maxDepth - 2
        #expect(ids("print " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)) == [])
    }

    @Test func tenMegabyteLine() {
        let big = "print \"" + String(repeating: "a", count: 10_000_000) + "\""
        #expect(ids(big) == [])
        #expect(ids(String(repeating: "x ", count: 5_000_000)).first == "expected-statement")
        #expect(ids("print \"" + String(repeating: "a", count: 10_000_000)) == ["unterminated-string"])
    }

    @Test func megabyteIdentifier() {
        let name = String(repeating: "n", count: 1_000_000)
        #expect(ids("let \(name) = 1\nprint \(name)") == [])
    }

    @Test func nulBytesAndInvalidUTF8() {
        #expect(ids("print 1\u{0}") == ["unexpected-character"])
        #expect(ids("print \"a\u{0}b\"") == [])
        let r = Parser.parse(bytes: Array("print \"".utf8) + [0xC3, 0x28] + Array("\"\nprint 2 +".utf8), file: "h.kf")
        #expect(r.diagnostics.map(\.id) == ["invalid-utf8", "unexpected-end-of-input"])
        #expect(r.incomplete == nil)
    }
}
