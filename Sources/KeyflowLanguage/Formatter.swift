import KeyflowBasics

/// Prints a program in the one canonical layout: one statement per line, two-space
/// block indentation, clauses on the statement's line when it fits in `width`
/// columns and otherwise one per line indented four spaces, single spaces around
/// operators, minimal parentheses, canonical string escapes, comments kept (at most
/// one blank line kept where the source had some). Formatting never changes what a
/// script means: the result parses to the same syntax tree.
public struct Formatter {
    public static let width = 100

    let comments: [Comment]
    var nextComment = 0
    var lines: [String] = []
    var lastSourceLine = 0

    init(comments: [Comment]) {
        self.comments = comments
    }

    /// Formats a parsed program. Only meaningful for a program without syntax errors.
    public static func format(_ program: Program) -> String {
        var f = Formatter(comments: program.comments)
        f.statements(program.statements, indent: 0, endOffset: Int.max)
        return f.lines.isEmpty ? "" : f.lines.joined(separator: "\n") + "\n"
    }

    /// Parses and formats; nil (with the diagnostics) when the source has syntax errors.
    public static func format(source: String, file: String) -> (String?, [Diagnostic]) {
        format(bytes: Array(source.utf8), file: file)
    }

    /// The canonical layout of a script, nil with the reasons when it cannot be given: the
    /// script has errors, or its layout would not parse back. The second happens only at the
    /// nesting limit, where a parenthesis the layout adds (`- - in 2` → `- -(in 2)`) is one
    /// level too many; the output is parsed again so that `fmt` never writes such a file.
    public static func format(bytes: [UInt8], file: String) -> (String?, [Diagnostic]) {
        let parsed = Parser.parse(bytes: bytes, file: file)
        if parsed.hasErrors { return (nil, parsed.diagnostics) }
        let formatted = format(parsed.program)
        let again = Parser.parse(source: formatted, file: file)
        if let problem = again.diagnostics.first(where: \.isError) {
            return (nil, parsed.diagnostics + [.cannotFormat(problem.summary, parsed.program.range)])
        }
        return (formatted, parsed.diagnostics)
    }

    // MARK: - Statement lists and comments

    mutating func emit(_ text: String, indent: Int, sourceLine: Int) {
        if !lines.isEmpty && lastSourceLine > 0 && sourceLine - lastSourceLine > 1 && !(lines.last?.hasSuffix("{") ?? false) {
            lines.append("")
        }
        lines.append(String(repeating: " ", count: indent) + text)
    }

    /// Own-line comments that start before `offset`.
    mutating func commentsBefore(_ offset: Int, indent: Int) {
        while nextComment < comments.count && comments[nextComment].range.start.offset < offset {
            let c = comments[nextComment]
            emit("#" + c.text.trimmingTrailingSpaces, indent: indent, sourceLine: c.range.start.line)
            lastSourceLine = c.range.end.line
            nextComment += 1
        }
    }

    mutating func statements(_ list: [Statement], indent: Int, endOffset: Int) {
        for (i, s) in list.enumerated() {
            commentsBefore(s.range.start.offset, indent: indent)
            statement(s, indent: indent)
            let nextStart = i + 1 < list.count ? list[i + 1].range.start.offset : endOffset
            // Comments left inside the statement (in a multi-line expression) follow it, at
            // the statement's indent: where the next formatting finds them, as own-line
            // comments before the next statement (so formatting stays idempotent).
            var trailing: Comment? = nil
            while nextComment < comments.count && comments[nextComment].range.start.offset < nextStart {
                let c = comments[nextComment]
                if c.range.start.line == s.range.end.line && c.range.start.offset >= s.range.end.offset && trailing == nil {
                    trailing = c
                    nextComment += 1
                } else if c.range.start.offset < s.range.end.offset {
                    emit("#" + c.text.trimmingTrailingSpaces, indent: indent, sourceLine: lastSourceLine)
                    nextComment += 1
                } else {
                    break
                }
            }
            if let t = trailing {
                lines[lines.count - 1] += " #" + t.text.trimmingTrailingSpaces
            }
            lastSourceLine = s.range.end.line
        }
        commentsBefore(endOffset, indent: indent)
    }

