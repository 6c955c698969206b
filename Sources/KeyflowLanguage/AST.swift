// The syntax tree: immutable values, every node with its source range.
// Changes after the first release are additive only (the runtime and REPL build on it).

/// A parsed script.
public struct Program: Sendable, Hashable {
    public let statements: [Statement]
    public let range: SourceRange
    /// Comments, in source order (the formatter keeps them).
    public let comments: [Comment]

    public init(statements: [Statement], range: SourceRange, comments: [Comment] = []) {
        self.statements = statements
        self.range = range
        self.comments = comments
    }
}

/// A name as written, with its range (`let NAME`, `as NAME`, `k.NAME`).
public struct Identifier: Sendable, Hashable {
    public let name: String
    public let range: SourceRange

    public init(name: String, range: SourceRange) {
        self.name = name
        self.range = range
    }
}

/// `{ statements }`.
public struct Block: Sendable, Hashable {
    public let statements: [Statement]
    public let range: SourceRange

    public init(statements: [Statement], range: SourceRange) {
        self.statements = statements
        self.range = range
    }
}

// MARK: - Statements

public struct Statement: Sendable, Hashable {
    public let kind: Kind
    public let range: SourceRange

    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    public indirect enum Kind: Sendable, Hashable {
        /// `create NAME-EXPR clauses`
        case create(name: Expr, clauses: [Clause])
        /// `ensure NAME-EXPR clauses`
        case ensure(name: Expr, clauses: [Clause])
        /// `update SEL clauses`
        case update(target: Selector, clauses: [Clause])
        /// `grant SEL SCOPES`
        case grant(target: Selector, scopes: Expr, clauses: [Clause])
        /// `revoke SEL SCOPES`
        case revoke(target: Selector, scopes: Expr, clauses: [Clause])
        /// `delete SEL`
        case delete(target: Selector, clauses: [Clause])
        /// `rotate SEL clauses`
        case rotate(target: Selector, clauses: [Clause])
        /// `rollback SEL` (undo a rotation still in its grace window)
        case rollback(target: Selector, clauses: [Clause])
        /// `secret SEL to SINK` — the first `to SINK` is a `.secretTo` clause.
        case secret(target: Selector, clauses: [Clause])
        /// `ephemeral clauses`
        case ephemeral(clauses: [Clause])
        /// `show SEL`
        case show(target: Selector, clauses: [Clause])
        /// `list [where COND]`
        case list(clauses: [Clause])
        /// `print EXPR, ...`
        case print([Expr])
        /// `let NAME = EXPR`
        case `let`(name: Identifier, value: Expr)
        /// `param NAME [= EXPR]`
        case param(name: Identifier, defaultValue: Expr?)
        /// `use endpoint "URL" project "ID"` (either part may be absent)
        case use(endpoint: Expr?, project: Expr?)
        /// `assert COND [, MESSAGE]`
        case assert(condition: Expr, message: Expr?)
        /// `for NAME in EXPR [parallel N] { ... }`
        case `for`(variable: Identifier, sequence: Expr, parallel: Expr?, body: Block)
        /// `if COND { } else if COND { } else { }`
        case `if`(branches: [ConditionalBranch], elseBlock: Block?)
        /// `in project EXPR { ... }` — the block acts on another project of the
        /// organization. EXPR is a `project` value or a project id (a string).
        case inProject(project: Expr, body: Block)
    }

    /// The clauses of a statement that has them (empty otherwise).
    public var clauses: [Clause] {
        switch kind {
        case .create(_, let c), .ensure(_, let c), .update(_, let c), .grant(_, _, let c), .revoke(_, _, let c),
            .delete(_, let c), .rotate(_, let c), .rollback(_, let c), .secret(_, let c), .show(_, let c):
            c
        case .ephemeral(let c), .list(let c): c
        default: []
        }
    }

    /// The statement keyword (`create`, `for`, ...).
    public var keyword: String {
        switch kind {
        case .create: "create"
        case .ensure: "ensure"
        case .update: "update"
        case .grant: "grant"
        case .revoke: "revoke"
        case .delete: "delete"
        case .rotate: "rotate"
        case .rollback: "rollback"
        case .secret: "secret"
        case .ephemeral: "ephemeral"
        case .show: "show"
        case .list: "list"
        case .print: "print"
        case .let: "let"
        case .param: "param"
        case .use: "use"
        case .assert: "assert"
        case .for: "for"
        case .if: "if"
        case .inProject: "in project"
        }
    }
}

/// `if COND { ... }` or `else if COND { ... }`.
public struct ConditionalBranch: Sendable, Hashable {
    public let condition: Expr
    public let body: Block
    public let range: SourceRange

    public init(condition: Expr, body: Block, range: SourceRange) {
        self.condition = condition
        self.body = body
        self.range = range
    }
}

// MARK: - Clauses

