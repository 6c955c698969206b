import Foundation
import KeyflowClient
import KeyflowLanguage

/// Variables in scope: `let`, `param`, `for` and `as` bindings. A value type: a block works
/// on a copy, so its bindings end with it (LANGUAGE.md §4: block-scoped, no reassignment).
public struct Environment: Sendable {
    /// Older bindings, shared by the environments copied from this one until one writes.
    private var settled: [String: Value] = [:]
    /// The latest few bindings (a loop's variable, its body's `let`s): every iteration of
    /// a loop copies the environment and binds, and a short list is cheaper to copy and
    /// extend than a dictionary is to copy and rehash.
    private var recent: [(name: String, value: Value)] = []

    public init() {}

    public var values: [String: Value] {
        var all = settled
        for (name, value) in recent { all[name] = value }
        return all
    }

    public subscript(name: String) -> Value? {
        for binding in recent where binding.name == name { return binding.value }
        return settled[name]
    }

    public mutating func bind(_ name: String, _ value: Value) {
        if let i = recent.firstIndex(where: { $0.name == name }) {
            recent[i].value = value
        } else if recent.count < 8 {
            recent.append((name, value))
        } else {
            for (n, v) in recent { settled[n] = v }
            recent = [(name, value)]
        }
    }

    /// The static types of the bindings, for checking the next chunk against them
    /// (`CheckOptions(predeclared:)`, as the REPL does).
    public var types: [String: ValueType] { values.mapValues(\.valueType) }
}

extension Value {
    /// The checker's type of this value.
    public var valueType: ValueType {
        switch self {
        case .string: .string
        case .int: .int
        case .bool: .bool
        case .duration: .duration
        case .time: .time
        case .expiry: .expiry
        case .scopes: .scopes
        case .list(let items): .list(items.first?.valueType ?? .unknown)
        case .key: .key
        case .secret: .secret
        }
    }
}

/// Receives events as they happen (in source order, also under `parallel`).
public typealias EventHandler = @Sendable (Event) -> Void

/// Evaluates statements. Mutating statements become steps, handed to the executor one
/// by one as evaluation reaches them, so later statements see what earlier ones did. The
/// same code plans and runs: only the executor's mode and API differ.
public final class Interpreter: Sendable {
    public let mode: Mode
    public let executor: Executor
    /// Concurrent requests of a bulk statement (`--parallel`).
    public let parallel: Int
    /// `name=value` arguments for `param`.
    public let params: [String: String]
    /// The script text, for quoting a failed assertion's condition.
    public let source: String?
    /// Folder that `lines("file")` is relative to (the script's).
    public let scriptDirectory: String
    /// Called as each step finishes (not buffered), for progress lines.
    public let onStepFinished: (@Sendable (Step) -> Void)?

    var cache: KeyCache { executor.cache }
    var api: any KeysAPI { executor.api }

    public init(
        executor: Executor, parallel: Int = 8, params: [String: String] = [:], source: String? = nil,
        scriptDirectory: String = FileManager.default.currentDirectoryPath,
        onStepFinished: (@Sendable (Step) -> Void)? = nil
    ) {
        self.mode = executor.mode
        self.executor = executor
        self.parallel = max(1, parallel)
        self.params = params
        self.source = source
        self.scriptDirectory = scriptDirectory
        self.onStepFinished = onStepFinished
    }

    /// Runs statements in order in `environment`; returns it with the new top-level bindings.
    public func execute(_ statements: [Statement], in environment: Environment, emit: @escaping EventHandler)
        async throws(RuntimeError) -> Environment
    {
        var env = environment
        for statement in statements { try await exec(statement, &env, emit) }
        return env
    }

    // MARK: - Statements