    mutating func block(_ b: Block, indent: Int) {
        // The opening line (ending in "{") is already emitted.
        statements(b.statements, indent: indent + 2, endOffset: b.range.end.offset)
        lines.append(String(repeating: " ", count: indent) + "}")
        lastSourceLine = b.range.end.line
    }

    // MARK: - Statements

    mutating func statement(_ s: Statement, indent: Int) {
        let line = s.range.start.line
        switch s.kind {
        case .create(let name, let c): clauses("create " + expr(name), c, s, indent: indent)
        case .ensure(let name, let c): clauses("ensure " + expr(name), c, s, indent: indent)
        case .update(let t, let c): clauses("update " + selector(t), c, s, indent: indent)
        case .grant(let t, let v, let c): clauses("grant " + selector(t, before: scopeValue(v)), c, s, indent: indent)
        case .revoke(let t, let v, let c): clauses("revoke " + selector(t, before: scopeValue(v)), c, s, indent: indent)
        case .delete(let t, let c): clauses("delete " + selector(t), c, s, indent: indent)
        case .rotate(let t, let c): clauses("rotate " + selector(t), c, s, indent: indent)
        case .rollback(let t, let c): clauses("rollback " + selector(t), c, s, indent: indent)
        case .secret(let t, let c):
            var head = "secret " + selector(t)
            var rest = c
            if let first = c.first, case .secretTo(let sink) = first.kind {
                head += " to " + self.sink(sink)
                rest = Array(c.dropFirst())
            }
            clauses(head, rest, s, indent: indent)
        case .ephemeral(let c): clauses("ephemeral", c, s, indent: indent)
        case .show(let t, let c): clauses("show " + selector(t), c, s, indent: indent)
        case .list(let c): clauses("list", c, s, indent: indent)
        case .print(let values): emit("print " + values.map { expr($0) }.joined(separator: ", "), indent: indent, sourceLine: line)
        case .let(let name, let value): emit("let \(name.name) = " + expr(value), indent: indent, sourceLine: line)
        case .param(let name, let value):
            emit("param \(name.name)" + (value.map { " = " + expr($0) } ?? ""), indent: indent, sourceLine: line)
        case .use(let endpoint, let project):
            var text = "use"
            if let e = endpoint { text += " endpoint " + expr(e) }
            if let p = project { text += " project " + expr(p) }
            emit(text, indent: indent, sourceLine: line)
        case .assert(let cond, let message):
            emit("assert " + expr(cond) + (message.map { ", " + expr($0) } ?? ""), indent: indent, sourceLine: line)
        case .for(let v, let seq, let parallel, let body):
            let head = "for \(v.name) in " + expr(seq) + (parallel.map { " parallel " + expr($0, 5) } ?? "")
            emit(head + " {", indent: indent, sourceLine: line)
            block(body, indent: indent)
        case .if(let branches, let elseBlock):
            for (i, b) in branches.enumerated() {
                let head = (i == 0 ? "if " : "} else if ") + expr(b.condition) + " {"
                if i == 0 {
                    emit(head, indent: indent, sourceLine: line)
                } else {
                    lines[lines.count - 1] = String(repeating: " ", count: indent) + head
                }
                block(b.body, indent: indent)
            }
            if let e = elseBlock {
                lines[lines.count - 1] = String(repeating: " ", count: indent) + "} else {"
                block(e, indent: indent)
            }
        case .inProject(let project, let body):
            emit("in project " + expr(project) + " {", indent: indent, sourceLine: line)
            block(body, indent: indent)
        }
    }

    /// A statement head and its clauses: on one line when it fits and holds no
    /// comment, else one clause per line.
    mutating func clauses(_ head: String, _ list: [Clause], _ s: Statement, indent: Int) {
        let parts = list.map { clause($0, first: false) }
        let oneLine = ([head] + parts).joined(separator: " ")
        // Only a comment before a clause is printed among the clauses; one inside the last
        // clause follows the statement, so it must not choose the layout either (else the
        // next formatting, finding it outside, would choose differently).
        let lastClauseStart = list.last?.range.start.offset ?? s.range.start.offset
        let hasInnerComment = nextComment < comments.count
            && comments[nextComment].range.start.offset < lastClauseStart
            && comments[nextComment].range.start.offset > s.range.start.offset
        if !hasInnerComment && indent + oneLine.count <= Formatter.width {
            emit(oneLine, indent: indent, sourceLine: s.range.start.line)
            return
        }
        emit(head, indent: indent, sourceLine: s.range.start.line)
        for (c, text) in zip(list, parts) {
            while nextComment < comments.count && comments[nextComment].range.start.offset < c.range.start.offset {
                lines.append(String(repeating: " ", count: indent + 4) + "#" + comments[nextComment].text.trimmingTrailingSpaces)
                nextComment += 1
            }
            lines.append(String(repeating: " ", count: indent + 4) + text)
        }
    }

