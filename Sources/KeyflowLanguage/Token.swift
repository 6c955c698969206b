/// Reserved words of the language (docs/language.md §3.3: keywords are reserved).
public enum Keyword: String, Sendable, CaseIterable, Hashable {
    // statements
    case create, ensure, update, grant, revoke, delete, rotate, rollback, secret, ephemeral
    case show, list, print, `let`, param, use, assert, `for`, `if`, `else`
    // clauses
    case scopes, expire, description, name, id, grace, `as`, `where`, to, parallel
    case endpoint, project
    // selectors, sinks, operators, literals
    case all, keys, projects, file, env, run, stdout
    case and, or, not, has, `in`
    case `true`, `false`, now, never
}

/// The vocabulary the REPL completes and the TextMate grammar highlights.
public enum Vocabulary {
    /// Words that begin a statement.
    public static let statementKeywords: [String] = [
        "create", "ensure", "update", "grant", "revoke", "delete", "rotate", "rollback", "secret",
        "ephemeral", "show", "list", "print", "let", "param", "use", "assert", "for", "if", "else",
    ]
    /// Words that begin a clause (docs/language.md §6), plus the `to` of `secret to` and the
    /// clause words of `for` and `use`.
    public static let clauseKeywords: [String] = [
        "scopes", "expire", "description", "name", "id", "grace", "as", "secret", "to", "where",
        "parallel", "endpoint", "project",
    ]
    /// Other reserved words: selectors, sinks, operators and literals.
    public static let otherKeywords: [String] = [
        "all", "keys", "projects", "file", "env", "run", "stdout", "and", "or", "not", "has", "in",
        "true", "false", "now", "never",
    ]
    /// Every statement as it begins: the statement keywords (without `else`) and the
    /// two-word `in project` (docs/language.md §7.19).
    public static var statementOpenings: [String] { statementKeywords.filter { $0 != "else" } + ["in project"] }
    /// Every reserved word.
    public static var keywords: [String] { Keyword.allCases.map(\.rawValue) }
    /// Each clause as written, for the help line of a misspelt one.
    public static let clauseForms: [String: String] = [
        "scopes": "scopes [databases.read, users.read]", "expire": "expire in 90d", "description": "description \"text\"",
        "name": "name \"new-name\"", "id": "id \"key-id\"", "grace": "grace 1h", "as": "as k",
        "where": "where name ~ \"svc-*\"", "secret": "secret to file \"PATH\"",
    ]
    /// Words people write for a clause keyword (the near misses `nearest` does not find).
    public static let clauseMisspellings: [String: String] = [
        "scope": "scopes", "permissions": "scopes", "expires": "expire", "expiry": "expire", "expiration": "expire",
        "expires_in": "expire", "expire_in": "expire", "expiry_date": "expire", "grace_period": "grace",
        "graceperiod": "grace", "desc": "description", "descr": "description", "rename": "name", "named": "name",
        "secrets": "secret", "deliver": "secret",
    ]
    /// Units spelt as words, with the seconds each stands for.
    public static let unitWords: [String: Int] = [
        "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
        "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
        "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
        "d": 86400, "day": 86400, "days": 86400,
        "w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
        "month": 2_592_000, "months": 2_592_000, "year": 31_536_000, "years": 31_536_000,
    ]
    /// The builtin functions.
    public static let builtins: [String] = ["count", "env", "lines", "exists", "len"]
    /// What each builtin takes, as the argument-count diagnostic says it.
    public static let builtinArguments: [String: String] = [
        "count": "one list", "len": "one string or list", "env": "a variable name and an optional default",
        "lines": "one file path", "exists": "one key selector",
    ]
    /// Fields of a key value (`k.name`; bare inside `where`).
    public static let keyFields: [String] = [
        "id", "name", "scopes", "expire", "created", "updated", "accessed", "description", "secret",
    ]
    /// Fields of a project value (`p.name`; bare inside `projects where`).
    public static let projectFields: [String] = ["id", "name", "created", "updated"]
    /// Sink kinds after `secret to`.
    public static let sinks: [String] = ["file", "env", "run", "stdout"]
    /// Duration units, smallest first.
    public static let durationUnits: [(unit: Character, seconds: Int)] = [
        ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800),
    ]
}