    func exec(_ s: Statement, _ env: inout Environment, _ emit: @escaping EventHandler) async throws(RuntimeError) {
        let scope = Scope(env: env)
        switch s.kind {
        case .create(let nameExpr, let clauses):
            let name = try await string(nameExpr, scope)
            let fields = KeyFields(
                name: name, scopes: try await scopesClause(clauses, scope)?.scopes ?? [],
                expire: try await expiryClause(clauses, scope)?.resolved(now: Date()) ?? .never,
                description: try await optionalString(clauses.keyDescription, scope))
            let id = try await optionalString(clauses.id, scope) ?? KeyID.unique()
            let key = try await perform(Step(.create(id: id, fields: fields), range: s.range, statement: "create"), emit).key!
            try await deliverNew(key, clauses: clauses, scope: scope, s, emit)
            if let binding = clauses.binding { env.bind(binding.name, .key(key)) }

        case .ensure(let nameExpr, let clauses):
            let key = try await ensure(nameExpr, clauses, scope, s, emit)
            if let binding = clauses.binding { env.bind(binding.name, .key(key)) }

        case .update(let target, let clauses):
            try await eachKey(target, scope, s, emit) { key, scope, emit throws(RuntimeError) in
                var fields = Self.fields(of: key)
                if let n = clauses.name { fields.name = try await self.string(n, scope) }
                if let sc = try await self.scopesClause(clauses, scope) { fields.scopes = sc.scopes }
                if let e = try await self.expiryClause(clauses, scope) { fields.expire = e.resolved(now: Date()) }
                if let d = try await self.optionalString(clauses.keyDescription, scope) { fields.description = d }
                try await self.update(key, to: fields, s, emit)
            }

        case .grant(let target, let scopesExpr, _), .revoke(let target, let scopesExpr, _):
            let granting = s.keyword == "grant"
            try await eachKey(target, scope, s, emit) { key, scope, emit throws(RuntimeError) in
                let change = try await self.scopes(scopesExpr, scope)
                let current = ScopeSet(key.scopes)
                let next = granting ? current.union(change) : current.subtracting(change)
                var fields = Self.fields(of: key)
                fields.scopes = next.scopes
                try await self.update(key, to: fields, s, emit)
            }

        case .delete(let target, _):
            try await eachKey(target, scope, s, emit) { key, _, emit throws(RuntimeError) in
                _ = try await self.perform(Step(.delete(key), range: s.range, statement: "delete"), emit)
            }

        case .rotate(let target, let clauses):
            let successor = try await rotate(target, clauses, scope, s, emit)  // RotationStatement.swift
            if let binding = clauses.binding, let k = successor { env.bind(binding.name, .key(k)) }

        case .rollback(let target, let clauses):
            let restored = try await rollback(target, clauses, scope, s, emit)  // Rollback.swift
            if let binding = clauses.binding, let k = restored { env.bind(binding.name, .key(k)) }

        case .secret(let target, let clauses):
            try await eachKey(target, scope, s, emit) { key, scope, emit throws(RuntimeError) in
                try await self.deliver(key, clauses: clauses, scope: scope, fresh: false, s, emit, always: true)
            }

        case .ephemeral(let clauses):
            let scopes = try await scopesClause(clauses, scope)?.scopes ?? []
            guard let e = clauses.expire else {
                throw .invalid("ephemeral needs `expire in DURATION` (1s to 1h)", s.range)
            }
            guard case .within(let seconds) = try await expiry(e, scope), (1...3600).contains(seconds) else {
                throw .invalid("an ephemeral key lives 1s to 1h: write `expire in 15m`", e.range)
            }
            let key = try await perform(Step(.ephemeral(scopes: scopes, seconds: seconds), range: s.range, statement: "ephemeral"), emit).key!
            try await deliver(key, clauses: clauses, scope: scope, fresh: true, s, emit)
            if let binding = clauses.binding { env.bind(binding.name, .key(key)) }

        case .show(let target, _):
            for key in try await select(target, scope, statement: "show", bulkAllowed: true) {
                emit(.output(Render.show(key), range: s.range))
            }

        case .list(let clauses):
            var keys = try await allKeys(s.range)
            if let cond = clauses.condition {
                var kept: [Key] = []
                for k in keys where try await truth(cond, scope.with(fields: k)) { kept.append(k) }
                keys = kept
            }
            emit(.output(Render.table(Self.sorted(keys)), range: s.range))

        case .print(let exprs):
            var parts: [String] = []
            for e in exprs { parts.append(try await eval(e, scope).displayText) }
            emit(.output(parts.joined(separator: " "), range: s.range))

        case .let(let name, let value):
            env.bind(name.name, try await eval(value, scope))

        case .param(let name, let defaultValue):
            env.bind(name.name, try await param(name, defaultValue, scope))

        case .use:
            break  // resolved before the run starts (Target)

        case .assert(let condition, let message):
            guard try await truth(condition, scope) else {
                let text = try await message.asyncMap { m throws(RuntimeError) in try await self.eval(m, scope).displayText }
                throw .assertion(text ?? sourceText(condition.range) ?? "condition is false", s.range)
            }

        case .for(let variable, let sequence, let parallelExpr, let body):
            let items: [Value]
            switch try await eval(sequence, scope) {
            case .list(let l): items = l
            case .scopes(let set): items = set.scopes.map(Value.string)
            case let other: throw .typeMismatch(expected: "a list", found: other, sequence.range)
            }
            var limit = 1
            if let p = parallelExpr {
                guard case .int(let n) = try await eval(p, scope), (1...64).contains(n) else {
                    throw .invalid("parallel takes a number from 1 to 64", p.range)
                }
                limit = n
            }
            let base = env
            try await runOrdered(count: items.count, limit: limit, emit: emit) { i, emit throws(RuntimeError) in
                var child = base
                child.bind(variable.name, items[i])
                _ = try await self.execute(body.statements, in: child, emit: emit)
            }

        case .if(let branches, let elseBlock):
            for branch in branches where try await truth(branch.condition, scope) {
                _ = try await execute(branch.body.statements, in: env, emit: emit)
                return
            }
            if let elseBlock { _ = try await execute(elseBlock.statements, in: env, emit: emit) }
        }
    }