/// One clause of a statement, in source order. A statement keeps every clause it was
/// written with (duplicates and misplaced ones included); the checker judges them.
public struct Clause: Sendable, Hashable {
    public let kind: Kind
    /// The whole clause, keyword included.
    public let range: SourceRange
    /// The clause keyword(s) alone (`secret to` for a sink).
    public let keywordRange: SourceRange

    public init(_ kind: Kind, range: SourceRange, keywordRange: SourceRange) {
        self.kind = kind
        self.range = range
        self.keywordRange = keywordRange
    }

    public enum Kind: Sendable, Hashable {
        case scopes(Expr)
        case expire(Expr)
        case description(Expr)
        case name(Expr)
        case id(Expr)
        case grace(Expr)
        case `as`(Identifier)
        case secretTo(Sink)
        case `where`(Expr)
    }

    /// The clause keyword as written in messages (`secret to`).
    public var keyword: String { kind.keyword }
}

extension Clause.Kind {
    public var keyword: String {
        switch self {
        case .scopes: "scopes"
        case .expire: "expire"
        case .description: "description"
        case .name: "name"
        case .id: "id"
        case .grace: "grace"
        case .as: "as"
        case .secretTo: "secret to"
        case .where: "where"
        }
    }
}

/// Convenient access to a statement's clauses (the first of each kind).
extension Array where Element == Clause {
    public var scopes: Expr? { firstValue { if case .scopes(let e) = $0 { e } else { nil } } }
    public var expire: Expr? { firstValue { if case .expire(let e) = $0 { e } else { nil } } }
    public var keyDescription: Expr? { firstValue { if case .description(let e) = $0 { e } else { nil } } }
    public var name: Expr? { firstValue { if case .name(let e) = $0 { e } else { nil } } }
    public var id: Expr? { firstValue { if case .id(let e) = $0 { e } else { nil } } }
    public var grace: Expr? { firstValue { if case .grace(let e) = $0 { e } else { nil } } }
    public var binding: Identifier? { firstValue { if case .as(let i) = $0 { i } else { nil } } }
    public var condition: Expr? { firstValue { if case .where(let e) = $0 { e } else { nil } } }
    /// Every `secret to` sink, in order.
    public var sinks: [Sink] { compactMap { if case .secretTo(let s) = $0.kind { s } else { nil } } }

    func firstValue<T>(_ f: (Clause.Kind) -> T?) -> T? {
        for c in self { if let v = f(c.kind) { return v } }
        return nil
    }
}

// MARK: - Selectors and sinks

/// Which keys a statement acts on (docs/language.md §5).
public struct Selector: Sendable, Hashable {
    public let kind: Kind
    public let range: SourceRange

    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    public enum Kind: Sendable, Hashable {
        /// `"Deployment Key"` — exactly one active key with this name.
        case name(Expr)
        /// `all "Deployment Key"` — every key with this name.
        case all(Expr)
        /// `id "6650c1..."`
        case id(Expr)
        /// `k` — a key held in a variable.
        case variable(Identifier)
        /// `keys where COND` — bulk; zero matches is not an error.
        case keysWhere(Expr)
    }

    /// Whether the selector may match more than one key.
    public var isBulk: Bool {
        switch kind {
        case .all, .keysWhere: true
        default: false
        }
    }
}

/// Where a secret goes (docs/language.md §11).
public struct Sink: Sendable, Hashable {
    public let kind: Kind
    public let range: SourceRange

    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    public enum Kind: Sendable, Hashable {
        /// `file "PATH"`
        case file(Expr)
        /// `env "VAR" in "PATH"`
        case env(variable: Expr, path: Expr)
        /// `run "COMMAND ARGS"`
        case run(Expr)
        /// `stdout`
        case stdout
    }
}

// MARK: - Expressions

public struct Expr: Sendable, Hashable {
    public let kind: Kind
    public let range: SourceRange

    /// The expressions directly inside this one, in source order.
    public var children: [Expr] {
        var found: [Expr] = []
        forEachChild { found.append($0) }
        return found
    }

    /// Calls `body` with each expression directly inside this one, in source order
    /// (`children` without building an array: the parser measures every expression).
    public func forEachChild(_ body: (Expr) -> Void) {
        switch kind {
        case .string(let parts):
            for part in parts { if case .interpolation(let e) = part.kind { body(e) } }
        case .expiryIn(let e), .member(let e, _), .unary(_, let e), .keysWhere(let e), .projectsWhere(let e): body(e)
        case .list(let items), .call(_, let items): for item in items { body(item) }
        case .binary(_, let l, let r):
            body(l)
            body(r)
        case .selector(let s):
            switch s.kind {
            case .name(let e), .all(let e), .id(let e), .keysWhere(let e): body(e)
            case .variable: break
            }
        case .int, .bool, .duration, .timestamp, .now, .never, .scopeList, .scopePattern, .identifier, .keys, .projects:
            break
        }
    }

