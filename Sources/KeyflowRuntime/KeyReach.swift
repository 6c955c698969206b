import KeyflowClient
import KeyflowLanguage

/// Which of the project's keys a script can reach, as far as one list request can narrow
/// them: a run lists the keys once, up front, and a script whose every selector names its
/// keys exactly, or by a common literal prefix, needs only those keys.
///
/// `show "ci"`, `exists("ci")` and `count(keys where name == "ci")` reach only the keys
/// named `ci`: the list asks the server for that name alone (`equal("name", ["ci"])`).
/// `for t in lines("tenants.txt") { ensure "tenant-${t}" ... }` and
/// `count(keys where name ~ "tenant-*")` reach only names that start with `tenant-`: the
/// list asks for those (`startsWith("name", "tenant-")`) and does not carry, parse and
/// index the project's other keys. Anything the analysis cannot bound — `keys`, `list`
/// without `where`, an `id` selector or clause, a name built from a variable — reaches
/// every key, and the whole list is read as before; so does `rotate` and `rollback`, which
/// link keys by id. A selector that finds no key still suggests similar names from the
/// whole list (`KeyCache.everyName`).
///
/// The narrowing is safe because the server keeps at least what the script can match: an
/// exact name is sent only when it is ASCII, and a prefix is cut before its first
/// non-ASCII byte, so either is compared byte for byte (the sandbox) or case-insensitively
/// (Appwrite's database), never more strictly than `==` and `~` compare names here.
public enum KeyReach {
    /// What the up-front list of a program asks the server for; nil: every key.
    /// Exact names when every key the program reaches is named exactly (ASCII, at most
    /// `maxNames` of them, short enough for one query), else their common prefix.
    public static func narrowing(of program: Program) -> KeyNarrowing? {
        var walker = Walker()
        walker.statements(program.statements)
        guard !walker.everything, !walker.reached.isEmpty else { return nil }
        if walker.reached.allSatisfy({ $0.exact && $0.text.utf8.allSatisfy { $0 < 0x80 } }) {
            var seen = Set<String>()
            let names = walker.reached.map(\.text).filter { seen.insert($0).inserted }
            if names.count <= maxNames, names.reduce(0, { $0 + $1.utf8.count }) <= maxNameBytes { return .names(names) }
        }
        return commonPrefix(walker.reached.map(\.text)).map(KeyNarrowing.prefix)
    }

    /// At most this many names in one `equal` (Appwrite takes 500 values a filter)…
    static let maxNames = 100
    /// …of at most this many bytes together (a query is at most 4,096 characters, and a
    /// name's quotes and escapes cost more).
    static let maxNameBytes = 2_000

    /// The name prefix every key the program can reach starts with; nil when it may reach
    /// any key (or when the prefix would be empty). A saved plan narrows its listing so
    /// (docs/saved-plans.md, `name_prefix`).
    public static func namePrefix(of program: Program) -> String? {
        var walker = Walker()
        walker.statements(program.statements)
        guard !walker.everything else { return nil }
        return commonPrefix(walker.reached.map(\.text))
    }

    /// The longest common prefix of `texts`, cut before its first non-ASCII byte; nil when empty.
    static func commonPrefix(_ texts: [String]) -> String? {
        guard let first = texts.first else { return nil }
        var common = Array(first.utf8)
        for p in texts.dropFirst() {
            let bytes = Array(p.utf8)
            var n = 0
            while n < common.count, n < bytes.count, common[n] == bytes[n] { n += 1 }
            common.removeSubrange(n...)
        }
        if let firstNonASCII = common.firstIndex(where: { $0 >= 0x80 }) { common.removeSubrange(firstNonASCII...) }
        return common.isEmpty ? nil : String(decoding: common, as: UTF8.self)
    }

    /// Whether the program may read or change any key at all: `print "x"`, `let`, `ephemeral`
    /// do not, and a run of them lists nothing (the REPL's line that touches no key sends no
    /// request). A key variable bound by an earlier chunk counts as reaching keys.
    public static func reachesKeys(_ program: Program) -> Bool {
        var walker = Walker()
        walker.statements(program.statements)
        return walker.everything || !walker.reached.isEmpty || walker.variables
    }

    /// Whether the program may act on a project other than the target (`in project`): its
    /// plan lines then name the project of every step.
    public static func reachesOtherProjects(_ program: Program) -> Bool {
        var walker = Walker()
        walker.statements(program.statements)
        return walker.otherProjects
    }

    private struct Walker {
        /// The literal names, or prefixes of names, the program reaches.
        var reached: [Reached] = []
        /// The program may reach a key whose name no prefix bounds.
        var everything = false
        /// The program has an `in project` block.
        var otherProjects = false
        /// The program selects a key held by a variable.
        var variables = false

        mutating func statements(_ list: [Statement]) {
            for s in list { statement(s) }
        }

