import Foundation
import KeyflowBasics
import KeyflowClient
import KeyflowLanguage

/// What an expression sees: the variables, the key a statement acts on (`key`), and inside
/// `where` the fields of the key being tested as bare names.
struct Scope: Sendable {
    var env: Environment
    var key: Key?
    var fields: Key?
    /// The project whose fields are bare names (inside `projects where`).
    var projectFields: Project?

    init(env: Environment, key: Key? = nil, fields: Key? = nil, projectFields: Project? = nil) {
        self.env = env
        self.key = key
        self.fields = fields
        self.projectFields = projectFields
    }

    func with(key: Key) -> Scope { Scope(env: env, key: key, fields: fields) }
    /// Inside `keys where`: the key's fields are bare names (the innermost `where` decides).
    func with(fields: Key) -> Scope { Scope(env: env, key: key, fields: fields) }
    /// Inside `projects where`: the project's fields are bare names.
    func with(projectFields: Project) -> Scope { Scope(env: env, key: key, projectFields: projectFields) }

    func lookup(_ name: String) -> Value? {
        if let projectFields, let v = Scope.field(name, of: projectFields) { return v }
        if let fields, let v = Scope.field(name, of: fields) { return v }
        if let v = env[name] { return v }
        if name == "key", let key { return .key(key) }
        return nil
    }

    static func field(_ name: String, of p: Project) -> Value? {
        switch name {
        case "id": .string(p.id)
        case "name": .string(p.name)
        case "created": .time(p.createdAt)
        case "updated": .time(p.updatedAt)
        default: nil
        }
    }

    static func field(_ name: String, of k: Key) -> Value? {
        switch name {
        case "id": .string(k.id)
        case "name": .string(k.name)
        case "scopes": .scopes(ScopeSet(k.scopes))
        case "expire": if case .at(let d) = k.expire { .time(d) } else { .expiry(.never) }
        case "created": .time(k.createdAt)
        case "updated": .time(k.updatedAt)
        case "accessed": k.accessedAt.map(Value.time) ?? .expiry(.never)
        case "description": .string(k.description)
        case "secret": .secret(k.secret)
        default: nil
        }
    }
}