    /// `ensure`: create when no active key has the name, otherwise converge scopes,
    /// description and expiry; a key that already matches produces no step.
    func ensure(_ nameExpr: Expr, _ clauses: [Clause], _ scope: Scope, _ s: Statement, _ emit: @escaping EventHandler)
        async throws(RuntimeError) -> Key
    {
        let name = try await string(nameExpr, scope)
        try await load(s.range)
        let now = Date()
        let active = cache.keys(named: name).filter { !Self.isExpired($0, now: now) }
        let wantScopes = try await scopesClause(clauses, scope)
        let wantExpire = try await expiryClause(clauses, scope)
        let wantDescription = try await optionalString(clauses.keyDescription, scope)
        guard active.count <= 1 else { throw .severalKeysNamed(name, active, nameExpr.range) }
        guard let existing = active.first else {
            let fields = KeyFields(
                name: name, scopes: wantScopes?.scopes ?? [], expire: wantExpire?.resolved(now: now) ?? .never,
                description: wantDescription)
            let key = try await perform(Step(.create(id: KeyID.unique(), fields: fields), range: s.range, statement: "ensure"), emit).key!
            try await deliverNew(key, clauses: clauses, scope: scope, s, emit)
            return key
        }
        var fields = Self.fields(of: existing)
        if let want = wantScopes, want.scopes != existing.scopes, !want.sameSet(as: ScopeSet(existing.scopes)) {
            fields.scopes = want.scopes
        }
        if let d = wantDescription { fields.description = d }
        switch wantExpire {
        case .none: break
        case .never: fields.expire = .never
        case .at(let date): if !FieldChange.sameExpiry(existing.expire, .at(date)) { fields.expire = .at(date) }
        case .within(let seconds):
            let limit = now.addingTimeInterval(TimeInterval(seconds))
            switch existing.expire {
            case .never: fields.expire = .at(limit)
            case .at(let current): if current.timeIntervalSince(limit) > 1 { fields.expire = .at(limit) }
            }
        }
        var key = existing
        if FieldChange.between(existing, fields).isEmpty {
            emit(.upToDate(statement: "ensure", name: name, range: s.range))
        } else {
            key = try await perform(Step(.update(before: existing, fields: fields), range: s.range, statement: "ensure"), emit).key!
        }
        try await deliver(key, clauses: clauses, scope: scope, fresh: false, s, emit)
        return key
    }