    /// `svc-e`, `tenant-2-a`: names and numbers joined by `-` with no space around it, which
    /// reads as a key name without its quotes. Its words (identifiers and numbers), else nil.
    /// The checker says so when a word is undefined; the formatter keeps such a chain tight,
    /// so that formatting never changes what the checker says.
    public var hyphenatedWords: [Expr]? {
        var words: [Expr] = []
        var pending = [self]
        while let e = pending.popLast() {
            switch e.kind {
            case .binary(.minus, let l, let r):
                guard r.range.start.offset == l.range.end.offset + 1 else { return nil }
                pending.append(r)
                pending.append(l)
            case .identifier, .int: words.append(e)
            default: return nil
            }
        }
        return words.count >= 2 ? words : nil
    }

    /// A word of `hyphenatedWords` as written: a name, or a number with the leading zeros it
    /// was written with (its range is that wide). `svc-007` is the name "svc-007", and
    /// `02026-12-31` printed as `2026-12-31` would read back as a date.
    public var writtenWord: String? {
        switch kind {
        case .identifier(let name): return name
        case .int(let v):
            let digits = String(v), written = Int(range.end.offset) - Int(range.start.offset)
            return String(repeating: "0", count: max(0, written - digits.count)) + digits
        default: return nil
        }
    }

    /// The text of a string literal with no interpolation, else nil: what `use` accepts,
    /// since the target is chosen before the script runs.
    public var plainString: String? {
        guard case .string(let parts) = kind else { return nil }
        var out = ""
        for p in parts {
            guard case .text(let t) = p.kind else { return nil }
            out += t
        }
        return out
    }

    /// How deep the tree below this expression goes (1 for a leaf), found without
    /// recursion, so that any tree can be measured — even one too deep to walk recursively.
    public var height: Int {
        var deepest = 0
        var pending: [(Expr, Int)] = [(self, 1)]
        while let (e, h) = pending.popLast() {
            deepest = max(deepest, h)
            e.forEachChild { pending.append(($0, h + 1)) }
        }
        return deepest
    }

    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    public indirect enum Kind: Sendable, Hashable {
        /// `"svc-${name}"`
        case string([StringPart])
        case int(Int)
        case bool(Bool)
        /// `1h30m`: total seconds and the spelling as written.
        case duration(seconds: Int, text: String)
        /// `2026-12-31T23:59:59Z`, with the spelling as written.
        case timestamp(Timestamp, text: String)
        case now
        case never
        /// `in DURATION` — an expiry relative to when the step runs.
        case expiryIn(Expr)
        /// `[databases.read, users.*, extra]`
        case scopeList([ScopeItem])
        /// A single scope pattern: `keys.write` after `has`, or the argument of `grant`.
        case scopePattern(ScopePattern)
        /// `["a", "b"]`
        case list([Expr])
        /// A variable, parameter, `key`, or (inside `where`) a key field.
        case identifier(String)
        /// `keys` — every key of the project.
        case keys
        /// `k.name`
        case member(Expr, Identifier)
        /// `count(list)`, `env("X", "d")`, `lines("f")`, `exists(SEL)`, `len(x)`.
        /// The argument of `exists` is a `.selector` expression.
        case call(Identifier, [Expr])
        case unary(UnaryOperator, Expr)
        case binary(BinaryOperator, Expr, Expr)
        /// `keys where COND` as a value (a list of keys).
        case keysWhere(Expr)
        /// A selector as an argument (only of `exists`).
        case selector(Selector)
        /// `projects` — every project of the organization.
        case projects
        /// `projects where COND` as a value (a list of projects); inside COND the
        /// project's fields are bare names.
        case projectsWhere(Expr)
    }
}

public enum UnaryOperator: String, Sendable, Hashable {
    case not
    case negate = "-"
}

public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case or, and
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case match = "~", has, `in`
    case plus = "+", minus = "-"

    /// Binding strength; higher binds tighter.
    public var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .match, .has, .in: 4
        case .plus, .minus: 5
        }
    }
}

/// Precedence of `not` (between `and` and the comparisons).
public let notPrecedence = 3

/// A piece of a string literal.
public struct StringPart: Sendable, Hashable {
    public let kind: Kind
    public let range: SourceRange

    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    public enum Kind: Sendable, Hashable {
        /// Literal text, escapes decoded.
        case text(String)
        /// `${expr}`
        case interpolation(Expr)
    }
}

/// A scope pattern as written: `databases.read`, `users.*`, `*`.
public struct ScopePattern: Sendable, Hashable {
    public let text: String
    public let range: SourceRange

    public init(text: String, range: SourceRange) {
        self.text = text
        self.range = range
    }

    public var isWildcard: Bool { text.utf8.contains(UInt8(ascii: "*")) }
}

/// An item of a scope list: a pattern, or a variable holding scopes.
public struct ScopeItem: Sendable, Hashable {
    public let kind: Kind
    public let range: SourceRange

    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    public enum Kind: Sendable, Hashable {
        case pattern(ScopePattern)
        case variable(Identifier)
    }
}
