import KeyflowLanguage
import Testing

@testable import KeyflowREPL

/// The prompt's own help on undefined names: a mistyped statement, an unquoted key name.
struct HintsTests {
    /// The checker's diagnostics for a chunk, as the REPL would adjust them.
    func hints(_ source: String, keyNames: [String] = [], predeclared: [String: ValueType] = [:]) -> [String?] {
        let parsed = Parser.parse(source: source, file: "<repl>")
        var program = parsed.program
        if parsed.hasErrors, let expr = Parser.parseExpression(source: source, file: "<repl>").0 {
            program = Program(statements: [Statement(.print([expr]), range: expr.range)], range: expr.range)
        }
        let checked = Checker.check(program, options: CheckOptions(predeclared: predeclared))
        return checked.diagnostics.filter(\.isError).map { Hints.adjusted($0, source: source, keyNames: keyNames).help }
    }

    @Test func aMistypedStatement() {
        #expect(hints("lst") == ["`lst` is not a statement: did you mean `list`? (:help lists every statement)"])
        #expect(hints("shw") == ["`shw` is not a statement: did you mean `show`? (:help lists every statement)"])
    }

    @Test func anUnquotedKeyName() {
        #expect(hints("rotate ci", keyNames: ["ci"]) == ["a key's name is a string: `rotate \"ci\"`"])
        #expect(hints("show Deploy", keyNames: ["deploy"]) == ["a key's name is a string: `show \"deploy\"`"])
        let unknown = hints("show nothing", keyNames: ["ci"])
        #expect(unknown.count == 1 && unknown[0]!.hasPrefix("a key's name is a string (`show \"nothing\"`)"))
    }

    @Test func otherUndefinedNamesKeepTheCheckersHelp() {
        let plain = hints("print zzz + 1d")
        #expect(plain.count == 1 && plain[0]!.contains("let zzz"))
    }

    @Test func aMistypedFirstWordOfAnInvalidChunk() {
        #expect(Hints.mistypedFirstWord(#"rot "ci""#, variables: []) == "`rot` is not a statement: did you mean `rotate`? (:help lists every statement)")
        #expect(Hints.mistypedFirstWord(#"rot "ci""#, variables: ["rot"]) == nil)
        #expect(Hints.mistypedFirstWord(#"count(keys) +"#, variables: []) == nil)
        #expect(Hints.mistypedFirstWord(#"list where"#, variables: []) == nil)
        #expect(Hints.mistypedFirstWord(#"zebra "x""#, variables: []) == nil)
    }
}
