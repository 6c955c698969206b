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

/// Chains of operators and members are parsed by loops but build trees as deep as they are
/// long; the parser measures each outermost expression (without recursion) and refuses one
/// deeper than `Parser.maxExpressionHeight`, so no later stage can overflow its stack.
@Suite struct DeepChainTests {
    @Test(arguments: [" and ", " or ", " + ", " - "])
    func longChainsAreRefusedWithADiagnostic(op: String) {
        let source = "let k = 1\nassert " + Array(repeating: "k", count: 5000).joined(separator: op) + " == k"
        let (program, diagnostics) = compile(source: source, file: "chain.kf")
        #expect(program == nil)
        #expect(diagnostics.map(\.summary) == ["expression nested more than 256 deep"])
        #expect(diagnostics.first?.range.start.line == 2)
    }

    @Test func longMemberChainsAreRefused() {
        let source = "let k = 1\nprint " + Array(repeating: "k", count: 10_000).joined(separator: ".")
        let (_, diagnostics) = compile(source: source, file: "members.kf")
        #expect(diagnostics.map(\.summary) == ["expression nested more than 256 deep"])
    }

    @Test func chainsWithinTheLimitCheckAndFormat() {
        let source = "for x in [1] {\n  assert " + Array(repeating: "true", count: 255).joined(separator: " and ") + "\n}\n"
        let (program, diagnostics) = compile(source: source, file: "ok.kf")
        #expect(program != nil, "\(diagnostics.map(\.summary))")
        let (formatted, _) = Formatter.format(bytes: Array(source.utf8), file: "ok.kf")
        #expect(formatted != nil)
    }
}
