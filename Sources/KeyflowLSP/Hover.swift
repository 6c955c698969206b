import KeyflowBasics
import KeyflowLanguage

/// `textDocument/hover`: a keyword's help (the one help source, what `keyflow help` and
/// the REPL's `:help` print), a scope's meaning from the catalogue, a builtin's arguments,
/// and where a variable is defined.
enum HoverFeature {
    /// The help text for a word of the language, or nil.
    static func helpText(_ word: String) -> String? {
        if let text = Help.text(word) { return text }
        switch word {
        case "to", "file", "env", "run", "stdout": return Help.text("sinks")
        case "all", "keys", "where", "id": return Help.text("selectors")
        default: return Help.text("expressions").flatMap { $0.contains("`\(word)`") || $0.contains(" \(word) ") ? $0 : nil }
        }
    }

    /// Help text shown as Markdown: a fenced block keeps its layout.
    static func markdown(_ text: String) -> String { "```\n" + text + "\n```" }

    static func hover(_ document: TextDocument, at position: Position) -> JSONValue {
        let offset = document.offset(of: position)
        let (tokens, _) = Lexer.tokenize(document.text, file: document.file)
        guard let index = tokens.firstIndex(where: { $0.range.start.offset <= offset && offset < $0.range.end.offset && $0.kind != .newline && $0.kind != .eof })
        else { return .null }
        let token = tokens[index]
        var text: String?
        var range = token.range
        switch token.kind {
        case .keyword(let k):
            var word = k.rawValue
            if k == .in, index + 1 < tokens.count, tokens[index + 1].kind == .keyword(.project) { word = "in project" }
            if k == .project, index > 0, tokens[index - 1].kind == .keyword(.in) { word = "in project" }
            text = helpText(word) ?? statementHelp(tokens, before: index)
        case .identifier:
            let (scope, scopeRange) = dottedWord(tokens, at: index)
            if let description = ScopeCatalogue.describe(scope) {
                text = "scope \(scope): \(description)"
                range = scopeRange
            } else if scope.contains("*"), case let matched = ScopeCatalogue.matching(scope), !matched.isEmpty {
                text = "scope pattern \(scope): " + matched.joined(separator: ", ")
                range = scopeRange
            } else if case .identifier = token.kind, case .text(let name) = token.payload, Vocabulary.builtins.contains(name),
                index + 1 < tokens.count, tokens[index + 1].kind == .lParen
            {
                text = helpText(name) ?? "\(name)(\(Vocabulary.builtinArguments[name] ?? "…"))"
            } else if let definition = DefinitionFeature.definition(document, at: offset) {
                let line = document.position(ofOffset: definition.start.offset).line + 1
                text = "defined on line \(line): " + definitionLine(document, definition)
            }
        default: break
        }
        guard let text else { return .null }
        return .object([
            ("contents", .object([("kind", .string("markdown")), ("value", .string(markdown(text)))])),
            ("range", document.rangeJSON(range)),
        ])
    }

    /// The help of the statement a clause keyword belongs to: the first keyword of its line.
    static func statementHelp(_ tokens: [Token], before index: Int) -> String? {
        let line = tokens[index].range.start.line
        for t in tokens[..<index].reversed() where t.range.start.line == line {
            if case .keyword(let k) = t.kind, Vocabulary.statementKeywords.contains(k.rawValue), let text = Help.text(k.rawValue) {
                return text
            }
        }
        return nil
    }

    /// `databases.read` or `users.*` around an identifier: the tokens joined by dots and stars.
    static func dottedWord(_ tokens: [Token], at index: Int) -> (String, SourceRange) {
        func joins(_ t: Token) -> Bool {
            switch t.kind {
            case .identifier, .dot, .star, .keyword: true
            default: false
            }
        }
        var first = index, last = index
        while first > 0, joins(tokens[first - 1]), tokens[first - 1].range.end.offset == tokens[first].range.start.offset { first -= 1 }
        while last + 1 < tokens.count, joins(tokens[last + 1]), tokens[last + 1].range.start.offset == tokens[last].range.end.offset { last += 1 }
        let range = tokens[first].range.union(tokens[last].range)
        return (tokens[first...last].map(spelling).joined(), range)
    }

    static func spelling(_ t: Token) -> String {
        switch t.kind {
        case .dot: "."
        case .star: "*"
        case .keyword(let k): k.rawValue
        default: if case .text(let s) = t.payload { s } else { "" }
        }
    }

    static func definitionLine(_ document: TextDocument, _ range: SourceRange) -> String {
        let line = document.line(ofOffset: range.start.offset)
        return String(decoding: document.bytes[document.lineStarts[line]..<document.lineEnd(line)], as: UTF8.self)
            .trimmingCharacters(in: .whitespaces)
    }
}