public enum TokenKind: Sendable, Hashable {
    case identifier
    case keyword(Keyword)
    case int
    case duration
    case timestamp
    case string
    case lParen, rParen, lBracket, rBracket, lBrace, rBrace
    case comma, semicolon, dot, star, assign
    case equal, notEqual, less, lessEqual, greater, greaterEqual, plus, minus, tilde
    case newline
    case invalid
    case eof
}

/// One piece of a string literal as the lexer sees it.
public enum StringTokenPart: Sendable, Hashable {
    /// Literal text with escapes already decoded.
    case text(String, SourceRange)
    /// `${ ... }`: `inner` is the range of the expression between the braces.
    case interpolation(inner: SourceRange, whole: SourceRange)
}

/// A lexed value, when the token kind carries one.
public enum TokenPayload: Sendable, Hashable {
    case none
    case text(String)
    case int(Int)
    /// Total seconds.
    case duration(Int)
    case timestamp(Timestamp)
    case string([StringTokenPart])
}

/// An ISO-8601 instant written bare in a script.
public struct Timestamp: Sendable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let secondsSince1970: Int
    /// Fraction of a second, in nanoseconds.
    public let nanoseconds: Int

    public init(secondsSince1970: Int, nanoseconds: Int) {
        self.secondsSince1970 = secondsSince1970
        self.nanoseconds = nanoseconds
    }
}

public struct Token: Sendable, Hashable {
    public let kind: TokenKind
    public let range: SourceRange
    public let payload: TokenPayload

    public init(kind: TokenKind, range: SourceRange, payload: TokenPayload = .none) {
        self.kind = kind
        self.range = range
        self.payload = payload
    }

    /// Stable one-line text form: `KIND[payload] line:col-line:col`.
    public var dump: String {
        var s = kind.dumpName
        switch payload {
        case .none: break
        case .text(let t): s += "(\(t))"
        case .int(let v): s += "(\(v))"
        case .duration(let v): s += "(\(v)s)"
        case .timestamp(let t): s += "(\(t.secondsSince1970)" + (t.nanoseconds == 0 ? ")" : ".\(t.nanoseconds))")
        case .string(let parts):
            s += "("
            for part in parts {
                switch part {
                case .text(let t, _): s += quoted(t)
                case .interpolation(let inner, _): s += "${\(inner.start.offset)..<\(inner.end.offset)}"
                }
            }
            s += ")"
        }
        return s + " " + range.description
    }
}

extension TokenKind {
    /// Name used in text dumps and in "expected X" messages.
    public var dumpName: String {
        switch self {
        case .identifier: "identifier"
        case .keyword(let k): k.rawValue
        case .int: "int"
        case .duration: "duration"
        case .timestamp: "timestamp"
        case .string: "string"
        case .lParen: "("
        case .rParen: ")"
        case .lBracket: "["
        case .rBracket: "]"
        case .lBrace: "{"
        case .rBrace: "}"
        case .comma: ","
        case .semicolon: ";"
        case .dot: "."
        case .star: "*"
        case .assign: "="
        case .equal: "=="
        case .notEqual: "!="
        case .less: "<"
        case .lessEqual: "<="
        case .greater: ">"
        case .greaterEqual: ">="
        case .plus: "+"
        case .minus: "-"
        case .tilde: "~"
        case .newline: "newline"
        case .invalid: "invalid"
        case .eof: "end of input"
        }
    }

    /// Whether a line ending with this token continues on the next line (docs/language.md §3.2).
    var continuesLine: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .plus, .minus, .tilde,
            .comma, .assign:
            true
        case .keyword(let k): k == .and || k == .or || k == .not || k == .has || k == .in
        default: false
        }
    }
}

/// A string in double quotes with `"`, `\`, and control characters escaped: how keyflow
/// writes a string everywhere (diagnostics, `fmt`, plans, `print` of a list).
public func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "$": out += "$"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
