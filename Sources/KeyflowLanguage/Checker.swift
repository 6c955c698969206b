import KeyflowBasics

/// What the checker is told beyond the script.
public struct CheckOptions: Sendable {
    /// Names already bound (the REPL's session variables), with their types.
    public var predeclared: [String: ValueType]
    /// Parameter values given on the command line; nil when unknown (`keyflow check`),
    /// in which case required parameters are not reported as missing.
    public var parameters: Set<String>?

    public init(predeclared: [String: ValueType] = [:], parameters: Set<String>? = nil) {
        self.predeclared = predeclared
        self.parameters = parameters
    }
}

/// A `param` of the script.
public struct ParameterInfo: Sendable, Hashable {
    public let name: String
    public let type: ValueType
    public let isRequired: Bool
    public let range: SourceRange
}

public struct CheckResult: Sendable {
    public let diagnostics: [Diagnostic]
    /// Every name bound at the top level after the program, predeclared ones included,
    /// with its type: the REPL passes them back as `predeclared` for the next statement.
    public let bindings: [String: ValueType]
    public let parameters: [ParameterInfo]
    /// Every use of a name the script defines (`let`, `param`, `for`, `as`), with its
    /// definition: what an editor's "go to definition" follows.
    public let references: [NameReference]

    public var hasErrors: Bool { diagnostics.contains { $0.isError } }
}

/// A name used in the script and the identifier that defined it.
public struct NameReference: Sendable, Hashable {
    public let name: String
    public let use: SourceRange
    public let definition: SourceRange
}

/// Resolves names and checks everything knowable without the network: undefined and
/// shadowed names, duplicate and misplaced clauses, static types, scopes against the
/// catalogue, `parallel` bounds, ephemeral expiries and required parameters.
public struct Checker {
    struct Binding {
        let type: ValueType
        let range: SourceRange?
    }

    var scopes: [[String: Binding]]
    var diagnostics: [Diagnostic] = []
    var parameters: [ParameterInfo] = []
    var references: [NameReference] = []
    /// Wildcard scope patterns already found to match some scope.
    var matchingPatterns: Set<String> = []
    /// What the bare names of each enclosing `where` are the fields of, innermost last:
    /// `.key` (`keys where`, `list where`) or `.project` (`projects where`).
    var whereSubjects: [ValueType] = []
    var keyDepth = 0
    let options: CheckOptions

    init(options: CheckOptions) {
        self.options = options
        scopes = [options.predeclared.mapValues { Binding(type: $0, range: nil) }]
    }

    public static func check(_ program: Program, options: CheckOptions = CheckOptions()) -> CheckResult {
        var checker = Checker(options: options)
        for statement in program.statements { checker.check(statement, topLevel: true) }
        if let given = options.parameters {
            let declared = Set(checker.parameters.map(\.name))
            for name in given.sorted() where !declared.contains(name) {
                let here = SourceRange(source: program.range.source, start: program.range.start, end: program.range.start)
                checker.diagnostics.append(.unknownParameter(name, here, suggestion: nearest(name, in: declared)))
            }
        }
        return CheckResult(
            diagnostics: checker.diagnostics.sorted { $0.range.start < $1.range.start },
            bindings: checker.scopes[0].mapValues(\.type), parameters: checker.parameters, references: checker.references)
    }

    mutating func report(_ d: Diagnostic) { diagnostics.append(d) }

    // MARK: - Names

    mutating func declare(_ id: Identifier, _ type: ValueType) {
        if let previous = scopes[scopes.count - 1][id.name] {
            report(.redefinition(id.name, id.range, previous: previous.range))
            return
        }
        for scope in scopes.dropLast().reversed() {
            if let outer = scope[id.name] {
                report(.shadowedName(id.name, id.range, previous: outer.range))
                return
            }
        }
        scopes[scopes.count - 1][id.name] = Binding(type: type, range: id.range)
    }

