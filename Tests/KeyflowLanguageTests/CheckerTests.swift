import Testing
@testable import KeyflowLanguage

struct CheckerTests {
    func check(_ source: String, _ options: CheckOptions = CheckOptions()) -> CheckResult {
        let parsed = Parser.parse(source: source, file: "c.kf")
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics.map(\.summary))")
        return Checker.check(parsed.program, options: options)
    }

    @Test func predeclaredNamesLetTheREPLCheckOneStatementAtATime() {
        let first = check("create \"a\" as k\nlet n = 3")
        #expect(first.diagnostics.isEmpty)
        #expect(first.bindings["k"] == .key && first.bindings["n"] == .int)
        let second = check("rotate k grace 1h\nprint n + 1", CheckOptions(predeclared: first.bindings))
        #expect(second.diagnostics.isEmpty)
        let third = check("rotate n", CheckOptions(predeclared: first.bindings))
        #expect(third.diagnostics.map(\.id) == ["type-mismatch"])
        let redefined = check("let n = 4", CheckOptions(predeclared: first.bindings))
        #expect(redefined.diagnostics.map(\.id) == ["redefinition"])
    }

    @Test func requiredParameters() {
        let source = "param tenant\nparam lifetime = 30d\nprint tenant"
        #expect(check(source).diagnostics.isEmpty)
        let r = check(source, CheckOptions(parameters: []))
        #expect(r.diagnostics.map(\.summary) == ["parameter `tenant` is required"])
        #expect(r.diagnostics.first?.range.start.line == 1)
        #expect(check(source, CheckOptions(parameters: ["tenant"])).diagnostics.isEmpty)
        let unknown = check(source, CheckOptions(parameters: ["tenant", "lifetim"]))
        #expect(unknown.diagnostics.map(\.summary) == ["the script has no parameter `lifetim`"])
        #expect(unknown.diagnostics.first?.help == "did you mean `lifetime`?")
        #expect(r.parameters.map(\.name) == ["tenant", "lifetime"])
        #expect(r.parameters.map(\.isRequired) == [true, false])
        #expect(r.parameters[1].type == .duration)
    }

    @Test(arguments: [
        ("print nme\nlet name1 = 1", "define it first with `let nme = ...` or `param nme`"),
        ("let counter = 1\nprint countr", "did you mean `counter`?"),
        ("print cont(keys)", "did you mean `count`?"),
        ("create \"a\" as k\nprint k.nme", "did you mean `name`?"),
        ("ensure \"a\" scopes [user.*]", "did you mean users.*?"),
        ("ensure \"a\" expire 90d", "a duration is a length of time; write `expire in ...` for that long from now"),
    ])
    func helpSuggestsTheNearMiss(source: String, help: String) {
        #expect(check(source).diagnostics.first?.help == help)
    }

    /// `grace 0` is written as docs/language.md §7.6 writes it; any other bare number is not a duration.
    @Test func graceZeroIsADuration() {
        #expect(check(#"rotate "a" grace 0"#).diagnostics.isEmpty)
        #expect(check(#"rotate "a" grace 0s"#).diagnostics.isEmpty)
        #expect(check(#"rotate "a" grace 5"#).diagnostics.map(\.summary) == ["expected a grace period (a duration), found an int"])
    }

    @Test func typesOfExpressions() {
        let r = check("""
            let a = now + 7d
            let b = a - now
            let c = keys where name ~ "x"
            let d = lines("f")
            let e = [users.read]
            let f = in 1h
            let g = count(c) > 2 and exists("k")
            let h = "x"
            """)
        #expect(r.diagnostics.isEmpty)
        #expect(r.bindings["a"] == .time)
        #expect(r.bindings["b"] == .duration)
        #expect(r.bindings["c"] == .list(.key))
        #expect(r.bindings["d"] == .list(.string))
        #expect(r.bindings["e"] == .scopes)
        #expect(r.bindings["f"] == .expiry)
        #expect(r.bindings["g"] == .bool)
        #expect(r.bindings["h"] == .string)
    }

    @Test func keyIsTheKeyActedOnInsideClauses() {
        #expect(check("rotate keys where name ~ \"s-*\" grace 1h secret to file \"${key.name}.key\"").diagnostics.isEmpty)
        #expect(check("create \"a\" secret to file \"${key.id}\"").diagnostics.isEmpty)
        #expect(check("print key.name").diagnostics.map(\.id) == ["undefined-name"])
    }

    @Test func wildcardsMatchingSomethingAreAccepted() {
        #expect(check("ensure \"a\" scopes [*, users.*, *.read, databases.*]").diagnostics.isEmpty)
    }

    @Test func parallelBounds() {
        #expect(check("for x in [1] parallel 1 { }\nfor y in [1] parallel 64 { }").diagnostics.isEmpty)
        #expect(check("for x in [1] parallel -1 { }").diagnostics.map(\.id) == ["parallel-out-of-range"])
        #expect(check("for x in [1] parallel \"4\" { }").diagnostics.map(\.id) == ["type-mismatch"])
    }

    @Test func compileReturnsAProgramOnlyWhenClean() {
        #expect(compile(source: "list", file: "a.kf").0 != nil)
        let (program, diagnostics) = compile(source: "print nope", file: "a.kf")
        #expect(program == nil && diagnostics.map(\.id) == ["undefined-name"])
        #expect(compile(source: "print )", file: "a.kf").0 == nil)
    }
}