    func update(_ key: Key, to fields: KeyFields, _ s: Statement, _ emit: @escaping EventHandler) async throws(RuntimeError) {
        if FieldChange.between(key, fields).isEmpty {
            emit(.upToDate(statement: s.keyword, name: key.name, range: s.range))
        } else {
            _ = try await perform(Step(.update(before: key, fields: fields), range: s.range, statement: s.keyword), emit)
        }
    }

    /// Delivers the secret of a key this statement has just created. When a sink fails, the
    /// key is deleted again, so that no key is left whose secret reached nobody (a re-run of
    /// `create` would otherwise add a second one); the error says what became of it.
    func deliverNew(
        _ key: Key, clauses: [Clause], scope: Scope, _ s: Statement, _ emit: @escaping EventHandler
    ) async throws(RuntimeError) {
        do {
            try await deliver(key, clauses: clauses, scope: scope, fresh: true, s, emit)
        } catch {
            guard mode == .run else { throw error }
            let note: String
            do {
                _ = try await perform(Step(.delete(key), range: s.range, statement: s.keyword), emit)
                note = "the new key \(Format.quoted(key.name)) (\(key.id)) was deleted again, so nothing was left behind"
            } catch {
                note = "deleting the new key \(Format.quoted(key.name)) (\(key.id)) failed too: delete it by hand"
            }
            let d = error.diagnostic
            throw RuntimeError(
                error.kind,
                Diagnostic(
                    d.severity, id: d.id, summary: d.summary, detail: [d.detail, note].compactMap { $0 }.joined(separator: "; "),
                    help: d.help, range: d.range, notes: d.notes))
        }
    }

    /// The statement's `secret to` sinks for `key`. A file or dotenv line that already holds
    /// the secret is left alone; `run` and `stdout` deliver when the key is new (`fresh`) or
    /// the statement is `secret` itself (`always`).
    func deliver(
        _ key: Key, clauses: [Clause], scope: Scope, fresh: Bool, _ s: Statement, _ emit: @escaping EventHandler,
        always: Bool = false
    ) async throws(RuntimeError) {
        let sinks = try await sinks(clauses, scope.with(key: key))
        for sink in sinks {
            switch sink {
            case .file, .env:
                if !fresh && executor.sinks.isUpToDate(sink, secret: key.secret) {
                    emit(.upToDate(statement: "secret to \(sink.kindName)", name: key.name, range: s.range))
                    continue
                }
            case .run, .stdout:
                if !fresh && !always { continue }
            }
            _ = try await perform(Step(.deliver(key: key, sink: sink), range: s.range, statement: s.keyword), emit)
        }
    }

