import Testing
@testable import KeyflowLanguage

/// `projects`, `projects where`, project values and `in project` (docs/language.md §4.5,
/// §7.19, §8.4): parser, checker and formatter.
struct ProjectFormsTests {
    func parse(_ source: String) -> ParseResult { Parser.parse(source: source, file: "p.kf") }

    func check(_ source: String) -> CheckResult {
        let parsed = parse(source)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics.map(\.summary))")
        return Checker.check(parsed.program)
    }

    func fmt(_ source: String) -> String {
        let (out, diagnostics) = Formatter.format(source: source, file: "p.kf")
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.summary))")
        return out ?? ""
    }

    // MARK: - Parser

    @Test(arguments: [
        ("print projects", "(print projects)"),
        ("let p = projects where name ~ \"prod-*\" and created < now",
         "(let p (projects-where (and (~ name \"prod-*\") (< created now))))"),
        ("print count(projects where id in [\"a\"])", "(print (call count (projects-where (in id (list \"a\")))))"),
        ("in project \"abc\" { list }", "(in-project \"abc\" {(list)})"),
        ("in project p.id {\n  show \"ci\"\n}", "(in-project (. p id) {(show (named \"ci\"))})"),
        ("for p in projects parallel 4 { in project p { in project \"x\" { list } } }",
         "(for p projects (parallel 4) {(in-project p {(in-project \"x\" {(list)})})})"),
        ("if true { in project \"x\" { list } }", "(if (branch true {(in-project \"x\" {(list)})}))"),
    ])
    func parses(source: String, dump: String) {
        let r = parse(source)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map(\.summary))")
        #expect(r.program.dump == dump)
    }

    @Test func rangesCoverTheWholeForm() throws {
        let source = "in project \"abc\" {\n  list\n}\nprint projects where name == \"a\""
        let r = parse(source)
        #expect(r.diagnostics.isEmpty)
        let first = r.program.statements[0]
        #expect(first.keyword == "in project")
        #expect(first.range.start.offset == 0 && first.range.end.offset == 27)
        guard case .inProject(let project, let body) = first.kind else { Issue.record("not in project"); return }
        #expect(project.range.start.offset == 11 && project.range.end.offset == 16)
        #expect(body.range.start.offset == 17 && body.range.end.offset == 27)
        guard case .print(let values) = r.program.statements[1].kind, case .projectsWhere(let cond) = values[0].kind else {
            Issue.record("not projects where")
            return
        }
        #expect(values[0].range.start.offset == 34 && values[0].range.end.offset == source.utf8.count)
        #expect(cond.range.start.offset == 49)
    }

    @Test func aLineStartingWithInProjectEndsAnOpenBracket() {
        let r = parse("print [1,\nin project \"x\" {\n  list\n}")
        #expect(r.program.statements.last?.keyword == "in project")
    }

    @Test func syntaxErrorsRecoverAndHelp() {
        let typo = parse("in projet \"a\" { list }\nlist")
        #expect(typo.diagnostics.map(\.summary) == ["expected `project`, found an identifier"])
        #expect(typo.diagnostics.first?.help == "did you mean `in project`?")
        #expect(typo.program.statements.map(\.keyword) == ["list"])
        let plural = parse("in projects { list }")
        #expect(plural.diagnostics.first?.help?.contains("for p in projects") == true)
        let singular = parse("for p in project { list }")
        #expect(singular.diagnostics.first?.help == "did you mean `projects`, the organization's projects?")
        #expect(parse("in project \"a\" {").incomplete == .openBlock)
    }

    // MARK: - Checker

    @Test func typesOfProjectsAndTheirFields() {
        let r = check("""
            let every = projects
            let some = projects where name ~ "a*" and updated > created
            for p in projects {
              let i = p.id
              let n = p.name
              let c = p.created
              let u = p.updated
            }
            """)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map(\.summary))")
        #expect(r.bindings["every"] == .list(.project))
        #expect(r.bindings["some"] == .list(.project))
        #expect(ValueType.project.description == "project")
        #expect(ValueType.projectField("created") == .time && ValueType.projectField("name") == .string)
        #expect(ValueType.projectField("scopes") == nil)
    }

    @Test func projectFieldsAreBareOnlyInsideProjectsWhere() {
        #expect(check("print projects where created < now").diagnostics.isEmpty)
        // A key's fields are not a project's.
        #expect(check("print projects where expire < now").diagnostics.map(\.summary) == ["undefined name `expire`"])
        // The innermost `where` decides: keys inside projects, projects inside keys.
        #expect(check("print projects where count(keys where scopes has keys.read) > 0").diagnostics.isEmpty)
        #expect(check("print keys where name in [\"a\"] and count(projects where id == \"p\") > 0").diagnostics.isEmpty)
        #expect(check("print created").diagnostics.map(\.summary) == ["undefined name `created`"])
    }

    @Test func unknownProjectFieldSuggests() {
        let r = check("for p in projects { print p.nam }")
        #expect(r.diagnostics.map(\.summary) == ["a project has no field `nam`"])
        #expect(r.diagnostics.first?.help == "did you mean `name`?")
        let other = check("for p in projects { print p.scopes }")
        #expect(other.diagnostics.first?.help == "project fields are id, name, created, updated")
    }

    @Test func projectsTypoSuggestsTheKeyword() {
        let r = check("print count(projcts)")
        #expect(r.diagnostics.map(\.summary) == ["undefined name `projcts`"])
        #expect(r.diagnostics.first?.help == "did you mean `projects`?")
        // A nearer variable still wins.
        let v = check("let projectz = 1\nprint projectx")
        #expect(v.diagnostics.first?.help == "did you mean `projectz`?")
    }

    @Test func inProjectTakesAProjectOrAnId() {
        #expect(check("in project \"abc\" { list }").diagnostics.isEmpty)
        #expect(check("for p in projects { in project p { list } }").diagnostics.isEmpty)
        #expect(check("for p in projects { in project p.id { list } }").diagnostics.isEmpty)
        let list = check("in project projects { list }")
        #expect(list.diagnostics.map(\.summary) == ["expected a project or a project id (a string), found a list of project"])
        #expect(list.diagnostics.first?.help?.contains("for p in projects") == true)
        #expect(check("in project 1d { list }").diagnostics.map(\.id) == ["type-mismatch"])
    }

    @Test func inProjectIsABlock() {
        // Its names are local; param and use stay at the top level; nesting and for/if are fine.
        let r = check("""
            in project "a" {
              let x = 1
              param p
              use project "b"
              in project "c" {
                print x
              }
            }
            print x
            for p in projects parallel 8 {
              if true { in project p { rotate "k" grace 1h } }
            }
            """)
        #expect(r.diagnostics.map(\.summary) == [
            "`param` must be at the top level of the script",
            "`use` must be at the top level of the script",
            "undefined name `x`",
        ])
    }

    // MARK: - Formatter

    @Test func canonicalLayout() {
        let source = """
            in   project   "a"   {   list
            # inside
            in project p.id {show "ci"}
            }
            let ps = projects   where name~"x*"
            """
        let once = fmt(source)
        #expect(once == """
            in project "a" {
              list
              # inside
              in project p.id {
                show "ci"
              }
            }
            let ps = projects where name ~ "x*"

            """)
        #expect(fmt(once) == once)
    }

    @Test func projectsWhereInsideOperatorsKeepsItsMeaning() {
        let source = "print count(projects where id == \"a\"), (projects where name == \"b\")\nfor p in projects where name ~ \"a\" { print p.id }"
        let once = fmt(source)
        #expect(parse(once).program.dump == parse(source).program.dump)
        #expect(fmt(once) == once)
    }
}
