import Foundation
import KeyflowTestSupport
import Testing
@testable import KeyflowLanguage

let packageRoot = TestPaths.packageRoot

func kfFiles(_ folder: String) -> [String] {
    let dir = packageRoot.appendingPathComponent(folder)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.hasSuffix(".kf") }.sorted().map { dir.appendingPathComponent($0).path }
}

func readBytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

/// Expectations written inline: `# error: SUMMARY` at the end of a line expects that
/// error on that line; alone on a line, on the next line that is not a comment.
func inlineExpectations(_ path: String) -> [String] {
    let bytes = readBytes(path)
    let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    var expected: [String] = []
    for comment in Parser.parse(bytes: bytes, file: path).program.comments {
        let text = comment.text.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("error: ") else { continue }
        var line = comment.range.start.line
        let before = lines[line - 1].prefix(comment.range.start.column - 1)
        if before.allSatisfy({ $0 == " " || $0 == "\t" }) {
            line += 1
            while line <= lines.count && lines[line - 1].trimmingCharacters(in: .whitespaces).hasPrefix("#") { line += 1 }
        }
        expected.append("\(line): \(text.dropFirst("error: ".count))")
    }
    return expected.sorted()
}

struct CorpusTests {
    @Test(arguments: kfFiles("grammar/examples") + kfFiles("examples"))
    func validFilesCompileClean(path: String) {
        let (program, diagnostics) = compile(bytes: readBytes(path), file: path)
        #expect(diagnostics.isEmpty, "\(DiagnosticRenderer(sources: [path: readBytes(path)]).render(diagnostics))")
        #expect(program != nil)
    }

    @Test(arguments: kfFiles("grammar/examples/errors"))
    func errorFilesGiveExactlyTheirInlineExpectations(path: String) {
        let expected = inlineExpectations(path)
        #expect(!expected.isEmpty, "an error corpus file must state its expected errors")
        let diagnostics = compileAll(path)
        let actual = diagnostics.filter(\.isError).map { "\($0.range.start.line): \($0.summary)" }.sorted()
        #expect(actual == expected)
    }

    /// Parse errors and check errors alike (the checker runs on the partial program).
    func compileAll(_ path: String) -> [Diagnostic] {
        let parsed = Parser.parse(bytes: readBytes(path), file: path)
        return parsed.diagnostics + Checker.check(parsed.program).diagnostics
    }

    /// The corpus, file by file: a file lost or added unnoticed changes what the corpus tests cover.
    @Test func corpusFiles() {
        func names(_ folder: String) -> [String] { kfFiles(folder).map { URL(fileURLWithPath: $0).lastPathComponent }.sorted() }
        #expect(names("grammar/examples") == [
            "assert.kf", "calls.kf", "continuation.kf", "create.kf", "delete.kf", "ensure.kf", "ephemeral.kf",
            "expiry.kf", "for.kf", "grant-revoke.kf", "if.kf", "in-project.kf", "keys-where.kf", "let.kf", "lists.kf",
            "members.kf", "numbers-durations.kf", "onboard.kf", "operators.kf", "param.kf", "print.kf", "projects.kf",
            "rollback.kf", "rotate.kf",
            "scopes.kf", "secret.kf", "show-list.kf", "strings.kf", "timestamps.kf", "update.kf", "use.kf",
        ])
        #expect(names("grammar/examples/errors") == [
            "clauses.kf", "lexical.kf", "limits.kf", "names.kf", "projects.kf", "scopes.kf", "syntax.kf", "types.kf",
        ])
    }

    @Test func corpusCoversEveryStatementKindAndExpressionForm() {
        var statements = Set<String>()
        var expressions = Set<String>()
        var sinks = Set<String>()
        var selectors = Set<String>()
        var clauses = Set<String>()
        for path in kfFiles("grammar/examples") {
            let program = Parser.parse(bytes: readBytes(path), file: path).program
            var walker = ASTWalker()
            walker.walk(program.statements)
            statements.formUnion(walker.statements)
            expressions.formUnion(walker.expressions)
            sinks.formUnion(walker.sinks)
            selectors.formUnion(walker.selectors)
            clauses.formUnion(walker.clauses)
        }
        #expect(statements == Set(Vocabulary.statementOpenings))
        #expect(expressions == Set([
            "string", "interpolation", "int", "bool", "duration", "timestamp", "now", "never", "in", "scopeList",
            "scopePattern", "list", "identifier", "keys", "member", "call", "not", "-", "keysWhere", "selector",
            "projects", "projectsWhere",
        ] + BinaryOperator.allCases.map(\.rawValue) + Vocabulary.builtins.map { "call:" + $0 }))
        #expect(sinks == ["file", "env", "run", "stdout"])
        #expect(selectors == ["name", "all", "id", "variable", "keysWhere"])
        #expect(clauses == ["scopes", "expire", "description", "name", "id", "grace", "as", "secret to", "where"])
    }
}

