import KeyflowBasics
import KeyflowLanguage
import Testing

@testable import KeyflowREPL

@Suite struct CompletionTests {
    func complete(_ line: String, _ context: CompletionContext = CompletionContext()) -> Completion {
        Completer.complete(line: line, cursor: line.utf8.count, context: context)
    }

    @Test func statementKeywordsAtTheStart() {
        let c = complete("rot")
        #expect(c.start == 0)
        #expect(c.candidates == ["rotate"])
        #expect(complete("  {  cr").candidates == ["create"])
    }

    @Test func scopesOfAGroup() {
        let c = complete("grant \"ci\" databases.")
        #expect(c.start == 11)
        #expect(c.candidates == ScopeCatalogue.all.filter { $0.hasPrefix("databases.") }.sorted())
        #expect(c.candidates.contains("databases.read"))
        #expect(complete("create \"x\" scopes [users.r").candidates == ["users.read"])
    }

    @Test func scopeGroupFromAPartialWord() {
        let c = complete("grant k datab")
        #expect(c.commonPrefix == "databases.")
    }

    @Test func clauseKeywordsAfterAStatement() {
        let c = complete("create \"x\" sc")
        #expect(c.candidates.contains("scopes"))
        #expect(!c.candidates.contains("create"))
    }

    @Test func sinksAfterSecretTo() {
        #expect(complete("create \"x\" secret to ").candidates == ["env", "file", "run", "stdout"])
    }

    @Test func keyNamesInsideAString() {
        let context = CompletionContext(keyNames: ["Deployment Key", "Deploy bot", "ci"])
        let c = complete("show \"Dep", context)
        #expect(c.start == 6)
        #expect(c.candidates == ["Deploy bot\"", "Deployment Key\""])
        #expect(complete("rotate \"Deployment K", context).candidates == ["Deployment Key\""])
        // A path after `file` is not a key name.
        #expect(complete("secret k to file \"D", context).candidates.isEmpty)
    }

    @Test func variablesAndTheirFields() {
        let context = CompletionContext(variables: ["k": .key, "tenants": .other])
        #expect(complete("k.sc", context).candidates == ["k.scopes"])
        #expect(complete("print k.", context).candidates.count == Vocabulary.keyFields.count)
        #expect(complete("print ten", context).candidates == ["tenants"])
        #expect(complete("tenants.", context).candidates.isEmpty)
        #expect(complete("ro").candidates == ["rollback", "rotate"])
    }

    @Test func projectsAndInProject() {
        #expect(complete("in").candidates == ["in project"])
        #expect(complete("  { pro").candidates == ["projects"])
        #expect(complete("for p in proj").candidates.filter { !$0.contains(".") } == ["project", "projects"])
        let context = CompletionContext(variables: ["p": .project])
        #expect(complete("print p.", context).candidates == Vocabulary.projectFields.map { "p.\($0)" }.sorted())
        #expect(complete("p.cr", context).candidates == ["p.created"])
    }

    @Test func helpKnowsInProject() {
        #expect(REPLHelp.text(topic: "in")?.hasPrefix("in project — run a block against another project") == true)
        #expect(REPLHelp.text(topic: "in project") == REPLHelp.text(topic: "in"))
        #expect(REPLHelp.text(topic: nil)?.contains("\n  in project  run a block against another project") == true)
        #expect(REPL.expression("in project \"a\" { list }", Parser.parse(source: "", file: "r"), file: "r") == nil)
    }

    @Test func metaCommands() {
        #expect(complete(":").candidates == MetaCommand.names.sorted())
        #expect(complete(":hi").candidates == [":history"])
        #expect(complete(":plan o").candidates == ["off", "on"])
        let help = complete(":help rot")
        #expect(help.candidates == ["rotate"])
        #expect(help.start == 6)
    }
}

@Suite struct InputAssemblerTests {
    @Test func multiLineForIsCompleteAtItsBrace() {
        var a = InputAssembler()
        guard case .needsMore(.openBlock) = a.add("for n in [\"a\", \"b\"] {") else { Issue.record("expected an open block"); return }
        guard case .needsMore = a.add("  print n") else { Issue.record("expected more"); return }
        guard case .complete(let source, let parsed) = a.add("}") else { Issue.record("expected complete"); return }
        #expect(source == "for n in [\"a\", \"b\"] {\n  print n\n}")
        #expect(!parsed.hasErrors)
        #expect(a.isEmpty)
    }

    @Test func openBracketAndContinuingClause() {
        var a = InputAssembler()
        guard case .needsMore(.openBracket) = a.add("create \"x\" scopes [users.read,") else { Issue.record("expected open bracket"); return }
        guard case .complete(_, let parsed) = a.add("  teams.read]") else { Issue.record("expected complete"); return }
        #expect(!parsed.hasErrors)
        var b = InputAssembler()
        guard case .needsMore(.continuingClause) = b.add("let x = 1 +") else { Issue.record("expected a continuing clause"); return }
    }

    @Test func anOpenStringIsReportedAtOnce() {
        var a = InputAssembler()
        guard case .complete(_, let parsed) = a.add("print \"abc") else { Issue.record("expected complete"); return }
        #expect(parsed.hasErrors)
    }

    @Test func errorsAreComplete() {
        var a = InputAssembler()
        guard case .complete(_, let parsed) = a.add("create create") else { Issue.record("expected complete"); return }
        #expect(parsed.hasErrors)
    }
}

@Suite struct MetaCommandTests {
    @Test func parses() throws {
        #expect(try MetaCommand.parse(":help").get() == .help(topic: nil))
        #expect(try MetaCommand.parse(" :help rotate").get() == .help(topic: "rotate"))
        #expect(try MetaCommand.parse(":plan on").get() == .plan(on: true))
        #expect(try MetaCommand.parse(":plan off").get() == .plan(on: false))
        #expect(try MetaCommand.parse(":plan").get() == .plan(on: nil))
        #expect(try MetaCommand.parse(":history 5").get() == .history(count: 5))
        #expect(try MetaCommand.parse(":quit").get() == .quit)
        #expect(try MetaCommand.parse(":vars").get() == .vars)
        #expect(try MetaCommand.parse(":target").get() == .target)
    }

    @Test func rejectsWithTheCause() throws {
        #expect(throws: MetaCommandError.badArguments(":plan", usage: ":plan on|off")) { try MetaCommand.parse(":plan maybe").get() }
        #expect(throws: MetaCommandError.unknown(":hist", suggestion: ":history")) { try MetaCommand.parse(":hist").get() }
        #expect(throws: MetaCommandError.unknown(":hsitory", suggestion: ":history")) { try MetaCommand.parse(":hsitory").get() }
        #expect(throws: MetaCommandError.unknown(":zzz", suggestion: nil)) { try MetaCommand.parse(":zzz").get() }
        #expect(throws: MetaCommandError.badArguments(":history", usage: ":history [N]")) { try MetaCommand.parse(":history -1").get() }
    }
}
