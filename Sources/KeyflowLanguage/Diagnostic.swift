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

    /// The most diagnostics one script gets: past it, one `too-many-diagnostics` stands for
    /// the rest (a garbled file would otherwise print one per byte).
    public static let limit = 100

    /// `diagnostics` cut to `limit`, the last kept one saying how many were left out.
    public static func limited(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        guard diagnostics.count > limit else { return diagnostics }
        let rest = diagnostics[limit...]
        let errors = rest.filter(\.isError).count
        let stop = Diagnostic(
            errors > 0 ? .error : .warning, id: "too-many-diagnostics",
            summary: "\(rest.count) more diagnostics (\(errors) errors) not shown",
            help: "fix the ones above first", range: rest.first!.range)
        return Array(diagnostics.prefix(limit)) + [stop]
    }
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
                   help: "statements begin with one of: " + Vocabulary.statementOpenings.joined(separator: ", "),
                   range: found.range)
    }
    static func tooDeeplyNested(_ range: SourceRange, limit: Int) -> Diagnostic {
        Diagnostic(id: "nesting-too-deep", summary: "nesting deeper than \(limit) levels", help: "split the expression or block", range: range)
    }
    public static func cannotFormat(_ reason: String, _ range: SourceRange) -> Diagnostic {
        Diagnostic(
            id: "cannot-format", summary: "cannot format this script: its canonical layout would not parse (\(reason))",
            help: "give parts of the deepest expression names with `let`", range: range)
    }
    public static func scriptTooLarge(_ size: Int?, _ range: SourceRange) -> Diagnostic {
        let limit = SourceLimits.maxScriptBytes >> 20
        return Diagnostic(
            id: "script-too-large", summary: size.map { "script is \($0 >> 20) MiB, more than the \(limit) MiB limit" } ?? "script is longer than the \(limit) MiB limit",
            help: "split it into several scripts", range: range)
    }
    static func expressionTooDeep(_ range: SourceRange, limit: Int) -> Diagnostic {
        Diagnostic(
            id: "expression-too-deep", summary: "expression nested more than \(limit) deep",
            help: "split it: give parts of it names with `let`", range: range)
    }
    static func badScopePattern(_ range: SourceRange, help: String) -> Diagnostic {
        Diagnostic(id: "bad-scope-pattern", summary: "invalid scope pattern", help: help, range: range)
    }
}

// MARK: - The common mistakes (docs/language.md §3, §6): each says what was meant

extension Diagnostic {
    /// A word after a statement that is a near miss of a clause keyword (`scope`, `expires`).
    static func unknownClause(_ word: String, meant clause: String, _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "unknown-clause", summary: "unknown clause `\(word)` — did you mean `\(clause)`?",
                   help: "write it `\(Vocabulary.clauseForms[clause] ?? clause)`", range: range)
    }
    /// A number followed by a unit spelt as a word (`90 days`), or a duration split by a space.
    static func unitAsWord(written: String, meant: String, _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "unit-as-word", summary: "write the duration `\(meant)`, not `\(written)`",
                   help: "a duration is a number glued to its unit, s, m, h, d or w: 90d, 1h30m, 15m", range: range)
    }
    /// A keyword where a variable's name goes (`for env in …`).
    static func reservedName(_ word: String, _ range: SourceRange) -> Diagnostic {
        let alternative = ["env": "environment", "list": "items", "keys": "found", "name": "key_name", "id": "key_id",
                           "file": "path", "project": "proj", "projects": "found", "all": "everything", "to": "target",
                           "scopes": "wanted", "expire": "expiry", "in": "item", "key": "k"][word] ?? "my_\(word)"
        return Diagnostic(id: "reserved-name", summary: "`\(word)` is a reserved word and cannot name a variable",
                          help: "choose another name, for example `\(alternative)`", range: range)
    }
    /// A second sink written without its own `secret to` (`secret to file "a" stdout`).
    static func sinkNeedsSecretTo(_ found: Token, _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "sink-needs-secret-to", summary: "expected end of statement, found \(found.kind.describedForMessage) after a sink",
                   help: "each sink has its own `secret to`: secret to file \"a.key\" secret to stdout", range: range)
    }
    /// A key name with a hyphen written without quotes (`ensure svc-e`), read as a subtraction.
    static func unquotedName(_ text: String, _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "unquoted-name", summary: "undefined name `\(text)`",
                   help: "a key's name is a string in quotes: \(quoted(text))", range: range)
    }
    /// A clause on the `secret` statement, which only delivers.
    static func clauseOnSecret(_ keyword: String, _ range: SourceRange) -> Diagnostic {
        let target = keyword == "grace" ? "rotate" : "update"
        return Diagnostic(id: "misplaced-clause", summary: "`\(keyword)` does not apply to `secret`",
                          help: "`secret SEL to SINK` only delivers a secret; to change the key write it on its own line: "
                              + "\(target) \"NAME\" \(Vocabulary.clauseForms[keyword] ?? keyword)", range: range)
    }
    /// `keyflow plan lifetime=30d s.kf`: a parameter where the script belongs.
    public static func parameterBeforeScript(_ argument: String, command: String, script: String?, parameters: [String], _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "parameter-before-script", summary: "`\(argument)` is a parameter, but the script comes first",
                   help: "write parameters after the script: keyflow \(command) \(([script ?? "SCRIPT.kf"] + parameters).joined(separator: " "))", range: range)
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