        mutating func statement(_ s: Statement) {
            switch s.kind {
            case .create(let name, let clauses), .ensure(let name, let clauses):
                need(Self.literalPrefix(name, glob: false))
                self.clauses(clauses)
            case .update(let target, let clauses), .delete(let target, let clauses), .secret(let target, let clauses),
                .show(let target, let clauses):
                selector(target)
                self.clauses(clauses)
            case .rotate, .rollback:
                // A rotation links keys by id (old key → successor), and a successor may
                // have been renamed since: the whole list, to find it whatever its name.
                everything = true
            case .grant(let target, let scopes, let clauses), .revoke(let target, let scopes, let clauses):
                selector(target)
                expr(scopes)
                self.clauses(clauses)
            case .ephemeral(let clauses):
                self.clauses(clauses)
            case .list(let clauses):
                if clauses.condition == nil { everything = true }
                self.clauses(clauses)
            case .print(let values):
                for v in values { expr(v) }
            case .let(_, let value):
                expr(value)
            case .param(_, let value):
                if let value { expr(value) }
            case .use(let endpoint, let project):
                if let endpoint { expr(endpoint) }
                if let project { expr(project) }
            case .assert(let condition, let message):
                expr(condition)
                if let message { expr(message) }
            case .for(_, let sequence, let parallel, let body):
                expr(sequence)
                if let parallel { expr(parallel) }
                statements(body.statements)
            case .if(let branches, let elseBlock):
                for b in branches {
                    expr(b.condition)
                    statements(b.body.statements)
                }
                if let elseBlock { statements(elseBlock.statements) }
            case .inProject(let project, let body):
                // Another project's keys: not bounded here (no narrowing).
                everything = true
                otherProjects = true
                expr(project)
                statements(body.statements)
            }
        }

        mutating func clauses(_ list: [Clause]) {
            for c in list {
                switch c.kind {
                case .scopes(let e), .expire(let e), .description(let e), .grace(let e):
                    expr(e)
                case .name(let e):  // a rename: the new name is checked against the keys that carry it
                    need(Self.literalPrefix(e, glob: false))
                    expr(e)
                case .id:  // a key of any name may hold that id
                    everything = true
                case .where(let condition):
                    need(Self.conditionPrefixes(condition))
                    expr(condition)
                case .as: break
                case .secretTo(let sink):
                    switch sink.kind {
                    case .file(let e), .run(let e): expr(e)
                    case .env(let variable, let path):
                        expr(variable)
                        expr(path)
                    case .stdout: break
                    }
                }
            }
        }

        mutating func selector(_ s: Selector) {
            switch s.kind {
            case .name(let e), .all(let e):
                need(Self.literalPrefix(e, glob: false))
                expr(e)
            case .id:
                everything = true
            case .variable:
                variables = true  // a key some other selector reached
            case .keysWhere(let condition):
                need(Self.conditionPrefixes(condition))
                expr(condition)
            }
        }

        /// Every key-reading expression inside `e`.
        mutating func expr(_ e: Expr) {
            switch e.kind {
            case .keys:
                everything = true
            case .keysWhere(let condition):
                need(Self.conditionPrefixes(condition))
                expr(condition)
            case .selector(let s):
                selector(s)
            case .string(let parts):
                for p in parts { if case .interpolation(let inner) = p.kind { expr(inner) } }
            case .expiryIn(let inner), .member(let inner, _), .unary(_, let inner):
                expr(inner)
            case .list(let items):
                for i in items { expr(i) }
            case .call(let function, let arguments):
                // `exists("name")` looks a name up among the keys, as a name selector does.
                if function.name == "exists", let name = arguments.first {
                    if case .selector = name.kind {} else { need(Self.literalPrefix(name, glob: false)) }
                }
                for a in arguments { expr(a) }
            case .binary(_, let l, let r):
                expr(l)
                expr(r)
            case .projects:
                everything = true  // no narrowing
            case .projectsWhere(let condition):
                everything = true  // no narrowing
                expr(condition)
            case .int, .bool, .duration, .timestamp, .now, .never, .scopeList, .scopePattern, .identifier:
                break
            }
        }

        mutating func need(_ found: [Reached]?) {
            if let found { reached += found } else { everything = true }
        }

        mutating func need(_ found: Reached?) {
            need(found.map { [$0] })
        }

        /// The prefixes that bound the names a `where` condition can accept; nil when it
        /// does not bound them (`scopes has keys.write`, `not name ~ "a*"`).
        static func conditionPrefixes(_ c: Expr) -> [Reached]? {
            guard case .binary(let op, let l, let r) = c.kind else { return nil }
            switch op {
            case .and:
                return conditionPrefixes(l) ?? conditionPrefixes(r)
            case .or:
                guard let a = conditionPrefixes(l), let b = conditionPrefixes(r) else { return nil }
                return a + b
            case .match:
                guard isName(l) else { return nil }
                return literalPrefix(r, glob: true).map { [$0] }
            case .equal:
                if isName(l) { return literalPrefix(r, glob: false).map { [$0] } }
                if isName(r) { return literalPrefix(l, glob: false).map { [$0] } }
                return nil
            default:
                return nil
            }
        }

        static func isName(_ e: Expr) -> Bool {
            if case .identifier("name") = e.kind { true } else { false }
        }

        /// The literal text a string expression starts with, up to its first interpolation
        /// (and, for a pattern, its first `*` or `?`); exact when it is the whole string
        /// (never for a pattern); nil when that is empty or `e` is not a string literal.
        static func literalPrefix(_ e: Expr, glob: Bool) -> Reached? {
            guard case .string(let parts) = e.kind, let first = parts.first, case .text(let text) = first.kind else { return nil }
            let prefix = glob ? String(text.prefix { $0 != "*" && $0 != "?" }) : text
            return prefix.isEmpty ? nil : Reached(text: prefix, exact: !glob && parts.count == 1)
        }
    }

    /// A name the program reaches (`exact`), or a prefix of such names.
    struct Reached {
        var text: String
        var exact: Bool
    }
}

/// The keys a list request is narrowed to (`KeyReach.narrowing`).
public enum KeyNarrowing: Sendable, Hashable {
    /// The keys with one of these names: `equal("name", names)`.
    case names([String])
    /// The keys whose names start with this: `startsWith("name", prefix)`.
    case prefix(String)

    /// The list request's filter.
    public var query: KeyQuery {
        switch self {
        case .names(let names): .equal("name", names)
        case .prefix(let prefix): .startsWith("name", prefix)
        }
    }
}
