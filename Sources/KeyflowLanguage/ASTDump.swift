// Stable one-line text forms of the syntax tree, for table tests and for comparing
// programs regardless of layout (the formatter's "same meaning" test).

extension Program {
    /// One line per statement.
    public var dump: String { statements.map(\.dump).joined(separator: "\n") }
}

extension Statement {
    public var dump: String {
        switch kind {
        case .create(let name, let c): return sexp("create", name.dump, c.dump)
        case .ensure(let name, let c): return sexp("ensure", name.dump, c.dump)
        case .update(let t, let c): return sexp("update", t.dump, c.dump)
        case .grant(let t, let s, let c): return sexp("grant", t.dump, s.dump, c.dump)
        case .revoke(let t, let s, let c): return sexp("revoke", t.dump, s.dump, c.dump)
        case .delete(let t, let c): return sexp("delete", t.dump, c.dump)
        case .rotate(let t, let c): return sexp("rotate", t.dump, c.dump)
        case .rollback(let t, let c): return sexp("rollback", t.dump, c.dump)
        case .secret(let t, let c): return sexp("secret", t.dump, c.dump)
        case .ephemeral(let c): return sexp("ephemeral", c.dump)
        case .show(let t, let c): return sexp("show", t.dump, c.dump)
        case .list(let c): return sexp("list", c.dump)
        case .print(let values): return sexp("print", values.map(\.dump).joined(separator: " "))
        case .let(let name, let value): return sexp("let", name.name, value.dump)
        case .param(let name, let value): return sexp("param", name.name, value?.dump ?? "")
        case .use(let endpoint, let project):
            return sexp("use", endpoint.map { sexp("endpoint", $0.dump) } ?? "", project.map { sexp("project", $0.dump) } ?? "")
        case .assert(let cond, let message): return sexp("assert", cond.dump, message?.dump ?? "")
        case .for(let v, let seq, let parallel, let body):
            return sexp("for", v.name, seq.dump, parallel.map { sexp("parallel", $0.dump) } ?? "", body.dump)
        case .if(let branches, let elseBlock):
            let parts = branches.map { sexp("branch", $0.condition.dump, $0.body.dump) }
            return sexp("if", parts.joined(separator: " "), elseBlock.map { sexp("else", $0.dump) } ?? "")
        case .inProject(let project, let body): return sexp("in-project", project.dump, body.dump)
        }
    }
}

extension Block {
    public var dump: String { "{" + statements.map(\.dump).joined(separator: "; ") + "}" }
}

extension Array where Element == Clause {
    /// `(scopes ...) (expire ...)` in source order.
    public var dump: String { map(\.dump).joined(separator: " ") }
}

extension Clause {
    public var dump: String {
        switch kind {
        case .scopes(let e): sexp("scopes", e.dump)
        case .expire(let e): sexp("expire", e.dump)
        case .description(let e): sexp("description", e.dump)
        case .name(let e): sexp("name", e.dump)
        case .id(let e): sexp("id", e.dump)
        case .grace(let e): sexp("grace", e.dump)
        case .as(let i): sexp("as", i.name)
        case .secretTo(let sink): sexp("secret-to", sink.dump)
        case .where(let e): sexp("where", e.dump)
        }
    }
}

extension Selector {
    public var dump: String {
        switch kind {
        case .name(let e): sexp("named", e.dump)
        case .all(let e): sexp("all", e.dump)
        case .id(let e): sexp("id", e.dump)
        case .variable(let i): sexp("var", i.name)
        case .keysWhere(let e): sexp("keys-where", e.dump)
        }
    }
}

extension Sink {
    public var dump: String {
        switch kind {
        case .file(let e): sexp("file", e.dump)
        case .env(let v, let p): sexp("env", v.dump, p.dump)
        case .run(let e): sexp("run", e.dump)
        case .stdout: "(stdout)"
        }
    }
}

extension Expr {
    public var dump: String {
        switch kind {
        case .string(let parts):
            if parts.count == 1, case .text(let t) = parts[0].kind { return quoted(t) }
            if parts.isEmpty { return "\"\"" }
            return sexp("str", parts.map { p in
                switch p.kind {
                case .text(let t): quoted(t)
                case .interpolation(let e): e.dump
                }
            }.joined(separator: " "))
        case .int(let v): return String(v)
        case .bool(let v): return v ? "true" : "false"
        case .duration(let s, _): return "\(s)s"
        case .timestamp(let t, _): return "@\(t.secondsSince1970)" + (t.nanoseconds == 0 ? "" : ".\(t.nanoseconds)")
        case .now: return "now"
        case .never: return "never"
        case .expiryIn(let e): return sexp("in", e.dump)
        case .scopeList(let items):
            return "[" + items.map { i in
                switch i.kind {
                case .pattern(let p): p.text
                case .variable(let v): "$" + v.name
                }
            }.joined(separator: " ") + "]"
        case .scopePattern(let p): return "scope:" + p.text
        case .list(let items): return sexp("list", items.map(\.dump).joined(separator: " "))
        case .identifier(let n): return n
        case .keys: return "keys"
        case .member(let e, let m): return sexp(".", e.dump, m.name)
        case .call(let f, let args): return sexp("call", f.name, args.map(\.dump).joined(separator: " "))
        case .unary(let op, let e): return sexp(op.rawValue, e.dump)
        case .binary(let op, let l, let r): return sexp(op.rawValue, l.dump, r.dump)
        case .keysWhere(let e): return sexp("keys-where", e.dump)
        case .selector(let s): return s.dump
        case .projects: return "projects"
        case .projectsWhere(let e): return sexp("projects-where", e.dump)
        }
    }
}

/// `(head a b)`, skipping empty parts.
func sexp(_ head: String, _ parts: String...) -> String {
    var s = "(" + head
    for p in parts where !p.isEmpty { s += " " + p }
    return s + ")"
}