extension Interpreter {
    /// `lines()`: the lines of a file, trimmed, without blank lines and `#` comments.
    static func lines(of data: Data) -> [String] {
        var lines: [String] = []
        let ascii = data.withUnsafeBytes { bytes -> Bool in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return false }
            // ASCII: the newlines (LF, VT, FF, CR) and the other white space (tab, space)
            // are single bytes; no need to find characters first.
            func isNewline(_ b: UInt8) -> Bool { (0x0A...0x0D).contains(b) }
            func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || isNewline(b) }
            for var line in bytes.split(whereSeparator: isNewline) {
                while let first = line.first, isSpace(first) { line.removeFirst() }
                while let last = line.last, isSpace(last) { line.removeLast() }
                if !line.isEmpty && line.first != UInt8(ascii: "#") { lines.append(String(decoding: line, as: UTF8.self)) }
            }
            return true
        }
        if ascii { return lines }
        for var line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            while line.first?.isWhitespace == true { line.removeFirst() }
            while line.last?.isWhitespace == true { line.removeLast() }
            if !line.isEmpty && line.first != "#" { lines.append(String(line)) }
        }
        return lines
    }

    /// A value's text as `print` and interpolation show it, refused when it would be longer
    /// than `room` bytes (a list's text is built item by item, so a list of a thousand
    /// copies of one long string fails before it is written out).
    func boundedText(_ v: Value, room: Int, _ range: SourceRange) throws(RuntimeError) -> String {
        let limit = budget.limits.maxStringBytes
        guard case .list(let items) = v else {
            let text = v.displayText
            guard text.utf8.count <= room else { throw .stringTooLong(limit, range) }
            return text
        }
        var out = "["
        for (i, item) in items.enumerated() {
            if i > 0 { out += ", " }
            let left = room - out.utf8.count - 1
            let piece: String
            if case .string = item { piece = item.literalText } else { piece = try boundedText(item, room: left, range) }
            guard piece.utf8.count <= left else { throw .stringTooLong(limit, range) }
            out += piece
        }
        return out + "]"
    }

    /// The file `lines()` names: a regular file no larger than the limit (a device, a FIFO
    /// or a folder would never end, or never begin).
    func readLinesFile(_ path: String, _ full: String, _ range: SourceRange) throws(RuntimeError) -> Data {
        var st = stat()
        guard stat(full, &st) == 0 else { throw .cannotRead(path, resolved: full, range) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .notARegularFile(path, what: "a folder", range)
        case S_IFIFO: throw .notARegularFile(path, what: "a FIFO (named pipe)", range)
        case S_IFCHR, S_IFBLK: throw .notARegularFile(path, what: "a device", range)
        case S_IFSOCK: throw .notARegularFile(path, what: "a socket", range)
        default: throw .notARegularFile(path, what: "not a regular file", range)
        }
        let limit = budget.limits.maxFileBytes
        guard Int(st.st_size) <= limit else { throw .fileTooLarge(path, size: Int(st.st_size), limit: limit, range) }
        guard let handle = FileHandle(forReadingAtPath: full) else { throw .cannotRead(path, resolved: full, range) }
        defer { try? handle.close() }
        // Read at most the limit and one byte: a file that grows meanwhile is still refused.
        let data = (try? handle.read(upToCount: limit + 1)) ?? Data()
        guard data.count <= limit else { throw .fileTooLarge(path, size: data.count, limit: limit, range) }
        return data
    }

    func eval(_ e: Expr, _ scope: Scope) async throws(RuntimeError) -> Value {
        switch e.kind {
        case .string(let parts):
            if parts.count == 1, case .text(let text) = parts[0].kind { return .string(text) }  // a plain literal
            var out = ""
            let limit = budget.limits.maxStringBytes
            for part in parts {
                let piece: String
                switch part.kind {
                case .text(let t): piece = t
                case .interpolation(let inner): piece = try boundedText(try await eval(inner, scope), room: limit - out.utf8.count, e.range)
                }
                guard out.utf8.count + piece.utf8.count <= limit else { throw .stringTooLong(limit, e.range) }
                out += piece
            }
            return .string(out)
        case .int(let i): return .int(i)
        case .bool(let b): return .bool(b)
        case .duration(let seconds, _): return .duration(seconds)
        case .timestamp(let t, _):
            return .time(Date(timeIntervalSince1970: TimeInterval(t.secondsSince1970) + TimeInterval(t.nanoseconds) / 1e9))
        case .now: return .time(Date())
        case .never: return .expiry(.never)
        case .expiryIn(let inner):
            return .expiry(.within(seconds: try await seconds(inner, scope)))
        case .scopeList(let items):
            var patterns: [String] = []
            for item in items {
                switch item.kind {
                case .pattern(let p): patterns.append(p.text)
                case .variable(let ident):
                    guard let v = scope.lookup(ident.name) else { throw .undefined(ident.name, ident.range) }
                    patterns += try scopeStrings(v, ident.range)
                }
            }
            return .scopes(ScopeSet.expanding(patterns))
        case .scopePattern(let p): return .scopes(ScopeSet.expanding([p.text]))
        case .list(let items):
            var out: [Value] = []
            for item in items { out.append(try await eval(item, scope)) }
            return .list(out)
        case .identifier(let name):
            guard let v = scope.lookup(name) else { throw .undefined(name, e.range) }
            return v
        case .keys:
            return .list(Self.sorted(try await allKeys(e.range)).map(Value.key))
        case .member(let base, let field):
            let v = try await eval(base, scope)
            switch v {
            case .key(let k):
                guard let f = Scope.field(field.name, of: k) else {
                    throw RuntimeError(.failure, .unknownField(field.name, field.range, suggestion: nil))
                }
                return f
            case .project(let p):
                guard let f = Scope.field(field.name, of: p) else {
                    throw RuntimeError(.failure, .unknownProjectField(field.name, field.range, suggestion: nil))
                }
                return f
            default:
                throw .typeMismatch(expected: "a key or a project before .\(field.name)", found: v, base.range)
            }
        case .call(let fn, let args):
            return try await call(fn, args, scope, e.range)
        case .unary(let op, let operand):
            let v = try await eval(operand, scope)
            switch (op, v) {
            case (.not, .bool(let b)): return .bool(!b)
            case (.negate, .int(let i)): return .int(-i)
            case (.negate, .duration(let s)): return .duration(-s)
            case (.not, _): throw .typeMismatch(expected: "a bool after not", found: v, operand.range)
            case (.negate, _): throw .typeMismatch(expected: "a number or duration after -", found: v, operand.range)
            }
        case .binary(let op, let lhs, let rhs):
            return try await binary(op, lhs, rhs, scope, e.range)
        case .keysWhere(let cond):
            return .list(Self.sorted(try await keys(where: cond, scope, e.range)).map(Value.key))
        case .selector(let sel):
            return .list(try await select(sel, scope).map(Value.key))
        case .projects:
            return .list(try await allProjects(e.range).map(Value.project))
        case .projectsWhere(let cond):
            var kept: [Value] = []
            for p in try await allProjects(e.range) where try await truth(cond, scope.with(projectFields: p)) { kept.append(.project(p)) }
            return .list(kept)
        }
    }

    func truth(_ e: Expr, _ scope: Scope) async throws(RuntimeError) -> Bool {
        let v = try await eval(e, scope)
        guard case .bool(let b) = v else { throw .typeMismatch(expected: "a condition (bool)", found: v, e.range) }
        return b
    }

    func string(_ e: Expr, _ scope: Scope) async throws(RuntimeError) -> String {
        let v = try await eval(e, scope)
        guard case .string(let s) = v else { throw .typeMismatch(expected: "a string", found: v, e.range) }
        return s
    }

    func optionalString(_ e: Expr?, _ scope: Scope) async throws(RuntimeError) -> String? {
        guard let e else { return nil }
        return try await string(e, scope)
    }

    func seconds(_ e: Expr, _ scope: Scope) async throws(RuntimeError) -> Int {
        let v = try await eval(e, scope)
        switch v {
        case .duration(let s): return s
        case .int(0): return 0
        default: throw .typeMismatch(expected: "a duration", found: v, e.range)
        }
    }

    func scopes(_ e: Expr, _ scope: Scope) async throws(RuntimeError) -> ScopeSet {
        let v = try await eval(e, scope)
        if case .scopes(let set) = v { return set }  // expanded already
        return ScopeSet.expanding(try scopeStrings(v, e.range))
    }

    func scopeStrings(_ v: Value, _ range: SourceRange) throws(RuntimeError) -> [String] {
        switch v {
        case .scopes(let s): return s.scopes
        case .string(let s): return [s]
        case .key(let k): return k.scopes
        case .list(let items):
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw .typeMismatch(expected: "scopes", found: item, range) }
                out.append(s)
            }
            return out
        default: throw .typeMismatch(expected: "scopes", found: v, range)
        }
    }

    func expiry(_ e: Expr, _ scope: Scope) async throws(RuntimeError) -> ExpirySpec {
        let v = try await eval(e, scope)
        switch v {
        case .expiry(let spec): return spec
        case .time(let d): return .at(d)
        case .duration(let s): return .within(seconds: s)
        default: throw .typeMismatch(expected: "an expiry (never, a time, or in DURATION)", found: v, e.range)
        }
    }

    // MARK: - Operators

    func binary(_ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, _ scope: Scope, _ range: SourceRange) async throws(RuntimeError)
        -> Value
    {
        switch op {
        case .and:
            guard try await truth(lhs, scope) else { return .bool(false) }
            return .bool(try await truth(rhs, scope))
        case .or:
            if try await truth(lhs, scope) { return .bool(true) }
            return .bool(try await truth(rhs, scope))
        default: break
        }
        let l = try await eval(lhs, scope), r = try await eval(rhs, scope)
        switch op {
        case .equal: return .bool(try equal(l, r, range))
        case .notEqual: return .bool(!(try equal(l, r, range)))
        case .less: return .bool(try order(l, r, range) < 0)
        case .lessEqual: return .bool(try order(l, r, range) <= 0)
        case .greater: return .bool(try order(l, r, range) > 0)
        case .greaterEqual: return .bool(try order(l, r, range) >= 0)
        case .match:
            guard case .string(let text) = l else { throw .typeMismatch(expected: "a string before ~", found: l, lhs.range) }
            guard case .string(let pattern) = r else { throw .typeMismatch(expected: "a glob pattern string after ~", found: r, rhs.range) }
            return .bool(globMatch(pattern, text))
        case .has:
            let held = ScopeSet.membership(try scopeStrings(l, lhs.range))
            let wanted = ScopeSet.expanding(try scopeStrings(r, rhs.range))
            return .bool(!wanted.scopes.isEmpty && wanted.scopes.allSatisfy(held))
        case .in:
            switch r {
            case .list(let items):
                for item in items where try equal(l, item, range) { return .bool(true) }
                return .bool(false)
            case .scopes(let s):
                guard case .string(let scopeName) = l else { throw .typeMismatch(expected: "a scope", found: l, lhs.range) }
                return .bool(s.contains(scopeName))
            default: throw .typeMismatch(expected: "a list after in", found: r, rhs.range)
            }
        case .plus, .minus:
            let plus = op == .plus
            switch (l, r) {
            case (.int(let a), .int(let b)): return .int(plus ? a + b : a - b)
            case (.duration(let a), .duration(let b)): return .duration(plus ? a + b : a - b)
            case (.time(let t), .duration(let d)): return .time(t.addingTimeInterval(TimeInterval(plus ? d : -d)))
            case (.duration(let d), .time(let t)) where plus: return .time(t.addingTimeInterval(TimeInterval(d)))
            case (.time(let a), .time(let b)) where !plus: return .duration(Int(a.timeIntervalSince(b).rounded()))
            case (.expiry(.never), .duration): return .expiry(.never)
            default:
                throw .cannotCombine(l, r, adding: plus, range)
            }
        case .and, .or: fatalError("handled above")
        }
    }

    /// A point in time for ordering; `never` is later than every time.
    func instant(_ v: Value) -> Double? {
        switch v {
        case .time(let d): d.timeIntervalSince1970
        case .expiry(.never): .infinity
        case .expiry(.at(let d)): d.timeIntervalSince1970
        case .expiry(.within(let s)): Date().timeIntervalSince1970 + Double(s)
        default: nil
        }
    }

    func order(_ l: Value, _ r: Value, _ range: SourceRange) throws(RuntimeError) -> Int {
        switch (l, r) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.duration(let a), .duration(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.string(let a), .string(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        default:
            if let a = instant(l), let b = instant(r) { return a < b ? -1 : (a == b ? 0 : 1) }
            throw .cannotCompare(l, r, range)
        }
    }

    func equal(_ l: Value, _ r: Value, _ range: SourceRange) throws(RuntimeError) -> Bool {
        switch (l, r) {
        case (.key(let a), .key(let b)): return a.id == b.id
        case (.scopes(let a), .scopes(let b)): return a.sameSet(as: b)
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where !(try equal(x, y, range)) { return false }
            return true
        case (.secret, _), (_, .secret):
            throw .secretsCannotBeCompared(range)
        default:
            if let a = instant(l), let b = instant(r) { return a == b }
            if l.typeName != r.typeName { throw .cannotCompare(l, r, range) }
            return l == r
        }
    }

    // MARK: - Builtins

    func call(_ fn: Identifier, _ args: [Expr], _ scope: Scope, _ range: SourceRange) async throws(RuntimeError) -> Value {
        func arity(_ n: ClosedRange<Int>) throws(RuntimeError) {
            guard n.contains(args.count) else {
                throw RuntimeError(.failure, .wrongArgumentCount(fn.name, got: args.count, range))
            }
        }
        switch fn.name {
        case "count", "len":
            try arity(1...1)
            if case .keysWhere(let cond) = args[0].kind {
                // Counting needs neither the keys in order nor as values.
                return .int(try await keys(where: cond, scope, args[0].range).count)
            }
            let v = try await eval(args[0], scope)
            switch v {
            case .list(let l): return .int(l.count)
            case .scopes(let s): return .int(s.scopes.count)
            case .string(let s) where fn.name == "len": return .int(s.count)
            default: throw .typeMismatch(expected: fn.name == "len" ? "a list, scopes or string" : "a list", found: v, args[0].range)
            }
        case "env":
            try arity(1...2)
            let name = try await string(args[0], scope)
            if let value = ProcessInfo.processInfo.environment[name] { return .string(value) }
            if args.count == 2 { return try await eval(args[1], scope) }
            throw .environmentVariableUnset(name, args[0].range)
        case "lines":
            try arity(1...1)
            let path = try await string(args[0], scope)
            let full = path.hasPrefix("/") ? path : (scriptDirectory as NSString).appendingPathComponent(path)
            let data = try readLinesFile(path, full, args[0].range)
            let lines = Self.lines(of: data)
            guard lines.count <= budget.limits.maxListItems else { throw .listTooLong(budget.limits.maxListItems, args[0].range) }
            return .list(lines.map(Value.string))
        case "exists":
            try arity(1...1)
            if case .selector(let sel) = args[0].kind {
                switch sel.kind {
                case .name(let n):
                    let name = try await string(n, scope)
                    try await load(sel.range)
                    let now = Date()
                    return .bool(cache.keys(named: name).contains { !Self.isExpired($0, now: now) })
                case .id(let i):
                    let id = try await string(i, scope)
                    try await load(sel.range)
                    return .bool(cache.key(id: id) != nil)
                default:
                    guard case .list(let l) = try await eval(args[0], scope) else { return .bool(false) }
                    return .bool(!l.isEmpty)
                }
            }
            let v = try await eval(args[0], scope)
            switch v {
            case .string(let name):
                try await load(args[0].range)
                return .bool(!cache.keys(named: name).isEmpty)
            case .list(let l): return .bool(!l.isEmpty)
            default: throw .typeMismatch(expected: "a selector", found: v, args[0].range)
            }
        default:
            throw RuntimeError(.failure, .unknownFunction(fn.name, fn.range, suggestion: nil))
        }
    }
}
