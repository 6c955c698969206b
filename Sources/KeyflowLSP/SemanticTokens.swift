import KeyflowBasics
import KeyflowLanguage

/// `textDocument/semanticTokens/full`: the lexer's tokens and comments, classified — the
/// same words `grammar/keyflow.tmLanguage.json` highlights, for editors without it.
enum SemanticTokensFeature {
    /// The legend sent in `initialize`; a token's type is its index here.
    static let tokenTypes = ["keyword", "string", "number", "comment", "variable", "function", "property", "enumMember", "operator"]

    enum TokenType: Int {
        case keyword, string, number, comment, variable, function, property, enumMember, `operator`
    }

    static var legend: JSONValue {
        .object([("tokenTypes", .array(tokenTypes.map(JSONValue.string))), ("tokenModifiers", .array([]))])
    }

    static func full(_ document: TextDocument) -> JSONValue {
        var lexer = Lexer(bytes: document.bytes, file: document.file)
        var tokens: [Token] = []
        while true {
            let t = lexer.next()
            if t.kind == .eof { break }
            tokens.append(t)
        }
        var spans: [(start: Int, end: Int, type: TokenType)] = lexer.comments.map { ($0.range.start.offset, $0.range.end.offset, .comment) }
        for (i, t) in tokens.enumerated() {
            guard let type = classify(tokens, i) else { continue }
            spans.append((t.range.start.offset, t.range.end.offset, type))
        }
        spans.sort { $0.start < $1.start }
        // Relative encoding (LSP 3.17 "Semantic Tokens"): line delta, start delta, length, type, modifiers.
        var data: [JSONValue] = []
        var previous = Position(line: 0, character: 0)
        for span in spans where span.end > span.start {
            let start = document.position(ofOffset: span.start)
            let end = document.position(ofOffset: span.end)
            guard end.line == start.line else { continue }  // tokens never span lines; skip anything odd
            let deltaLine = start.line - previous.line
            let deltaStart = deltaLine == 0 ? start.character - previous.character : start.character
            data += [deltaLine, deltaStart, end.character - start.character, span.type.rawValue, 0].map { .integer(Int64($0)) }
            previous = start
        }
        return .object([("data", .array(data))])
    }

    static func classify(_ tokens: [Token], _ i: Int) -> TokenType? {
        let t = tokens[i]
        switch t.kind {
        case .keyword: return .keyword
        case .string: return .string
        case .int, .duration, .timestamp: return .number
        case .identifier:
            let next = i + 1 < tokens.count ? tokens[i + 1].kind : .eof
            let previous = i > 0 ? tokens[i - 1].kind : .eof
            if next == .lParen { return .function }
            if previous == .dot || next == .dot {
                let (word, _) = HoverFeature.dottedWord(tokens, at: i)
                if ScopeCatalogue.describe(word) != nil || (word.contains("*") && !ScopeCatalogue.matching(word).isEmpty) { return .enumMember }
                return previous == .dot ? .property : .variable
            }
            return .variable
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .plus, .minus, .tilde, .assign: return .operator
        default: return nil
        }
    }
}
