import Foundation
import Testing
@testable import KeyflowLanguage

/// The TextMate grammar and the EBNF agree with the lexer and the parser.
struct GrammarFilesTests {
    func tmRepository() throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("grammar/keyflow.tmLanguage.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(object?["repository"] as? [String: [String: Any]])
    }

    /// The words of a `\b(a|b|c)\b` (or `\b(a|b)(?=\()`) match rule.
    func words(_ rule: [String: Any]?) -> [String] {
        guard let match = rule?["match"] as? String, let open = match.firstIndex(of: "("), let close = match.firstIndex(of: ")") else { return [] }
        return match[match.index(after: open)..<close].split(separator: "|").map(String.init)
    }

    @Test func vocabularyIsExactlyTheLexersKeywords() {
        let vocabulary = Vocabulary.statementKeywords + Vocabulary.clauseKeywords + Vocabulary.otherKeywords
        #expect(Set(vocabulary) == Set(Keyword.allCases.map(\.rawValue)))
        for word in Keyword.allCases.map(\.rawValue) {
            #expect(Lexer.tokenize(word).tokens.first?.kind == .keyword(Keyword(rawValue: word)!))
        }
    }

    @Test func textMateKeywordListsMatchTheLexer() throws {
        let repo = try tmRepository()
        #expect(words(repo["statement-keywords"]) == Vocabulary.statementKeywords)
        #expect(words(repo["clause-keywords"]) == Vocabulary.clauseKeywords)
        #expect(Set(words(repo["selector-and-sink-keywords"]) + words(repo["operator-keywords"]) + words(repo["constants"])) == Set(Vocabulary.otherKeywords))
        #expect(words(repo["builtin-call"]) == Vocabulary.builtins)
        let all = ["statement-keywords", "clause-keywords", "selector-and-sink-keywords", "operator-keywords", "constants"].flatMap { words(repo[$0]) }
        #expect(Set(all) == Set(Keyword.allCases.map(\.rawValue)))
    }

    @Test func textMateRegexesCompile() throws {
        for (name, rule) in try tmRepository() {
            for key in ["match", "begin", "end"] {
                guard let pattern = rule[key] as? String else { continue }
                #expect((try? NSRegularExpression(pattern: pattern)) != nil, "\(name).\(key)")
            }
        }
    }

    /// Every syntactic rule of the EBNF has its parseX() (sub-rules are handled by the
    /// function of the rule that uses them) and appears, word for word, in the comment
    /// directly above a parse function; no parse function carries a rule the EBNF lacks.
    @Test func parserFunctionsFollowTheEBNF() throws {
        let ebnf = try String(contentsOf: packageRoot.appendingPathComponent("grammar/keyflow.ebnf"), encoding: .utf8)
        let parser = try String(contentsOf: packageRoot.appendingPathComponent("Sources/KeyflowLanguage/Parser.swift"), encoding: .utf8)
        func normalize<S: StringProtocol>(_ s: S) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let noComments = ebnf.replacingOccurrences(of: #"\(\*[\s\S]*?\*\)"#, with: "", options: .regularExpression)
        let syntactic = String(try #require(noComments.range(of: "program ").map { noComments[$0.lowerBound...] }))
        let ruleRegex = try NSRegularExpression(pattern: #"(?m)^([A-Za-z]+)\s*=[\s\S]*?;\s*$"#)
        var rules: [String: String] = [:]
        for m in ruleRegex.matches(in: syntactic, range: NSRange(syntactic.startIndex..., in: syntactic)) {
            rules[String(syntactic[Range(m.range(at: 1), in: syntactic)!])] = normalize(syntactic[Range(m.range, in: syntactic)!])
        }
        #expect(rules.keys.sorted() == [
            "additive", "and", "argument", "assert", "block", "call", "clause", "clauses", "compareOp", "comparison",
            "create", "delete", "ensure", "ephemeral", "expr", "field", "for", "grant", "hasOperand", "if", "inProject", "let",
            "list", "listLiteral", "not", "or", "param", "postfix", "primary", "print", "program", "revoke",
            "rollback", "rotate", "scopeItem", "scopeList", "scopePattern", "scopeValue", "secret", "selector",
            "show", "sink", "statement", "unary", "update", "use",
        ])
        // Comment blocks directly above `mutating func parseX(`.
        var blocks: [String: String] = [:]
        let lines = parser.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() {
            guard let r = line.range(of: "mutating func parse"), let paren = line[r.upperBound...].firstIndex(of: "(") else { continue }
            let name = String(line[r.upperBound..<paren])
            var j = i - 1
            var comment: [Substring] = []
            while j >= 0, lines[j].trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                comment.insert(lines[j].trimmingCharacters(in: .whitespaces).dropFirst(2), at: 0)
                j -= 1
            }
            blocks[name] = normalize(comment.joined(separator: " "))
        }
        let subRules: Set<String> = ["compareOp", "field", "argument", "scopeList", "scopeItem"]
        for (rule, text) in rules.sorted(by: { $0.key < $1.key }) {
            let function = rule.prefix(1).uppercased() + rule.dropFirst()
            if !subRules.contains(rule) {
                #expect(blocks[function] != nil, "no parse\(function)() for rule \(rule)")
            }
            #expect(blocks.values.contains { $0.contains(text) }, "rule «\(text)» is not the comment of a parse function")
        }
        for (function, comment) in blocks where comment.contains(" = ") {
            let named = function.prefix(1).lowercased() + function.dropFirst()
            if rules[named] != nil { #expect(comment.contains(rules[named]!), "parse\(function)()") }
        }
    }
}