    /// Hands a step to the executor and reports it.
    func perform(_ step: Step, _ emit: @escaping EventHandler) async throws(RuntimeError) -> StepResult {
        if mode == .plan {
            emit(.planned(step))
            do {
                return try await executor.perform(step)
            } catch {
                throw .step(error, statement: step.statement, step.range)
            }
        }
        emit(.started(step))
        let start = ContinuousClock.now
        do {
            let result = try await executor.perform(step)
            emit(.finished(step, result, seconds: Self.seconds(since: start)))
            onStepFinished?(step)
            return result
        } catch {
            emit(.failed(step, message: error.description, seconds: Self.seconds(since: start)))
            throw .step(error, statement: step.statement, step.range)
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    // MARK: - Selectors

    /// Runs `body` for every key the selector names: one at a time for a single key,
    /// concurrently (at most `parallel` at once) for a bulk selector, reported by name then id.
    func eachKey(
        _ target: KeyflowLanguage.Selector, _ scope: Scope, _ s: Statement, _ emit: @escaping EventHandler,
        _ body: @escaping @Sendable (Key, Scope, @escaping EventHandler) async throws(RuntimeError) -> Void
    ) async throws(RuntimeError) {
        let selected = try await select(target, scope, statement: s.keyword, bulkAllowed: true)
        let keys = selected
        let limit = keys.count > 1 ? parallel : 1
        try await runOrdered(count: keys.count, limit: limit, emit: emit) { i, emit throws(RuntimeError) in
            try await body(keys[i], scope.with(key: keys[i]), emit)
        }
    }

    func select(_ target: KeyflowLanguage.Selector, _ scope: Scope, statement: String, bulkAllowed: Bool)
        async throws(RuntimeError) -> [Key]
    {
        switch target.kind {
        case .name(let e):
            let name = try await string(e, scope)
            try await load(target.range)
            let now = Date()
            let named = cache.keys(named: name)
            let active = named.filter { !Self.isExpired($0, now: now) }
            if active.count == 1 { return active }
            if active.isEmpty {
                let lower = name.lowercased()
                let near = Set(await cache.everyName()).filter {
                    $0.lowercased() == lower || $0.lowercased().contains(lower) || lower.contains($0.lowercased())
                }.sorted().prefix(3)
                throw .noKeyNamed(name, expired: named, candidates: Array(near), e.range)
            }
            throw .severalKeysNamed(name, active, e.range)
        case .all(let e):
            let name = try await string(e, scope)
            try await load(target.range)
            return Self.sorted(cache.keys(named: name))
        case .id(let e):
            let id = try await string(e, scope)
            try await load(target.range)
            guard let key = cache.key(id: id) else { throw .noKeyWithID(id, e.range) }
            return [key]
        case .variable(let ident):
            guard let value = scope.lookup(ident.name) else { throw .undefined(ident.name, ident.range) }
            let held: [Key]
            switch value {
            case .key(let k): held = [k]
            case .list(let items):
                var ks: [Key] = []
                for item in items {
                    guard case .key(let k) = item else { throw .typeMismatch(expected: "a key", found: item, ident.range) }
                    ks.append(k)
                }
                held = ks
            case let other: throw .typeMismatch(expected: "a key", found: other, ident.range)
            }
            try await load(target.range)
            var current: [Key] = []
            for k in held {
                guard let now = cache.key(id: k.id) else { throw .keyGone(k, ident.range) }
                current.append(now)
            }
            return current
        case .keysWhere(let cond):
            return Self.sorted(try await keys(where: cond, scope, target.range))
        }
    }

    /// The keys for which `cond` holds, in list order.
    func keys(where cond: Expr, _ scope: Scope, _ range: SourceRange) async throws(RuntimeError) -> [Key] {
        var kept: [Key] = []
        for k in try await allKeys(range) where try await truth(cond, scope.with(fields: k)) { kept.append(k) }
        return kept
    }

    func load(_ range: SourceRange) async throws(RuntimeError) {
        do {
            try await cache.load(from: api)
        } catch {
            throw .api(error, during: "listing the project's keys", range)
        }
    }

    func allKeys(_ range: SourceRange) async throws(RuntimeError) -> [Key] {
        try await load(range)
        return cache.all
    }

    static func sorted(_ keys: [Key]) -> [Key] {
        keys.sorted { $0.name != $1.name ? $0.name < $1.name : $0.id < $1.id }
    }

    static func isExpired(_ key: Key, now: Date) -> Bool {
        if case .at(let d) = key.expire { return d <= now }
        return false
    }

    /// A key's fields for a PUT that changes nothing (description sent only when set).
    static func fields(of key: Key) -> KeyFields {
        KeyFields(name: key.name, scopes: key.scopes, expire: key.expire, description: key.description.isEmpty ? nil : key.description)
    }

    // MARK: - Clauses

    func scopesClause(_ clauses: [Clause], _ scope: Scope) async throws(RuntimeError) -> ScopeSet? {
        guard let e = clauses.scopes else { return nil }
        return try await scopes(e, scope)
    }

    func expiryClause(_ clauses: [Clause], _ scope: Scope) async throws(RuntimeError) -> ExpirySpec? {
        guard let e = clauses.expire else { return nil }
        return try await expiry(e, scope)
    }

    func sinks(_ clauses: [Clause], _ scope: Scope) async throws(RuntimeError) -> [SecretSink] {
        var out: [SecretSink] = []
        for sink in clauses.sinks {
            switch sink.kind {
            case .file(let p): out.append(.file(path: try await string(p, scope)))
            case .env(let v, let p): out.append(.env(variable: try await string(v, scope), path: try await string(p, scope)))
            case .run(let c): out.append(.run(command: try await string(c, scope)))
            case .stdout: out.append(.stdout)
            }
        }
        return out
    }

    func param(_ name: Identifier, _ defaultValue: Expr?, _ scope: Scope) async throws(RuntimeError) -> Value {
        let fallback = try await defaultValue.asyncMap { e throws(RuntimeError) in try await self.eval(e, scope) }
        guard let text = params[name.name] else {
            if let fallback { return fallback }
            throw .usage("missing required parameter `\(name.name)`", help: "pass \(name.name)=VALUE on the command line", name.range)
        }
        guard let value = Params.parse(text, like: fallback) else {
            throw .usage(
                "parameter `\(name.name)` expects \(fallback.map { "a " + $0.typeName } ?? "a value"), got \(Format.quoted(text))",
                name.range)
        }
        return value
    }

    func sourceText(_ range: SourceRange) -> String? {
        guard let source else { return nil }
        let bytes = Array(source.utf8)
        guard range.start.offset >= 0, range.end.offset <= bytes.count, range.start.offset < range.end.offset else { return nil }
        return String(decoding: bytes[range.start.offset..<range.end.offset], as: UTF8.self)
    }

    // MARK: - Ordered concurrency

    /// Runs `count` jobs, at most `limit` at once. Each job's events are held back and
    /// released in job order, so output reads in source order. After a failure no new job
    /// starts; running ones finish; the first failure (in job order) is thrown.
    func runOrdered(
        count: Int, limit: Int, emit: @escaping EventHandler,
        _ job: @escaping @Sendable (Int, @escaping EventHandler) async throws(RuntimeError) -> Void
    ) async throws(RuntimeError) {
        if count == 0 { return }
        // A plan acts on an in-memory copy: nothing waits on the network, so jobs one after
        // another finish sooner than tasks that would only take turns on the same cores.
        if limit <= 1 || count == 1 || mode == .plan {
            for i in 0..<count { try await job(i, emit) }
            return
        }
        let buffers = (0..<count).map { _ in EventBuffer() }
        var done = [Bool](repeating: false, count: count)
        var flushed = 0
        var failure: (index: Int, error: RuntimeError)?
        await withTaskGroup(of: (Int, RuntimeError?).self) { group in
            var next = 0
            func launch() {
                let i = next
                next += 1
                let buffer = buffers[i]
                group.addTask {
                    do throws(RuntimeError) {
                        try await job(i, { buffer.append($0) })
                        return (i, nil)
                    } catch {
                        return (i, error)
                    }
                }
            }
            while next < min(limit, count) { launch() }
            while let (i, error) = await group.next() {
                done[i] = true
                if let error, failure.map({ i < $0.index }) ?? true { failure = (i, error) }
                while flushed < count && done[flushed] {
                    buffers[flushed].drain(into: emit)
                    flushed += 1
                }
                if failure == nil && next < count { launch() }
            }
        }
        for i in flushed..<count where done[i] { buffers[i].drain(into: emit) }
        if let failure { throw failure.error }
    }
}

/// Events of one job, held until their turn.
final class EventBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [Event] = []
    func append(_ e: Event) { lock.withLock { events.append(e) } }
    func drain(into emit: EventHandler) {
        let taken = lock.withLock {
            defer { events = [] }
            return events
        }
        taken.forEach(emit)
    }
}

/// The key a bulk statement's `as` binds (the last one).
final class BoundKey: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Key?
    func set(_ k: Key) { lock.withLock { value = k } }
    var key: Key? { lock.withLock { value } }
}

