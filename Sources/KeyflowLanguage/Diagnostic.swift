/// A problem found in a script: the one diagnostic type of every stage.
/// Stages return `[Diagnostic]` beside their partial result; `DiagnosticRenderer` prints them.
public struct Diagnostic: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error, warning, note

        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
        var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
    }

    /// A secondary location that explains the diagnostic ("first defined here").
    public struct Note: Sendable, Hashable {
        public let message: String
        public let range: SourceRange?

        public init(_ message: String, range: SourceRange?) {
            self.message = message
            self.range = range
        }
    }

    public let severity: Severity
    /// Stable identifier, kebab-case (`unknown-scope`); tests and tools match on it.
    public let id: String
    /// One line, lower case, no final period.
    public let summary: String
    /// Optional longer explanation.
    public let detail: String?
    /// What to do about it ("did you mean databases.read?").
    public let help: String?
    public let range: SourceRange
    public let notes: [Note]

    public init(
        _ severity: Severity = .error, id: String, summary: String, detail: String? = nil, help: String? = nil,
        range: SourceRange, notes: [Note] = []
    ) {
        self.severity = severity
        self.id = id
        self.summary = summary
        self.detail = detail
        self.help = help
        self.range = range
        self.notes = notes
    }

    public var isError: Bool { severity == .error }
}

// MARK: - Lexical errors

extension Diagnostic {
    static func unexpectedCharacter(_ text: String, _ range: SourceRange, help: String?) -> Diagnostic {
        let shown = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F } ? "'\(text)'" : quoted(text)
        return Diagnostic(id: "unexpected-character", summary: "unexpected character \(shown)", help: help, range: range)
    }
    static func invalidUTF8(_ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "invalid-utf8", summary: "invalid UTF-8", help: "keyflow scripts are UTF-8 text", range: range)
    }
    static func unterminatedString(_ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "unterminated-string", summary: "unterminated string", help: "close the string with `\"` on the same line; strings never span lines", range: range)
    }
    static func unterminatedInterpolation(_ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "unterminated-interpolation", summary: "unterminated interpolation", help: "close `${` with `}` on the same line", range: range)
    }
    static func badEscape(_ range: SourceRange, help: String) -> Diagnostic {
        Diagnostic(id: "bad-escape", summary: "invalid escape sequence", help: help, range: range)
    }
    static func invalidNumber(_ range: SourceRange, help: String) -> Diagnostic {
        Diagnostic(id: "invalid-number", summary: "invalid number or duration", help: help, range: range)
    }
    static func numberTooLarge(_ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "number-too-large", summary: "number too large", range: range)
    }
    static func invalidTimestamp(_ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "invalid-timestamp", summary: "invalid timestamp", help: "write 2026-12-31, 2026-12-31T23:59:59Z or 2026-12-31T23:59:59.000+00:00", range: range)
    }
}

// MARK: - Syntax errors

extension Diagnostic {
    static func expected(_ what: String, found: Token, help: String? = nil) -> Diagnostic {
        Diagnostic(id: "expected", summary: "expected \(what), found \(found.kind.describedForMessage)", help: help, range: found.range)
    }
    static func unexpectedEndOfInput(_ what: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(id: "unexpected-end-of-input", summary: "unexpected end of input, expected \(what)", range: range)
    }
    static func notAStatement(_ found: Token) -> Diagnostic {
        Diagnostic(id: "expected-statement", summary: "expected a statement, found \(found.kind.describedForMessage)",
                   help: "statements begin with one of: " + Vocabulary.statementKeywords.filter { $0 != "else" }.joined(separator: ", "),
                   range: found.range)
    }
    static func tooDeeplyNested(_ range: SourceRange, limit: Int) -> Diagnostic {
        Diagnostic(id: "nesting-too-deep", summary: "nesting deeper than \(limit) levels", help: "split the expression or block", range: range)
    }
    static func badScopePattern(_ range: SourceRange, help: String) -> Diagnostic {
        Diagnostic(id: "bad-scope-pattern", summary: "invalid scope pattern", help: help, range: range)
    }
}

extension TokenKind {
    var describedForMessage: String {
        switch self {
        case .identifier: "an identifier"
        case .keyword(let k): "keyword `\(k.rawValue)`"
        case .int: "a number"
        case .duration: "a duration"
        case .timestamp: "a timestamp"
        case .string: "a string"
        case .newline: "end of line"
        case .eof: "end of input"
        case .invalid: "an invalid token"
        default: "`\(dumpName)`"
        }
    }
}