/// Collects which syntax forms a program uses.
struct ASTWalker {
    var statements = Set<String>()
    var expressions = Set<String>()
    var sinks = Set<String>()
    var selectors = Set<String>()
    var clauses = Set<String>()

    mutating func walk(_ list: [Statement]) { for s in list { walk(s) } }

    mutating func walk(_ s: Statement) {
        statements.insert(s.keyword)
        for c in s.clauses { walk(c) }
        switch s.kind {
        case .create(let e, _), .ensure(let e, _): walk(e)
        case .update(let t, _), .delete(let t, _), .rotate(let t, _), .rollback(let t, _), .secret(let t, _), .show(let t, _):
            walk(t)
        case .grant(let t, let e, _), .revoke(let t, let e, _):
            walk(t)
            walk(e)
        case .ephemeral, .list: break
        case .print(let es): for e in es { walk(e) }
        case .let(_, let e): walk(e)
        case .param(_, let e): if let e { walk(e) }
        case .use(let a, let b):
            if let a { walk(a) }
            if let b { walk(b) }
        case .assert(let a, let b):
            walk(a)
            if let b { walk(b) }
        case .for(_, let seq, let p, let body):
            walk(seq)
            if let p { walk(p) }
            walk(body.statements)
        case .if(let branches, let e):
            for b in branches {
                walk(b.condition)
                walk(b.body.statements)
            }
            if let e { walk(e.statements) }
        case .inProject(let project, let body):
            walk(project)
            walk(body.statements)
        }
    }

    mutating func walk(_ c: Clause) {
        clauses.insert(c.keyword)
        switch c.kind {
        case .scopes(let e), .expire(let e), .description(let e), .name(let e), .id(let e), .grace(let e), .where(let e): walk(e)
        case .as: break
        case .secretTo(let s):
            switch s.kind {
            case .file(let e):
                sinks.insert("file")
                walk(e)
            case .env(let a, let b):
                sinks.insert("env")
                walk(a)
                walk(b)
            case .run(let e):
                sinks.insert("run")
                walk(e)
            case .stdout: sinks.insert("stdout")
            }
        }
    }

    mutating func walk(_ s: Selector) {
        switch s.kind {
        case .name(let e):
            selectors.insert("name")
            walk(e)
        case .all(let e):
            selectors.insert("all")
            walk(e)
        case .id(let e):
            selectors.insert("id")
            walk(e)
        case .variable: selectors.insert("variable")
        case .keysWhere(let e):
            selectors.insert("keysWhere")
            walk(e)
        }
    }

    mutating func walk(_ e: Expr) {
        switch e.kind {
        case .string(let parts):
            expressions.insert("string")
            for p in parts {
                if case .interpolation(let inner) = p.kind {
                    expressions.insert("interpolation")
                    walk(inner)
                }
            }
        case .int: expressions.insert("int")
        case .bool: expressions.insert("bool")
        case .duration: expressions.insert("duration")
        case .timestamp: expressions.insert("timestamp")
        case .now: expressions.insert("now")
        case .never: expressions.insert("never")
        case .expiryIn(let d):
            expressions.insert("in")
            walk(d)
        case .scopeList: expressions.insert("scopeList")
        case .scopePattern: expressions.insert("scopePattern")
        case .list(let items):
            expressions.insert("list")
            for i in items { walk(i) }
        case .identifier: expressions.insert("identifier")
        case .keys: expressions.insert("keys")
        case .member(let b, _):
            expressions.insert("member")
            walk(b)
        case .call(let f, let args):
            expressions.insert("call")
            expressions.insert("call:" + f.name)
            for a in args { walk(a) }
        case .unary(let op, let x):
            expressions.insert(op.rawValue)
            walk(x)
        case .binary(let op, let l, let r):
            expressions.insert(op.rawValue)
            walk(l)
            walk(r)
        case .keysWhere(let c):
            expressions.insert("keysWhere")
            walk(c)
        case .selector(let s):
            expressions.insert("selector")
            walk(s)
        case .projects: expressions.insert("projects")
        case .projectsWhere(let c):
            expressions.insert("projectsWhere")
            walk(c)
        }
    }
}