extension Optional {
    func asyncMap<T, E: Error>(_ f: (Wrapped) async throws(E) -> T) async throws(E) -> T? {
        guard let w = self else { return nil }
        return try await f(w)
    }
}

/// Typed `name=value` parameters: the default's type decides how the text is read.
public enum Params {
    public static func parse(_ text: String, like example: Value?) -> Value? {
        switch example {
        case nil, .string?: return .string(text)
        case .int?: return Int(text).map(Value.int)
        case .bool?:
            switch text.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: return nil
            }
        case .duration?: return durationSeconds(text).map(Value.duration)
        case .time?: return parseTime(text).map(Value.time)
        case .expiry?:
            if text == "never" { return .expiry(.never) }
            if text.hasPrefix("in ") { return durationSeconds(String(text.dropFirst(3))).map { .expiry(.within(seconds: $0)) } }
            if let s = durationSeconds(text) { return .expiry(.within(seconds: s)) }
            return parseTime(text).map { .expiry(.at($0)) }
        case .scopes?:
            return .scopes(ScopeSet.expanding(words(text)))
        case .list(let items)?:
            let parts = words(text)
            if let first = items.first, case .string = first { return .list(parts.map(Value.string)) }
            if items.isEmpty { return .list(parts.map(Value.string)) }
            var out: [Value] = []
            for p in parts {
                guard let v = parse(p, like: items[0]) else { return nil }
                out.append(v)
            }
            return .list(out)
        case .key?, .secret?: return nil
        }
    }

    /// `a,b,c` or `[a, b, c]` or `["a", "b"]`.
    static func words(_ text: String) -> [String] {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("[") && t.hasSuffix("]") { t = String(t.dropFirst().dropLast()) }
        return t.split(separator: ",").map {
            var w = $0.trimmingCharacters(in: .whitespaces)
            if w.count >= 2 && w.hasPrefix("\"") && w.hasSuffix("\"") { w = String(w.dropFirst().dropLast()) }
            return w
        }.filter { !$0.isEmpty }
    }

    /// `90s`, `15m`, `1h30m`, `7d`, `2w`.
    public static func durationSeconds(_ text: String) -> Int? {
        var total = 0, number = 0, digits = 0
        for c in text {
            if let d = c.wholeNumberValue, c.isASCII {
                number = number * 10 + d
                digits += 1
                if number > 1_000_000_000 { return nil }
            } else {
                guard digits > 0, let unit = Vocabulary.durationUnits.first(where: { $0.unit == c }) else { return nil }
                total += number * unit.seconds
                number = 0
                digits = 0
            }
        }
        return digits == 0 && total > 0 ? total : (text == "0s" ? 0 : nil)
    }

    /// `2026-12-31`, `2026-12-31T23:59:59Z`, `2026-12-31T23:59:59.000+00:00`.
    public static func parseTime(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withFullDate]
        return f.date(from: text)
    }
}