    func clause(_ c: Clause, first: Bool) -> String {
        switch c.kind {
        case .scopes(let e): "scopes " + scopeValue(e)
        case .expire(let e): "expire " + expr(e)
        case .description(let e): "description " + expr(e)
        case .name(let e): "name " + expr(e)
        case .id(let e): "id " + expr(e)
        case .grace(let e): "grace " + expr(e)
        case .as(let i): "as " + i.name
        case .secretTo(let s): "secret to " + sink(s)
        case .where(let e): "where " + expr(e)
        }
    }

    /// A selector and the text after it. `id i (x)` would read as `id i(x)`, a call, so a bare
    /// variable after `id` or `all` keeps parentheses when what follows opens one.
    func selector(_ s: Selector, before next: String) -> String {
        if next.hasPrefix("(") {
            switch s.kind {
            case .id(let e) where isIdentifier(e): return "id (" + expr(e) + ") " + next
            case .all(let e) where isIdentifier(e): return "all (" + expr(e) + ") " + next
            default: break
            }
        }
        return selector(s) + " " + next
    }

    func isIdentifier(_ e: Expr) -> Bool {
        if case .identifier = e.kind { return true }
        return false
    }

    func selector(_ s: Selector) -> String {
        switch s.kind {
        case .name(let e): expr(e, 8)
        case .all(let e): "all " + expr(e, 7)
        case .id(let e): "id " + expr(e, 7)
        case .variable(let i): i.name
        case .keysWhere(let e): "keys where " + expr(e)
        }
    }

    func sink(_ s: Sink) -> String {
        switch s.kind {
        case .file(let e): "file " + expr(e, 5)
        case .env(let v, let p): "env " + expr(v, 5) + " in " + expr(p, 5)
        case .run(let e): "run " + expr(e, 5)
        case .stdout: "stdout"
        }
    }

    /// After `scopes`, `grant`/`revoke` and `has`, a word glued to `.word` reads as a scope
    /// pattern: any other expression that would print so (`read .edep`, a member of the
    /// variable `read`; `read .x + y`) keeps parentheses.
    func scopeValue(_ e: Expr, _ minimum: Int = 7) -> String {
        if isScopeLiteral(e) { return expr(e) }
        let text = expr(e, minimum)
        return Formatter.readsAsScopePattern(text) ? "(" + expr(e) + ")" : text
    }

    func isScopeLiteral(_ e: Expr) -> Bool {
        switch e.kind {
        case .scopeList, .scopePattern: true
        default: false
        }
    }

    /// Whether text in a scope position would be read as a scope pattern: `*`, or a word
    /// glued to `.` and a word or `*` (the parser's `startsScopePattern`; `v.scopes` on a
    /// variable is a member).
    static func readsAsScopePattern(_ text: String) -> Bool {
        let b = Array(text.utf8)
        func isWord(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F }
        if b.first == UInt8(ascii: "*") { return true }
        guard let first = b.first, isWord(first), !(first >= 0x30 && first <= 0x39) else { return false }
        var i = 0
        while i < b.count && isWord(b[i]) { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: ".") else { return false }
        let j = i + 1
        if j < b.count && b[j] == UInt8(ascii: "*") { return true }
        var k = j
        while k < b.count && isWord(b[k]) { k += 1 }
        guard k > j else { return false }
        let head = String(decoding: b[0..<i], as: UTF8.self)
        return !(String(decoding: b[j..<k], as: UTF8.self) == "scopes" && Keyword(rawValue: head) == nil)
    }

    // MARK: - Expressions

