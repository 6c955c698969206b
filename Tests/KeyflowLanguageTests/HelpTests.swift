import Foundation
import Testing
@testable import KeyflowLanguage

/// One example of one help topic, for a parameterised test.
struct HelpExample: Sendable, CustomTestStringConvertible {
    let topic: String
    let index: Int
    let source: String
    var testDescription: String { "help \(topic) example \(index + 1)" }
}

/// The help text (Sources/KeyflowLanguage/Help.swift): its examples check, and it covers
/// every statement of the grammar, every clause keyword and every builtin.
struct HelpTests {
    static let examples: [HelpExample] = Help.topics.flatMap { name in
        (Help.topic(name)?.examples ?? []).enumerated().map { HelpExample(topic: name, index: $0.offset, source: $0.element) }
    }

    @Test(arguments: examples)
    func exampleChecksClean(example: HelpExample) {
        let (program, diagnostics) = compile(source: example.source, file: "help")
        #expect(diagnostics.isEmpty, "\(DiagnosticRenderer(sources: ["help": Array(example.source.utf8)]).render(diagnostics))")
        #expect(program != nil)
    }

    /// The statement rules of grammar/keyflow.ebnf, by the words they begin with
    /// (`inProject = "in" , "project" …` gives `in project`).
    static func grammarStatements() throws -> [String] {
        let ebnf = try String(contentsOf: packageRoot.appendingPathComponent("grammar/keyflow.ebnf"), encoding: .utf8)
        let noComments = ebnf.replacingOccurrences(of: #"\(\*[\s\S]*?\*\)"#, with: "", options: .regularExpression)
        let statement = try #require(noComments.range(of: #"statement\s*=[^;]*;"#, options: .regularExpression).map { noComments[$0] })
        let rules = statement.split(separator: "=", maxSplits: 1)[1].split(whereSeparator: { "|;\n ".contains($0) })
        return try rules.map { rule in
            let definition = try #require(noComments.range(of: #"(?m)^\#(rule)\s*=\s*("[a-z]+"\s*,\s*)+"#, options: .regularExpression).map { noComments[$0] }, "\(rule)")
            let words = definition.split(separator: "=", maxSplits: 1)[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return words.filter { $0.hasPrefix("\"") }.map { String($0.dropFirst().dropLast()) }
                .prefix(while: { rule != "inProject" || ["in", "project"].contains($0) }).prefix(rule == "inProject" ? 2 : 1)
                .joined(separator: " ")
        }
    }

    @Test func everyStatementOfTheGrammarHasATopic() throws {
        let statements = try Self.grammarStatements()
        #expect(statements.count == 20)
        #expect(statements.contains("in project") && statements.contains("rotate"))
        for s in statements {
            #expect(Help.topics.contains(s), "no help topic for the statement `\(s)`")
            #expect(Help.topic(s)?.form != nil && Help.topic(s)?.examples.isEmpty == false, "`\(s)` needs a form and an example")
        }
    }

    @Test func everyKeywordClauseAndBuiltinLeadsToHelp() {
        for word in Vocabulary.statementKeywords + Vocabulary.clauseKeywords + Vocabulary.builtins + Vocabulary.sinks {
            #expect(Help.text(word) != nil, "no help for `\(word)`")
        }
        for topic in ["sinks", "selectors", "expressions", "credentials", "exit-codes", "builtins"] {
            #expect(Help.topics.contains(topic))
        }
        #expect(Help.topic("else")?.name == "if")
        #expect(Help.topic("In  Project")?.name == "in project")
        #expect(Help.text("rotat") == nil)
    }

    @Test func theIndexListsEveryTopicOnce() {
        let listed = Help.groups.flatMap(\.topics)
        #expect(listed.sorted() == Help.topics.sorted())
        #expect(Set(Help.topics).count == Help.topics.count)
        for name in Help.topics { #expect(Help.index.contains("\n  \(name) "), "\(name)") }
    }

    @Test func nearMissesAreSuggested() {
        #expect(Help.suggestion(for: "rotat") == "rotate")
        #expect(Help.suggestion(for: "sinsk") == "sinks")
        #expect(Help.suggestion(for: "exitcodes") == "exit-codes")
        #expect(Help.suggestion(for: "expiry") == "expire")
        #expect(Help.suggestion(for: "zzzzzz") == nil)
    }

    @Test func aTopicReadsAsFormBodyExamplesAndReference() throws {
        let text = try #require(Help.text("rotate"))
        #expect(text.hasPrefix("rotate — replace keys by successors"))
        #expect(text.contains("\n  rotate SELECTOR [grace D] [expire E] [as VAR] [secret to SINK]…\n"))
        #expect(text.contains("Examples:\n  rotate \"Deployment Key\" grace 1h"))
        #expect(text.hasSuffix("Reference: docs/language.md §7.6, §10\n"))
        // Every section a topic cites exists in docs/language.md.
        let page = LanguageDoc.text
        for name in Help.topics {
            for section in Help.topic(name)!.section.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                #expect(page.contains("## \(section) ") || page.contains("### \(section) "), "\(name) cites \(section)")
            }
        }
    }
}
