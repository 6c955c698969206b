import Foundation
import Testing
@testable import KeyflowLanguage

struct FormatterTests {
    func fmt(_ source: String) -> String {
        let (out, diagnostics) = Formatter.format(source: source, file: "f.kf")
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.summary))")
        return out ?? ""
    }

    /// Every file of the corpus: one that parses is formatted to text that parses to the
    /// same tree, formatting it again changes nothing, and every comment survives in
    /// order; one with syntax errors is refused.
    @Test(arguments: kfFiles("grammar/examples") + kfFiles("grammar/examples/errors") + kfFiles("examples"))
    func formattingKeepsMeaningAndIsIdempotent(path: String) {
        let bytes = readBytes(path)
        #expect(!bytes.isEmpty, "\(path) is empty or unreadable")
        let original = Parser.parse(bytes: bytes, file: path)
        if original.hasErrors {
            let (out, diagnostics) = Formatter.format(bytes: bytes, file: path)
            #expect(out == nil && !diagnostics.isEmpty, "a script with syntax errors was formatted: \(path)")
            return
        }
        let once = Formatter.format(original.program)
        let reparsed = Parser.parse(source: once, file: path)
        #expect(reparsed.diagnostics.isEmpty, "\(reparsed.diagnostics.map(\.summary))\n\(once)")
        #expect(reparsed.program.dump == original.program.dump, "\(once)")
        #expect(Formatter.format(reparsed.program) == once)
        #expect(reparsed.program.comments.map { $0.text.trimmingTrailingSpaces } == original.program.comments.map { $0.text.trimmingTrailingSpaces })
    }

    @Test func corpusHasFilesWithSyntaxErrorsOnlyInTheErrorFolder() {
        for path in kfFiles("grammar/examples") { #expect(!Parser.parse(bytes: readBytes(path), file: path).hasErrors) }
    }

    @Test(arguments: [
        ("let   x=1", "let x = 1\n"),
        ("print 1;print 2", "print 1\nprint 2\n"),
        ("print (a or b) and (c and d) and e", "print (a or b) and (c and d) and e\n"),
        ("print (a - (b - c)) + (d + e)", "print a - (b - c) + (d + e)\n"),
        ("print not (a == b), not not x, not (a or b)", "print not (a == b), not not x, not (a or b)\n"),
        ("print -(-x)", "print - -x\n"),
        ("print (k).name, (keys where true)", "print k.name, keys where true\n"),
        ("print x in (keys where true)", "print x in (keys where true)\n"),
        ("print \"a\\u{1F511}\\$ {\\${x}\\u{7}\"", "print \"a🔑$ {\\${x}\\u{7}\"\n"),
        ("ensure \"a\"\n  scopes [users.read,\n teams.read]\n  expire in 1d", "ensure \"a\" scopes [users.read, teams.read] expire in 1d\n"),
        ("if a {print 1} else if b {print 2} else {print 3}", "if a {\n  print 1\n} else if b {\n  print 2\n} else {\n  print 3\n}\n"),
        ("for x in [1] parallel 4 {}", "for x in [1] parallel 4 {\n}\n"),
        ("secret \"a\" to stdout secret to file \"f\"", "secret \"a\" to stdout secret to file \"f\"\n"),
        ("print 1\n\n\n\nprint 2", "print 1\n\nprint 2\n"),
        ("print 1 # one\n# alone\n\nprint 2", "print 1 # one\n# alone\n\nprint 2\n"),
        ("for x in y { # head\n  print x\n  # tail\n}", "for x in y {\n  # head\n  print x\n  # tail\n}\n"),
        ("", ""),
        ("# only a comment", "# only a comment\n"),
    ])
    func layout(source: String, expected: String) {
        #expect(fmt(source) == expected)
    }

    @Test func longStatementsPutOneClausePerLine() {
        let source = "ensure \"service-with-a-long-name-${x}\" scopes [databases.read, databases.write, users.read] expire in 90d description \"long\""
        #expect(fmt("let x = 1\n" + source) == """
            let x = 1
            ensure "service-with-a-long-name-${x}"
                scopes [databases.read, databases.write, users.read]
                expire in 90d
                description "long"

            """)
    }

    @Test func commentsBetweenClausesStayBeforeTheirClause() {
        let out = fmt("ensure \"a\"\n  # why\n  scopes [users.read]\n  expire in 1d # trailing")
        #expect(out == "ensure \"a\"\n    # why\n    scopes [users.read]\n    expire in 1d # trailing\n")
        #expect(fmt(out) == out)
    }

    @Test func refusesToFormatBrokenScripts() {
        let (out, diagnostics) = Formatter.format(source: "print )", file: "f.kf")
        #expect(out == nil && !diagnostics.isEmpty)
    }
}