    mutating func lookup(_ name: String, _ range: SourceRange) -> ValueType {
        switch whereSubjects.last {
        case .key?: if let field = ValueType.keyField(name), name != "secret" { return field }
        case .project?: if let field = ValueType.projectField(name) { return field }
        default: break
        }
        for scope in scopes.reversed() {
            if let b = scope[name] {
                if let definition = b.range { references.append(NameReference(name: name, use: range, definition: definition)) }
                return b.type
            }
        }
        if name == "key" && keyDepth > 0 { return .key }
        var visible = Set(scopes.flatMap(\.keys))
        if keyDepth > 0 { visible.insert("key") }
        switch whereSubjects.last {
        case .key?: visible.formUnion(Vocabulary.keyFields)
        case .project?: visible.formUnion(Vocabulary.projectFields)
        default: break
        }
        // `projects` is a keyword; a near miss (`projets`) reads as an undefined name.
        if nearest(name, in: visible) == nil, nearest(name, in: ["projects"]) != nil {
            report(.undefinedName(name, range, suggestion: "projects"))
            return .unknown
        }
        report(.undefinedName(name, range, suggestion: nearest(name, in: visible)))
        return .unknown
    }

    /// `svc-e`: words joined by `-` with no space, at least one of them undefined, reads as a
    /// key name without its quotes. Its text, else nil (`lifetime-1h` stays a subtraction).
    func unquotedName(_ e: Expr) -> String? {
        guard let words = e.hyphenatedWords else { return nil }
        var texts: [String] = []
        var undefined = false
        for w in words {
            guard let text = w.writtenWord else { return nil }
            texts.append(text)
            if case .identifier(let name) = w.kind, !isDefined(name) { undefined = true }
        }
        return undefined ? texts.joined(separator: "-") : nil
    }

    /// Whether a name resolves here, without reporting anything.
    func isDefined(_ name: String) -> Bool {
        switch whereSubjects.last {
        case .key?: if ValueType.keyField(name) != nil { return true }
        case .project?: if ValueType.projectField(name) != nil { return true }
        default: break
        }
        return scopes.contains { $0[name] != nil } || (name == "key" && keyDepth > 0)
    }

    mutating func withScope(_ body: (inout Checker) -> Void) {
        scopes.append([:])
        body(&self)
        scopes.removeLast()
    }

    // MARK: - Statements

    mutating func checkBlock(_ block: Block, declaring: (Identifier, ValueType)? = nil) {
        withScope { c in
            if let (id, t) = declaring { c.declare(id, t) }
            for s in block.statements { c.check(s, topLevel: false) }
        }
    }

