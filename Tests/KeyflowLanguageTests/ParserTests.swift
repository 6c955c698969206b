import Testing
@testable import KeyflowLanguage

/// Table tests over the AST text dump.
struct ParserTests {
    func parse(_ source: String) -> ParseResult { Parser.parse(source: source, file: "t.kf") }

    @Test(arguments: [
        ("create \"ci\" scopes [databases.read, users.*] expire in 90d description \"d\" id \"abc\" as k secret to file \"k.key\"",
         "(create \"ci\" (scopes [databases.read users.*]) (expire (in 7776000s)) (description \"d\") (id \"abc\") (as k) (secret-to (file \"k.key\")))"),
        ("ensure \"svc-${svc}\" scopes [databases.read] expire in lifetime\n    secret to file \"secrets/${svc}.key\"",
         "(ensure (str \"svc-\" svc) (scopes [databases.read]) (expire (in lifetime)) (secret-to (file (str \"secrets/\" svc \".key\"))))"),
        ("update \"A\" name \"B\" scopes s expire never", "(update (named \"A\") (name \"B\") (scopes s) (expire never))"),
        ("update k scopes k2.scopes", "(update (var k) (scopes (. k2 scopes)))"),
        ("grant keys where name ~ \"tenant-*\" users.write", "(grant (keys-where (~ name \"tenant-*\")) scope:users.write)"),
        ("revoke all \"X\" [users.write, extra]", "(revoke (all \"X\") [users.write $extra])"),
        ("delete id \"6650c1\"", "(delete (id \"6650c1\"))"),
        ("rotate keys where expire < now + 7d and name ~ \"svc-*\" grace 1h\n    secret to run \"deploy-secrets update\"",
         "(rotate (keys-where (and (< expire (+ now 604800s)) (~ name \"svc-*\"))) (grace 3600s) (secret-to (run \"deploy-secrets update\")))"),
        ("rollback \"Deployment Key\"", "(rollback (named \"Deployment Key\"))"),
        ("secret \"X\" to env \"API_KEY\" in \".env\" secret to stdout", "(secret (named \"X\") (secret-to (env \"API_KEY\" \".env\")) (secret-to (stdout)))"),
        ("ephemeral scopes [*] expire in 15m as tmp", "(ephemeral (scopes [*]) (expire (in 900s)) (as tmp))"),
        ("show k", "(show (var k))"),
        ("list", "(list)"),
        ("list where expire < 2026-12-31", "(list (where (< expire @1798675200)))"),
        ("print \"a\", 1, true, k.name", "(print \"a\" 1 true (. k name))"),
        ("let x = -3", "(let x (- 3))"),
        ("param services = [\"billing\", \"search\"]", "(param services (list \"billing\" \"search\"))"),
        ("param region", "(param region)"),
        ("use endpoint \"https://x/v1\" project \"p1\"", "(use (endpoint \"https://x/v1\") (project \"p1\"))"),
        ("assert count(keys where scopes has keys.write) <= 2, \"too many\"",
         "(assert (<= (call count (keys-where (has scopes scope:keys.write))) 2) \"too many\")"),
        ("for svc in services parallel 4 { ensure svc }", "(for svc services (parallel 4) {(ensure svc)})"),
        ("if a { print 1 } else if not b { print 2 } else { print 3 }",
         "(if (branch a {(print 1)}) (branch (not b) {(print 2)}) (else {(print 3)}))"),
        ("if x {\n  print 1\n}\nelse {\n  print 2\n}", "(if (branch x {(print 1)}) (else {(print 2)}))"),
        ("print exists(\"A\"), exists(id \"x\"), env(\"HOME\", \"/\"), lines(\"f\"), len(xs)",
         "(print (call exists (named \"A\")) (call exists (id \"x\")) (call env \"HOME\" \"/\") (call lines \"f\") (call len xs))"),
        ("print a or b and not c == d", "(print (or a (and b (not (== c d)))))"),
        ("print (a or b) and c", "(print (and (or a b) c))"),
        ("print now - 1h30m + 2d", "(print (+ (- now 5400s) 172800s))"),
        ("print x in [\"a\"], users.* , *", "(print (in x (list \"a\")) scope:users.* scope:*)"),
        ("let s = [keys.read, keys.write]", "(let s [keys.read keys.write])"),
        ("let e = []", "(let e (list))"),
        ("print keys, key.name", "(print keys (. key name))"),
        ("let a = 1; let b = 2", "(let a 1)\n(let b 2)"),
    ])
    func statements(source: String, expected: String) {
        let r = parse(source)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map(\.summary))")
        #expect(r.program.dump == expected)
        #expect(r.incomplete == nil)
    }

    @Test func everyNodeHasItsRange() {
        let r = parse("let x = 1\nensure \"a\"\n  scopes [users.read]")
        let s = r.program.statements[1]
        #expect(s.range.start.line == 2 && s.range.end.line == 3)
        let clause = s.clauses[0]
        #expect(clause.range.start.line == 3 && clause.range.start.column == 3)
        #expect(clause.keywordRange.length == "scopes".utf8.count)
        guard case .scopes(let e) = clause.kind, case .scopeList(let items) = e.kind else {
            Issue.record("no scope list")
            return
        }
        #expect(items[0].range.start.column == 11 && items[0].range.length == "users.read".utf8.count)
    }

    @Test(arguments: [
        ("create", Incompleteness.continuingClause),
        ("ensure \"a\" expire", .continuingClause),
        ("print 1 +", .continuingClause),
        ("print [1,", .openBracket),
        ("print count(", .openBracket),
        ("for x in xs {", .openBlock),
        ("if x {\n print 1\n", .openBlock),
        ("print \"abc", .openString),
        ("print \"a ${b", .openString),
    ])
    func incompleteInput(source: String, reason: Incompleteness) {
        let r = parse(source)
        #expect(r.incomplete == reason, "\(r.diagnostics.map(\.summary))")
        #expect(r.hasErrors)
    }

    @Test(arguments: ["print )", "create \"a\" bogus", "print 1 +\n)", "\"abc\nprint 1 +"])
    func errorsAreNotIncomplete(source: String) {
        let r = parse(source)
        #expect(r.incomplete == nil)
        #expect(r.hasErrors)
    }

    @Test func recoversAtStatementBoundaries() {
        let r = parse("create\nlet = 3\nprint 1\nfor x in y { print ) \n print 2 }\nprint )")
        #expect(r.diagnostics.map(\.range.start.line) == [1, 2, 4, 6])
        #expect(r.program.dump == "(print 1)\n(for x y {(print 2)})")
    }

    @Test func diagnosticsNameWhatWasExpected() {
        let r = parse("grant \"a\" )")
        #expect(r.diagnostics.first?.summary == "expected an expression, found `)`")
        let r2 = parse("banana")
        #expect(r2.diagnostics.first?.id == "expected-statement")
    }
}