    /// The expression, parenthesized when its precedence is below `minimum`.
    /// Levels: or 1, and 2, not 3, comparisons 4, + - 5, unary - 6, postfix 7, primary 8.
    func expr(_ e: Expr, _ minimum: Int = 0) -> String {
        let (text, precedence) = exprWithPrecedence(e)
        return precedence < minimum ? "(" + text + ")" : text
    }

    func exprWithPrecedence(_ e: Expr) -> (String, Int) {
        switch e.kind {
        case .string(let parts): return (stringLiteral(parts), 8)
        case .int(let v): return (String(v), 8)
        case .bool(let v): return (v ? "true" : "false", 8)
        case .duration(_, let text): return (text, 8)
        case .timestamp(_, let text): return (text, 8)
        case .now: return ("now", 8)
        case .never: return ("never", 8)
        case .expiryIn(let d): return ("in " + expr(d, 5), 5)
        case .scopeList(let items):
            return ("[" + items.map { i in
                switch i.kind {
                case .pattern(let p): p.text
                case .variable(let v): v.name
                }
            }.joined(separator: ", ") + "]", 8)
        case .scopePattern(let p): return (p.text, 8)
        case .list(let items): return ("[" + items.map { expr($0) }.joined(separator: ", ") + "]", 8)
        case .identifier(let n): return (n, 8)
        case .keys: return ("keys", 8)
        case .member(let b, let m):
            // A member of a scope pattern keeps parentheses: `databases.read. user` is a member
            // of `databases.read`, but `databases.read.user` would be one longer scope.
            if case .scopePattern = b.kind { return ("(" + expr(b) + ")." + m.name, 7) }
            // So does a word named like a scope group, a variable or `keys`: `users.x` and
            // `keys.read` would read as scopes.
            let base = expr(b, 7)
            if ScopeCatalogue.groups.contains(base) { return ("(" + base + ")." + m.name, 7) }
            return (base + "." + m.name, 7)
        case .call(let f, let args): return (f.name + "(" + args.map { expr($0) }.joined(separator: ", ") + ")", 8)
        case .unary(.not, let x):
            // `not (a == b)` keeps its parentheses: `not a == b` reads as `(not a) == b`.
            if case .binary = x.kind { return ("not " + expr(x, 9), 3) }
            return ("not " + expr(x, 3), 3)
        case .unary(.negate, let x):
            let inner = expr(x, 6)
            return ("-" + (inner.hasPrefix("-") ? " " : "") + inner, 6)
        case .binary(.minus, _, _) where e.hyphenatedWords != nil:
            // `svc-e` stays tight: spaced, it would no longer read as a forgotten-quotes name.
            // Its words as written (`Expr.writtenWord`: numbers keep their leading zeros).
            let words = (e.hyphenatedWords ?? []).compactMap(\.writtenWord)
            return (words.joined(separator: "-"), BinaryOperator.minus.precedence)
        case .binary(let op, let l, let r):
            let p = op.precedence
            let (lmin, rmin): (Int, Int) = switch op {
            case .or, .and: (p, p + 1)
            case .plus, .minus: (5, 6)
            default: (5, 5)
            }
            let right = op == .has ? scopeValue(r, rmin) : expr(r, rmin)
            return (expr(l, lmin) + " " + op.rawValue + " " + right, p)
        case .keysWhere(let c): return ("keys where " + expr(c), 0)
        case .selector(let s): return (selector(s), s.isBulk ? 0 : 8)
        case .projects: return ("projects", 8)
        case .projectsWhere(let c): return ("projects where " + expr(c), 0)
        }
    }

    func stringLiteral(_ parts: [StringPart]) -> String {
        var out = "\""
        for part in parts {
            switch part.kind {
            case .text(let t):
                let scalars = Array(t.unicodeScalars)
                for (i, scalar) in scalars.enumerated() {
                    switch scalar {
                    case "\"": out += "\\\""
                    case "\\": out += "\\\\"
                    case "\n": out += "\\n"
                    case "\t": out += "\\t"
                    case "$" where i + 1 < scalars.count && scalars[i + 1] == "{": out += "\\$"
                    default:
                        if scalar.value < 0x20 || scalar.value == 0x7F {
                            out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                        } else {
                            out.unicodeScalars.append(scalar)
                        }
                    }
                }
            case .interpolation(let e):
                out += "${" + expr(e) + "}"
            }
        }
        return out + "\""
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