    mutating func check(_ statement: Statement, topLevel: Bool) {
        switch statement.kind {
        case .create(let name, let clauses):
            expect(name, .string, "a key name (a string)")
            checkClauses(clauses, of: "create", allowed: ["scopes", "expire", "description", "id", "as", "secret to"], bulk: false)
        case .ensure(let name, let clauses):
            expect(name, .string, "a key name (a string)")
            checkClauses(clauses, of: "ensure", allowed: ["scopes", "expire", "description", "as", "secret to"], bulk: false)
        case .update(let target, let clauses):
            checkSelector(target)
            checkClauses(clauses, of: "update", allowed: ["name", "scopes", "expire", "description"], bulk: target.isBulk)
        case .grant(let target, let scopes, let clauses), .revoke(let target, let scopes, let clauses):
            checkSelector(target)
            keyDepth += 1
            expect(scopes, .scopes, "scopes (a scope list or a scope pattern)")
            keyDepth -= 1
            checkClauses(clauses, of: statement.keyword, allowed: [], bulk: target.isBulk)
        case .delete(let target, let clauses), .show(let target, let clauses):
            checkSelector(target)
            checkClauses(clauses, of: statement.keyword, allowed: [], bulk: target.isBulk)
        case .rollback(let target, let clauses):
            // The sinks get the old key's secret back before its successor is deleted.
            checkSelector(target)
            checkClauses(clauses, of: "rollback", allowed: ["as", "secret to"], bulk: target.isBulk)
        case .rotate(let target, let clauses):
            checkSelector(target)
            checkClauses(clauses, of: "rotate", allowed: ["grace", "expire", "as", "secret to"], bulk: target.isBulk)
        case .secret(let target, let clauses):
            checkSelector(target)
            checkClauses(clauses, of: "secret", allowed: ["secret to"], bulk: target.isBulk)
        case .ephemeral(let clauses):
            checkClauses(clauses, of: "ephemeral", allowed: ["scopes", "expire", "as", "secret to"], bulk: false)
            checkEphemeral(clauses, statement.range)
        case .list(let clauses):
            checkClauses(clauses, of: "list", allowed: ["where"], bulk: true)
        case .print(let values):
            for v in values { _ = typeOf(v) }
        case .let(let name, let value):
            declare(name, typeOf(value))
        case .param(let name, let value):
            if !topLevel { report(.misplacedStatement("param", statement.range)) }
            let t = value.map { typeOf($0) } ?? .unknown
            declare(name, t)
            parameters.append(ParameterInfo(name: name.name, type: t, isRequired: value == nil, range: name.range))
            if value == nil, let given = options.parameters, !given.contains(name.name) {
                report(.missingParameter(name.name, statement.range))
            }
        case .use(let endpoint, let project):
            if !topLevel { report(.misplacedStatement("use", statement.range)) }
            if let e = endpoint { expectPlainString(e, "an endpoint URL") }
            if let p = project { expectPlainString(p, "a project id") }
        case .assert(let condition, let message):
            expect(condition, .bool, "a condition (a bool)")
            if let m = message { expect(m, .string, "a message (a string)") }
        case .for(let variable, let sequence, let parallel, let body):
            let element: ValueType
            switch typeOf(sequence) {
            case .list(let t): element = t
            case .unknown: element = .unknown
            case let other:
                report(.typeMismatch(expected: "a list to iterate over", found: other, sequence.range))
                element = .unknown
            }
            if let p = parallel { checkParallel(p) }
            checkBlock(body, declaring: (variable, element))
        case .if(let branches, let elseBlock):
            for b in branches {
                expect(b.condition, .bool, "a condition (a bool)")
                checkBlock(b.body)
            }
            if let e = elseBlock { checkBlock(e) }
        case .inProject(let project, let body):
            let t = typeOf(project)
            if !(t.conforms(to: .project) || t == .string) {
                report(.typeMismatch(expected: "a project or a project id (a string)", found: t, project.range,
                                     help: t == .list(.project) ? "`in project` takes one project; iterate with `for p in projects { in project p { … } }`" : nil))
            }
            checkBlock(body)
        }
    }

    mutating func checkParallel(_ p: Expr) {
        expect(p, .int, "a number of iterations to run at once")
        if case .int(let n) = p.kind, !(1...64).contains(n) { report(.parallelOutOfRange(n, p.range)) }
        if case .unary(.negate, let inner) = p.kind, case .int(let n) = inner.kind { report(.parallelOutOfRange(-n, p.range)) }
    }

    mutating func checkEphemeral(_ clauses: [Clause], _ range: SourceRange) {
        if clauses.scopes == nil {
            report(.missingClause("scopes", statement: "ephemeral", range, help: "say what the key may do: scopes [databases.read]"))
        }
        guard let expire = clauses.expire else {
            report(.missingEphemeralExpiry(range))
            return
        }
        guard case .expiryIn(let d) = expire.kind else {
            report(.ephemeralExpiry(expire.range, found: article(typeOf(expire, reporting: false))))
            return
        }
        if case .duration(let seconds, let text) = d.kind, !(1...3600).contains(seconds) {
            report(.ephemeralExpiry(expire.range, found: "in \(text)"))
        }
    }

    // MARK: - Clauses