// MARK: - Check errors

extension Diagnostic {
    static func didYouMean(_ suggestion: String?) -> String? { suggestion.map { "did you mean \($0)?" } }

    static func undefinedName(_ name: String, _ range: SourceRange, suggestion: String?) -> Diagnostic {
        Diagnostic(id: "undefined-name", summary: "undefined name `\(name)`",
                   help: suggestion.map { "did you mean `\($0)`?" } ?? "define it first with `let \(name) = ...` or `param \(name)`", range: range)
    }
    static func redefinition(_ name: String, _ range: SourceRange, previous: SourceRange?) -> Diagnostic {
        Diagnostic(id: "redefinition", summary: "`\(name)` is already defined", help: "variables cannot be reassigned; choose another name",
                   range: range, notes: previous.map { [Note("`\(name)` first defined here", range: $0)] } ?? [])
    }
    static func shadowedName(_ name: String, _ range: SourceRange, previous: SourceRange?) -> Diagnostic {
        Diagnostic(id: "shadowed-name", summary: "`\(name)` shadows an outer definition", help: "choose another name",
                   range: range, notes: previous.map { [Note("outer `\(name)` defined here", range: $0)] } ?? [])
    }
    static func duplicateClause(_ keyword: String, _ range: SourceRange, previous: SourceRange) -> Diagnostic {
        Diagnostic(id: "duplicate-clause", summary: "duplicate `\(keyword)` clause", help: "give each clause at most once",
                   range: range, notes: [Note("first given here", range: previous)])
    }
    static func misplacedClause(_ keyword: String, statement: String, _ range: SourceRange, allowed: [String]) -> Diagnostic {
        Diagnostic(id: "misplaced-clause", summary: "`\(keyword)` does not apply to `\(statement)`",
                   help: allowed.isEmpty ? "`\(statement)` takes no clauses" : "`\(statement)` takes: " + allowed.joined(separator: ", "), range: range)
    }
    public static func missingClause(_ keyword: String, statement: String, _ range: SourceRange, help: String) -> Diagnostic {
        Diagnostic(id: "missing-clause", summary: "`\(statement)` needs \("aeiou".contains(keyword.first!) ? "an" : "a") `\(keyword)` clause", help: help, range: range)
    }
    static func typeMismatch(expected: String, found: ValueType, _ range: SourceRange, help: String? = nil) -> Diagnostic {
        Diagnostic(id: "type-mismatch", summary: "expected \(expected), found \(article(found))", help: help, range: range)
    }
    static func badOperands(_ op: String, _ left: ValueType, _ right: ValueType, _ range: SourceRange, help: String? = nil) -> Diagnostic {
        Diagnostic(id: "bad-operands", summary: "`\(op)` cannot combine \(article(left)) and \(article(right))", help: help, range: range)
    }
    static func unknownScope(_ text: String, _ range: SourceRange, suggestion: String?) -> Diagnostic {
        Diagnostic(id: "unknown-scope", summary: "unknown scope \(text)" + (suggestion.map { " — did you mean \($0)?" } ?? ""),
                   help: suggestion == nil ? "scopes are listed in the scope catalogue (data/scopes.txt)" : nil, range: range)
    }
    static func patternMatchesNothing(_ text: String, _ range: SourceRange, suggestion: String?) -> Diagnostic {
        Diagnostic(id: "pattern-matches-nothing", summary: "scope pattern \(text) matches no scope",
                   help: didYouMean(suggestion) ?? "scopes are listed in the scope catalogue (data/scopes.txt)", range: range)
    }
    public static func parallelOutOfRange(_ value: Int, _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "parallel-out-of-range", summary: "parallel \(value) is out of range", help: "use a value from 1 to 64", range: range)
    }
    public static func ephemeralExpiry(_ range: SourceRange, found: String) -> Diagnostic {
        Diagnostic(id: "ephemeral-expiry", summary: "an ephemeral key's expiry must be `in` a duration of 1s to 1h, found \(found)",
                   help: "write for example `expire in 15m`", range: range)
    }
    /// A `create` of a name an active key already has (a warning; an error under `--strict`).
    public static func duplicateName(_ name: String, existing id: String, strict: Bool, _ range: SourceRange) -> Diagnostic {
        Diagnostic(
            strict ? .error : .warning, id: "duplicate-name", summary: "an active key is already named \(quoted(name)) (\(id))",
            detail: "a second key of this name makes every later selector of the name ambiguous",
            help: "use `ensure` to converge the existing key, or choose another name", range: range)
    }
    /// A bulk selector of a mutating statement that matches every key of the project.
    public static func everyKeySelected(statement: String, count: Int, project: String, _ range: SourceRange) -> Diagnostic {
        Diagnostic(
            .warning, id: "every-key-selected",
            summary: "`\(statement)` selects every key of project \(quoted(project)) (\(count) key\(count == 1 ? "" : "s"))",
            detail: "a condition that matches every key is often a typo or a pattern wider than meant",
            help: "narrow the `where` condition, or check the plan's list of keys", range: range)
    }
    /// The keys behind a failed assertion's `count(keys where …)`: at most 10 by name and
    /// id, then how many more.
    public static func offendingKeys(_ keys: [(name: String, id: String)], condition: String) -> String {
        let shown = keys.prefix(10).map { "\(quoted($0.name)) (\($0.id))" }.joined(separator: ", ")
        let more = keys.count > 10 ? " and \(keys.count - 10) more" : ""
        return "\(keys.count) key\(keys.count == 1 ? "" : "s") where \(condition): \(shown)\(more)"
    }
    public static func missingEphemeralExpiry(_ range: SourceRange) -> Diagnostic {
        missingClause("expire", statement: "ephemeral", range, help: "ephemeral keys live 1s to 1h: expire in 15m")
    }
    /// A `name=value` whose text is not a value of the parameter's type (known at run time only).
    public static func parameterType(_ name: String, expected: String, example: String?, got: String, _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "parameter-type", summary: "parameter `\(name)` expects \(expected), got \(got)",
                   help: example.map { "for example \(name)=\($0)" }, range: range)
    }
    public static func missingParameter(_ name: String, _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "missing-parameter", summary: "parameter `\(name)` is required", help: "pass \(name)=VALUE on the command line, or give it a default", range: range)
    }
    public static func unknownParameter(_ name: String, _ range: SourceRange, suggestion: String?) -> Diagnostic {
        Diagnostic(id: "unknown-parameter", summary: "the script has no parameter `\(name)`", help: suggestion.map { "did you mean `\($0)`?" }, range: range)
    }
    public static func unknownFunction(_ name: String, _ range: SourceRange, suggestion: String?) -> Diagnostic {
        Diagnostic(id: "unknown-function", summary: "unknown function `\(name)`",
                   help: suggestion.map { "did you mean `\($0)`?" } ?? "the builtins are " + Vocabulary.builtins.joined(separator: ", "), range: range)
    }
    /// A builtin called with the wrong number of arguments (what each takes: `Vocabulary.builtinArguments`).
    public static func wrongArgumentCount(_ name: String, got: Int, _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "argument-count", summary: "`\(name)` takes \(Vocabulary.builtinArguments[name] ?? "other arguments")", range: range)
    }
    public static func unknownField(_ field: String, _ range: SourceRange, suggestion: String?) -> Diagnostic {
        Diagnostic(id: "unknown-field", summary: "a key has no field `\(field)`",
                   help: suggestion.map { "did you mean `\($0)`?" } ?? "key fields are " + Vocabulary.keyFields.joined(separator: ", "), range: range)
    }
    public static func unknownProjectField(_ field: String, _ range: SourceRange, suggestion: String?) -> Diagnostic {
        Diagnostic(id: "unknown-field", summary: "a project has no field `\(field)`",
                   help: suggestion.map { "did you mean `\($0)`?" } ?? "project fields are " + Vocabulary.projectFields.joined(separator: ", "), range: range)
    }
    static func noFields(_ type: ValueType, _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "no-fields", summary: "\(article(type)) has no fields", help: "only keys and projects have fields", range: range)
    }
    static func secretInString(_ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "secret-in-string", summary: "a secret cannot be put in a string", help: "deliver secrets through a sink: secret to file/env/run/stdout", range: range)
    }
    static func misplacedStatement(_ keyword: String, _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "misplaced-statement", summary: "`\(keyword)` must be at the top level of the script", help: "move it out of the block", range: range)
    }
    static func computedTarget(_ what: String, _ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "computed-target", summary: "`use` takes \(what) as a plain string literal",
                   help: "the target is chosen before the script runs; to choose it per run, use --project/--endpoint, a context (--context) or APPWRITE_PROJECT_ID/APPWRITE_ENDPOINT", range: range)
    }
    static func bulkBinding(_ range: SourceRange) -> Diagnostic {
        Diagnostic(id: "bulk-binding", summary: "`as` names one key, but this statement may act on many",
                   help: "use `key` inside the clauses, or loop with `for k in keys where ...`", range: range)
    }
    public static func invalidValue(_ summary: String, _ range: SourceRange, help: String?) -> Diagnostic {
        Diagnostic(id: "invalid-value", summary: summary, help: help, range: range)
    }
}

/// "a string", "an expiry", "a list of keys".
func article(_ t: ValueType) -> String {
    let s = t.description
    if t == .unknown { return "a value of unknown type" }
    return ("aeiou".contains(s.first!) ? "an " : "a ") + s
}