    mutating func checkClauses(_ clauses: [Clause], of statement: String, allowed: [String], bulk: Bool) {
        var seen: [String: SourceRange] = [:]
        var binding: Identifier? = nil
        keyDepth += 1
        for clause in clauses {
            let keyword = clause.keyword
            if !allowed.contains(keyword) {
                report(statement == "secret"
                    ? .clauseOnSecret(keyword, clause.keywordRange)
                    : .misplacedClause(keyword, statement: statement, clause.keywordRange, allowed: allowed))
            } else if keyword != "secret to" {
                if let previous = seen[keyword] {
                    report(.duplicateClause(keyword, clause.keywordRange, previous: previous))
                } else {
                    seen[keyword] = clause.keywordRange
                }
            }
            switch clause.kind {
            case .scopes(let e): expect(e, .scopes, "scopes (a scope list)")
            case .expire(let e): expectExpiry(e)
            case .description(let e): expect(e, .string, "a description (a string)")
            case .name(let e): expect(e, .string, "a key name (a string)")
            case .id(let e): expect(e, .string, "a key id (a string)")
            case .grace(let e):
                // `grace 0` (docs/language.md §7.6) is the one bare number that is a duration.
                if case .int(0) = e.kind { break }
                expect(e, .duration, "a grace period (a duration)", help: "write for example `grace 1h`, or `grace 0` to delete the old key at once")
                if case .unary(.negate, _) = e.kind { report(.invalidValue("a grace period cannot be negative", e.range, help: nil)) }
            case .as(let id):
                if bulk { report(.bulkBinding(clause.range)) }
                if allowed.contains("as") && binding == nil { binding = id }
            case .secretTo(let sink): checkSink(sink)
            case .where(let e):
                whereSubjects.append(.key)
                expect(e, .bool, "a condition (a bool)")
                whereSubjects.removeLast()
            }
        }
        keyDepth -= 1
        if let id = binding { declare(id, .key) }
    }

    mutating func expectExpiry(_ e: Expr) {
        let t = typeOf(e)
        guard !t.conforms(to: .expiry) else { return }
        report(.typeMismatch(expected: "an expiry (never, a time, or in DURATION)", found: t, e.range,
                             help: t == .duration ? "a duration is a length of time; write `expire in ...` for that long from now" : nil))
    }

    mutating func checkSink(_ sink: Sink) {
        switch sink.kind {
        case .file(let e): expect(e, .string, "a file path (a string)")
        case .env(let v, let p):
            expect(v, .string, "a variable name (a string)")
            expect(p, .string, "a dotenv file path (a string)")
        case .run(let e): expect(e, .string, "a command line (a string)")
        case .stdout: break
        }
    }

    mutating func checkSelector(_ s: Selector) {
        switch s.kind {
        case .name(let e), .all(let e): expect(e, .string, "a key name (a string)")
        case .id(let e): expect(e, .string, "a key id (a string)")
        case .variable(let id):
            let t = lookup(id.name, id.range)
            if !t.conforms(to: .key) {
                report(.typeMismatch(expected: "a key", found: t, id.range,
                                     help: t == .string ? "select a key by name with a string literal, or by id with `id \(id.name)`" : nil))
            }
        case .keysWhere(let cond):
            whereSubjects.append(.key)
            expect(cond, .bool, "a condition (a bool)")
            whereSubjects.removeLast()
        }
    }

    // MARK: - Expressions

    /// `use` names the target before anything runs, so only a string literal will do.
    mutating func expectPlainString(_ e: Expr, _ what: String) {
        if e.plainString == nil { report(.computedTarget(what, e.range)) }
    }

    mutating func expect(_ e: Expr, _ type: ValueType, _ what: String, help: String? = nil) {
        let t = typeOf(e)
        if !t.conforms(to: type) {
            var h = help
            if h == nil && type == .time && t == .duration { h = "a duration is not a point in time; write `now + ...`" }
            if h == nil && type == .string && t == .list(.string) { h = "pick one item, or iterate with `for`" }
            report(.typeMismatch(expected: what, found: t, e.range, help: h))
        }
    }

    mutating func typeOf(_ e: Expr, reporting: Bool) -> ValueType {
        if reporting { return typeOf(e) }
        let saved = diagnostics
        let t = typeOf(e)
        diagnostics = saved
        return t
    }

    mutating func typeOf(_ e: Expr) -> ValueType {
        switch e.kind {
        case .string(let parts):
            for p in parts {
                if case .interpolation(let inner) = p.kind, typeOf(inner) == .secret { report(.secretInString(inner.range)) }
            }
            return .string
        case .int: return .int
        case .bool: return .bool
        case .duration: return .duration
        case .timestamp, .now: return .time
        case .never: return .expiry
        case .expiryIn(let d):
            expect(d, .duration, "a duration after `in`", help: "write for example `in 90d`")
            return .expiry
        case .scopeList(let items):
            for item in items {
                switch item.kind {
                case .pattern(let p): checkPattern(p)
                case .variable(let id):
                    let t = lookup(id.name, id.range)
                    if !t.conforms(to: .scopes) { report(.typeMismatch(expected: "scopes in a scope list", found: t, id.range)) }
                }
            }
            return .scopes
        case .scopePattern(let p):
            checkPattern(p)
            return .scopes
        case .list(let items):
            var element: ValueType? = nil
            for item in items {
                let t = typeOf(item)
                if let el = element, !t.conforms(to: el), !el.conforms(to: t) {
                    report(.typeMismatch(expected: "\(article(el)) like the first item of the list", found: t, item.range))
                } else if element == nil || element == .unknown {
                    element = t
                }
            }
            return .list(element ?? .unknown)
        case .identifier(let name):
            return lookup(name, e.range)
        case .keys:
            return .list(.key)
        case .member(let base, let member):
            let t = typeOf(base)
            switch t {
            case .key:
                if let f = ValueType.keyField(member.name) { return f }
                report(.unknownField(member.name, member.range, suggestion: nearest(member.name, in: Set(Vocabulary.keyFields))))
                return .unknown
            case .project:
                if let f = ValueType.projectField(member.name) { return f }
                report(.unknownProjectField(member.name, member.range, suggestion: nearest(member.name, in: Set(Vocabulary.projectFields))))
                return .unknown
            case .unknown: return .unknown
            default:
                report(.noFields(t, e.range))
                return .unknown
            }
        case .call(let f, let args): return typeOfCall(f, args, e.range)
        case .unary(.not, let operand):
            expect(operand, .bool, "a bool after `not`")
            return .bool
        case .unary(.negate, let operand):
            let t = typeOf(operand)
            if t == .int || t == .duration || t == .unknown { return t }
            report(.typeMismatch(expected: "a number or a duration after `-`", found: t, operand.range))
            return .unknown
        case .binary(.minus, _, _) where unquotedName(e) != nil:
            report(.unquotedName(unquotedName(e)!, e.range))
            return .unknown
        case .binary(let op, let l, let r): return typeOfBinary(op, l, r, e.range)
        case .keysWhere(let cond):
            whereSubjects.append(.key)
            expect(cond, .bool, "a condition (a bool)")
            whereSubjects.removeLast()
            return .list(.key)
        case .selector(let s):
            checkSelector(s)
            return .unknown
        case .projects:
            return .list(.project)
        case .projectsWhere(let cond):
            whereSubjects.append(.project)
            expect(cond, .bool, "a condition (a bool)")
            whereSubjects.removeLast()
            return .list(.project)
        }
    }

    mutating func typeOfCall(_ f: Identifier, _ args: [Expr], _ range: SourceRange) -> ValueType {
        func count(_ c: inout Checker, _ n: ClosedRange<Int>) -> Bool {
            guard n.contains(args.count) else {
                c.report(.wrongArgumentCount(f.name, got: args.count, range))
                for a in args { _ = c.typeOf(a) }
                return false
            }
            return true
        }
        switch f.name {
        case "count":
            guard count(&self, 1...1) else { return .int }
            let t = typeOf(args[0])
            if case .list = t {} else if t != .unknown && t != .scopes {
                report(.typeMismatch(expected: "a list to count", found: t, args[0].range))
            }
            return .int
        case "len":
            guard count(&self, 1...1) else { return .int }
            let t = typeOf(args[0])
            switch t {
            case .list, .string, .scopes, .unknown: break
            default: report(.typeMismatch(expected: "a string or a list", found: t, args[0].range))
            }
            return .int
        case "env":
            guard count(&self, 1...2) else { return .string }
            for a in args { expect(a, .string, "a string") }
            return .string
        case "lines":
            guard count(&self, 1...1) else { return .list(.string) }
            expect(args[0], .string, "a file path (a string)")
            return .list(.string)
        case "exists":
            guard count(&self, 1...1) else { return .bool }
            _ = typeOf(args[0])
            return .bool
        default:
            report(.unknownFunction(f.name, f.range, suggestion: nearest(f.name, in: Set(Vocabulary.builtins))))
            for a in args { _ = typeOf(a) }
            return .unknown
        }
    }

    mutating func typeOfBinary(_ op: BinaryOperator, _ l: Expr, _ r: Expr, _ range: SourceRange) -> ValueType {
        switch op {
        case .and, .or:
            expect(l, .bool, "a bool before `\(op.rawValue)`")
            expect(r, .bool, "a bool after `\(op.rawValue)`")
            return .bool
        case .has:
            let lt = typeOf(l)
            if !lt.conforms(to: .scopes) { report(.typeMismatch(expected: "scopes before `has`", found: lt, l.range)) }
            let rt = typeOf(r)
            if !(rt.conforms(to: .scopes) || rt == .string) { report(.typeMismatch(expected: "a scope pattern after `has`", found: rt, r.range)) }
            return .bool
        case .match:
            expect(l, .string, "a string before `~`")
            expect(r, .string, "a glob pattern (a string) after `~`")
            return .bool
        case .in:
            let lt = typeOf(l)
            let rt = typeOf(r)
            switch rt {
            case .list(let el):
                if !lt.conforms(to: el) && !el.conforms(to: lt) { report(.badOperands("in", lt, rt, range)) }
            case .scopes:
                if !(lt.conforms(to: .scopes) || lt == .string) { report(.badOperands("in", lt, rt, range)) }
            case .unknown: break
            default: report(.typeMismatch(expected: "a list after `in`", found: rt, r.range))
            }
            return .bool
        case .equal, .notEqual:
            let lt = typeOf(l)
            let rt = typeOf(r)
            if !comparable(lt, rt) { report(.badOperands(op.rawValue, lt, rt, range)) }
            return .bool
        case .less, .lessEqual, .greater, .greaterEqual:
            let lt = typeOf(l)
            let rt = typeOf(r)
            let ordered: Set<ValueType> = [.int, .duration, .time, .expiry, .string, .unknown]
            if !ordered.contains(lt) || !ordered.contains(rt) || !comparable(lt, rt) {
                report(.badOperands(op.rawValue, lt, rt, range,
                                    help: (lt == .duration) != (rt == .duration) && (isTimeLike(lt) || isTimeLike(rt))
                                        ? "compare a time with a time: write `now + 7d` rather than `7d`" : nil))
            }
            return .bool
        case .plus, .minus:
            let lt = typeOf(l)
            let rt = typeOf(r)
            switch (lt, rt) {
            case (.unknown, _), (_, .unknown): return lt == .unknown ? (rt == .duration ? .unknown : rt) : lt
            case (.int, .int): return .int
            case (.duration, .duration): return .duration
            case (.time, .duration): return .time
            case (.duration, .time) where op == .plus: return .time
            case (.time, .time) where op == .minus: return .duration
            case (.string, .string) where op == .plus:
                report(.badOperands("+", lt, rt, range, help: "join strings by interpolation: \"${a}${b}\""))
                return .string
            default:
                report(.badOperands(op.rawValue, lt, rt, range, help: lt == .expiry ? "`never` and `in D` are not points in time; use a time such as `now`" : nil))
                return .unknown
            }
        }
    }

    func isTimeLike(_ t: ValueType) -> Bool { t == .time || t == .expiry }

    func comparable(_ a: ValueType, _ b: ValueType) -> Bool {
        if a.conforms(to: b) || b.conforms(to: a) { return true }
        return isTimeLike(a) && isTimeLike(b)
    }

    // MARK: - Scopes

    mutating func checkPattern(_ p: ScopePattern) {
        if p.isWildcard {
            // A script repeats its patterns: each is matched against the catalogue once.
            if matchingPatterns.contains(p.text) { return }
            if ScopeCatalogue.matchesAny(p.text) {
                matchingPatterns.insert(p.text)
            } else {
                let groupPatterns = Set(ScopeCatalogue.groups.map { $0 + ".*" })
                report(.patternMatchesNothing(p.text, p.range, suggestion: nearest(p.text, in: groupPatterns)))
            }
        } else if !ScopeCatalogue.contains(p.text) {
            report(.unknownScope(p.text, p.range, suggestion: nearest(p.text, in: ScopeCatalogue.set)))
        }
    }
}

