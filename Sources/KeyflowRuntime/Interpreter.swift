import Foundation
import KeyflowClient
import KeyflowLanguage

/// Receives events as they happen (in source order, also under `parallel`).
public typealias EventHandler = @Sendable (Event) -> Void

/// Evaluates statements. Mutating statements become steps, handed to the executor one
/// by one as evaluation reaches them, so later statements see what earlier ones did. The
/// same code plans and runs: the executor it is given (`Simulator` or `APIExecutor`) is the
/// only difference, and the interpreter never asks which it has.
public final class Interpreter: Sendable {
    public let executor: any StepExecutor
    /// Concurrent requests of a bulk statement (`--parallel`).
    public let parallel: Int
    /// `name=value` arguments for `param`.
    public let params: [String: String]
    /// The script text, for quoting a failed assertion's condition.
    public let source: String?
    /// Folder that `lines("file")` is relative to (the script's).
    public let scriptDirectory: String
    /// Tells whether a file or dotenv sink holds a secret already (reads only; delivering
    /// is the executor's).
    public let sinks: SinkWriter
    /// The iterations and steps used so far, against the run's limits.
    let budget: Budget
    /// `--strict`: what would be a warning (a create of a name an active key has) is an error.
    public let strict: Bool

    var cache: KeyCache { executor.keys }

    public convenience init(
        executor: any StepExecutor, parallel: Int = 8, params: [String: String] = [:], source: String? = nil,
        scriptDirectory: String = FileManager.default.currentDirectoryPath, sinks: SinkWriter = SinkWriter(),
        limits: Limits = .standard, strict: Bool = false
    ) {
        self.init(
            executor: executor, parallel: parallel, params: params, source: source, scriptDirectory: scriptDirectory, sinks: sinks,
            budget: Budget(limits), strict: strict)
    }

    init(
        executor: any StepExecutor, parallel: Int, params: [String: String], source: String?, scriptDirectory: String,
        sinks: SinkWriter, budget: Budget, strict: Bool
    ) {
        self.budget = budget
        self.strict = strict
        self.executor = executor
        self.sinks = sinks
        self.parallel = max(1, parallel)
        self.params = params
        self.source = source
        self.scriptDirectory = scriptDirectory
    }

    /// Runs statements in order in `environment`; returns it with the new top-level bindings.
    public func execute(_ statements: [Statement], in environment: Environment, emit: @escaping EventHandler)
        async throws(RuntimeError) -> Environment
    {
        var env = environment
        for statement in statements { try await exec(statement, &env, emit) }
        return env
    }

    // MARK: - Statements: one method each, in the order of grammar/keyflow.ebnf

    func exec(_ s: Statement, _ env: inout Environment, _ emit: @escaping EventHandler) async throws(RuntimeError) {
        let scope = Scope(env: env)
        switch s.kind {
        case .create(let name, let clauses): try await execCreate(name, clauses, scope, s, &env, emit)
        case .ensure(let name, let clauses):
            let key = try await ensure(name, clauses, scope, s, emit)
            if let binding = clauses.binding { env.bind(binding.name, .key(key)) }
        case .update(let target, let clauses): try await execUpdate(target, clauses, scope, s, emit)
        case .grant(let target, let scopes, _): try await execGrant(target, scopes, granting: true, scope, s, emit)
        case .revoke(let target, let scopes, _): try await execGrant(target, scopes, granting: false, scope, s, emit)
        case .delete(let target, _): try await execDelete(target, scope, s, emit)
        case .rotate(let target, let clauses):
            let successor = try await rotate(target, clauses, scope, s, emit)  // RotationStatement.swift
            if let binding = clauses.binding, let k = successor { env.bind(binding.name, .key(k)) }
        case .rollback(let target, let clauses):
            let restored = try await rollback(target, clauses, scope, s, emit)  // Rollback.swift
            if let binding = clauses.binding, let k = restored { env.bind(binding.name, .key(k)) }
        case .secret(let target, let clauses): try await execSecret(target, clauses, scope, s, emit)
        case .ephemeral(let clauses): try await execEphemeral(clauses, scope, s, &env, emit)
        case .show(let target, _): try await execShow(target, scope, s, emit)
        case .list(let clauses): try await execList(clauses, scope, s, emit)
        case .print(let exprs): try await execPrint(exprs, scope, s, emit)
        case .let(let name, let value): env.bind(name.name, try await eval(value, scope))
        case .param(let name, let defaultValue): env.bind(name.name, try await param(name, defaultValue, scope))
        case .use: break  // resolved before the run starts (the command line's target resolution)
        case .assert(let condition, let message): try await execAssert(condition, message, scope, s)
        case .for(let variable, let sequence, let parallel, let body):
            try await execFor(variable, sequence, parallel, body, scope, env, emit)
        case .if(let branches, let elseBlock): try await execIf(branches, elseBlock, scope, env, emit)
        case .inProject(let project, let body): try await execInProject(project, body, scope, env, emit)
        }
    }

    func execCreate(
        _ nameExpr: Expr, _ clauses: [Clause], _ scope: Scope, _ s: Statement, _ env: inout Environment, _ emit: @escaping EventHandler
    ) async throws(RuntimeError) {
        let name = try await string(nameExpr, scope)
        let fields = KeyFields(
            name: name, scopes: try await scopesClause(clauses, scope)?.scopes ?? [],
            expire: try await expiryClause(clauses, scope)?.resolved(now: Date()) ?? .never,
            description: try await optionalString(clauses.keyDescription, scope))
        let id = try await optionalString(clauses.id, scope) ?? KeyID.unique()
        // A second active key of one name breaks every later selector of that name.
        try await load(s.range)
        let now = Date()
        if let existing = cache.keys(named: name).first(where: { !Self.isExpired($0, now: now) }) {
            let warning = Diagnostic.duplicateName(name, existing: existing.id, strict: strict, nameExpr.range)
            if strict { throw RuntimeError(.failure, warning) }
            emit(.diagnostic(warning))
        }
        let key = try await perform(Step(.create(id: id, fields: fields), range: s.range, statement: "create"), emit).key!
        try await deliverNew(key, clauses: clauses, scope: scope, s, emit)
        if let binding = clauses.binding { env.bind(binding.name, .key(key)) }
    }

    func execUpdate(
        _ target: KeyflowLanguage.Selector, _ clauses: [Clause], _ scope: Scope, _ s: Statement, _ emit: @escaping EventHandler
    ) async throws(RuntimeError) {
        try await eachKey(target, scope, s, emit) { key, scope, emit throws(RuntimeError) in
            var fields = Self.fields(of: key)
            if let n = clauses.name { fields.name = try await self.string(n, scope) }
            if let sc = try await self.scopesClause(clauses, scope) { fields.scopes = sc.scopes }
            if let e = try await self.expiryClause(clauses, scope) { fields.expire = e.resolved(now: Date()) }
            if let d = try await self.optionalString(clauses.keyDescription, scope) { fields.description = d }
            try await self.update(key, to: fields, s, emit)
        }
    }

    /// `grant` and `revoke`: the key's scopes with the given ones added or taken away.
    func execGrant(
        _ target: KeyflowLanguage.Selector, _ scopesExpr: Expr, granting: Bool, _ scope: Scope, _ s: Statement,
        _ emit: @escaping EventHandler
    ) async throws(RuntimeError) {
        try await eachKey(target, scope, s, emit) { key, scope, emit throws(RuntimeError) in
            let change = try await self.scopes(scopesExpr, scope)
            let current = ScopeSet(key.scopes)
            let next = granting ? current.union(change) : current.subtracting(change)
            var fields = Self.fields(of: key)
            fields.scopes = next.scopes
            try await self.update(key, to: fields, s, emit)
        }
    }

    func execDelete(_ target: KeyflowLanguage.Selector, _ scope: Scope, _ s: Statement, _ emit: @escaping EventHandler)
        async throws(RuntimeError)
    {
        try await eachKey(target, scope, s, emit) { key, _, emit throws(RuntimeError) in
            _ = try await self.perform(Step(.delete(key), range: s.range, statement: "delete"), emit)
        }
    }

    func execSecret(
        _ target: KeyflowLanguage.Selector, _ clauses: [Clause], _ scope: Scope, _ s: Statement, _ emit: @escaping EventHandler
    ) async throws(RuntimeError) {
        try await eachKey(target, scope, s, emit) { key, scope, emit throws(RuntimeError) in
            try await self.deliver(key, clauses: clauses, scope: scope, fresh: false, s, emit, always: true)
        }
    }

    /// `ephemeral`: the checker proves a literal expiry is `in` 1s to 1h; an expression's
    /// value is checked here, with the checker's diagnostic.
    func execEphemeral(_ clauses: [Clause], _ scope: Scope, _ s: Statement, _ env: inout Environment, _ emit: @escaping EventHandler)
        async throws(RuntimeError)
    {
        let scopes = try await scopesClause(clauses, scope)?.scopes ?? []
        guard let e = clauses.expire else {
            throw RuntimeError(.failure, .missingEphemeralExpiry(s.range))
        }
        let spec = try await expiry(e, scope)
        guard case .within(let seconds) = spec, (1...3600).contains(seconds) else {
            throw RuntimeError(.failure, .ephemeralExpiry(e.range, found: spec.phrase))
        }
        let key = try await perform(Step(.ephemeral(scopes: scopes, seconds: seconds), range: s.range, statement: "ephemeral"), emit).key!
        try await deliver(key, clauses: clauses, scope: scope, fresh: true, s, emit)
        if let binding = clauses.binding { env.bind(binding.name, .key(key)) }
    }

    func execShow(_ target: KeyflowLanguage.Selector, _ scope: Scope, _ s: Statement, _ emit: @escaping EventHandler)
        async throws(RuntimeError)
    {
        for key in try await select(target, scope) {
            emit(.key(key, range: s.range))
        }
    }

    func execList(_ clauses: [Clause], _ scope: Scope, _ s: Statement, _ emit: @escaping EventHandler) async throws(RuntimeError) {
        var keys = try await allKeys(s.range)
        if let cond = clauses.condition {
            var kept: [Key] = []
            for k in keys where try await truth(cond, scope.with(fields: k)) { kept.append(k) }
            keys = kept
        }
        emit(.keys(Self.sorted(keys), range: s.range))
    }

    func execPrint(_ exprs: [Expr], _ scope: Scope, _ s: Statement, _ emit: @escaping EventHandler) async throws(RuntimeError) {
        var out = ""
        var values: [Value] = []
        for (i, e) in exprs.enumerated() {
            let room = budget.limits.maxStringBytes - out.utf8.count - (i > 0 ? 1 : 0)
            let value = try await eval(e, scope)
            out += (i > 0 ? " " : "") + (try boundedText(value, room: room, e.range))
            values.append(value)
        }
        emit(.output(out, values: values, range: s.range))
    }

    func execAssert(_ condition: Expr, _ message: Expr?, _ scope: Scope, _ s: Statement) async throws(RuntimeError) {
        guard try await truth(condition, scope) else {
            let text = try await message.asyncMap { m throws(RuntimeError) in try await self.eval(m, scope).displayText }
            // A count over `keys where …` that fails says which keys it counted.
            var counted: [String] = []
            for (where_, range) in Self.countedSelections(in: condition) {
                let keys = try await keys(where: where_, scope, range)
                guard !keys.isEmpty else { continue }
                counted.append(
                    Diagnostic.offendingKeys(Self.sorted(keys).map { ($0.name, $0.id) }, condition: sourceText(where_.range) ?? "…"))
            }
            throw .assertion(
                text ?? sourceText(condition.range) ?? "condition is false", s.range,
                detail: counted.isEmpty ? nil : counted.joined(separator: "; "))
        }
    }

    /// The `keys where C` that `count(…)` or `len(…)` counts anywhere in an assertion's
    /// condition: each C with the range of the selection.
    static func countedSelections(in e: Expr) -> [(Expr, SourceRange)] {
        switch e.kind {
        case .call(let f, let args):
            if ["count", "len"].contains(f.name), args.count == 1, case .keysWhere(let c) = args[0].kind { return [(c, args[0].range)] }
            return args.flatMap { countedSelections(in: $0) }
        case .binary(_, let a, let b): return countedSelections(in: a) + countedSelections(in: b)
        case .unary(_, let a): return countedSelections(in: a)
        default: return []
        }
    }

    /// `for`: the checker proves a literal `parallel` is 1 to 64; an expression's value is
    /// checked here, with the checker's diagnostic.
    func execFor(
        _ variable: Identifier, _ sequence: Expr, _ parallelExpr: Expr?, _ body: Block, _ scope: Scope, _ env: Environment,
        _ emit: @escaping EventHandler
    ) async throws(RuntimeError) {
        let items: [Value]
        switch try await eval(sequence, scope) {
        case .list(let l): items = l
        case .scopes(let set): items = set.scopes.map(Value.string)
        case let other: throw .typeMismatch(expected: "a list", found: other, sequence.range)
        }
        var limit = 1
        if let p = parallelExpr {
            switch try await eval(p, scope) {
            case .int(let n) where (1...64).contains(n): limit = n
            case .int(let n): throw RuntimeError(.failure, .parallelOutOfRange(n, p.range))
            case let other: throw .typeMismatch(expected: "a number", found: other, p.range)
            }
        }
        await listProjectsAhead(items, variable, body, limit)
        let base = env
        let states = JobStates(count: items.count)
        do throws(RuntimeError) {
            try await runOrdered(count: items.count, limit: limit, emit: emit) { i, emit throws(RuntimeError) in
                guard self.budget.iterate() else { throw .tooManyIterations(self.budget.limits.maxIterations, sequence.range) }
                states.set(i, .running)
                var child = base
                child.bind(variable.name, items[i])
                do throws(RuntimeError) {
                    _ = try await self.execute(body.statements, in: child, emit: emit)
                } catch {
                    states.set(i, .cutOff)
                    throw error
                }
                states.set(i, .done)
            }
        } catch {
            // A loop over projects says how far each project got.
            let projects = items.compactMap { if case .project(let p) = $0 { p } else { nil } }
            guard projects.count == items.count, projects.count > 1 else { throw error }
            throw error.noting(states.report(names: projects.map(\.id)))
        }
    }

    /// A plan pass runs a loop's iterations one after another (`runOrdered`: a simulation
    /// waits on no network), except that each `in project p` of a loop over projects waits
    /// for that project's key list. When the body enters the loop's project at its top level,
    /// so every iteration lists it anyway, the lists are made before the loop, `limit` at a
    /// time: the same requests (`Listings` lists each project once), in flight side by side.
    func listProjectsAhead(_ items: [Value], _ variable: Identifier, _ body: Block, _ limit: Int) async {
        guard !executor.runsConcurrently, limit > 1 else { return }
        let entersEach = body.statements.contains { s in
            guard case .inProject(let target, _) = s.kind, case .identifier(let name) = target.kind else { return false }
            return name == variable.name
        }
        guard entersEach else { return }
        let own = executor.project  // its keys are the run's own list, not a `Listings` one
        let ids = items.compactMap { item -> String? in
            guard case .project(let p) = item, p.id != own else { return nil }
            return p.id
        }
        await executor.listings.listKeys(of: ids, limit: limit)
    }

    /// `in project EXPR { ... }`: the block against another project of the organization.
    /// Its steps go to that project (an executor of the same kind, with that project's key
    /// cache); its bindings end with it, as every block's do.
    func execInProject(_ target: Expr, _ body: Block, _ scope: Scope, _ env: Environment, _ emit: @escaping EventHandler)
        async throws(RuntimeError)
    {
        let id: String
        switch try await eval(target, scope) {
        case .project(let p): id = p.id
        case .string(let s) where !s.isEmpty: id = s
        case let other: throw .typeMismatch(expected: "a project or a project id", found: other, target.range)
        }
        let child = Interpreter(
            executor: executor.inProject(id), parallel: parallel, params: params, source: source, scriptDirectory: scriptDirectory,
            sinks: sinks, budget: budget, strict: strict)
        _ = try await child.execute(body.statements, in: env, emit: emit)
    }

    /// The organization's projects, listed once a plan or run.
    func allProjects(_ range: SourceRange) async throws(RuntimeError) -> [Project] {
        do {
            return try await executor.listings.allProjects()
        } catch {
            throw RuntimeError(
                .failure,
                Diagnostic(
                    id: "api-error", summary: "listing the organization's projects: \(error)", help: error.remedy, range: range))
        }
    }

    func execIf(_ branches: [ConditionalBranch], _ elseBlock: Block?, _ scope: Scope, _ env: Environment, _ emit: @escaping EventHandler)
        async throws(RuntimeError)
    {
        for branch in branches where try await truth(branch.condition, scope) {
            _ = try await execute(branch.body.statements, in: env, emit: emit)
            return
        }
        if let elseBlock { _ = try await execute(elseBlock.statements, in: env, emit: emit) }
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
            guard let note = await executor.discard(created: key, by: s, emit: emit) else { throw error }
            throw error.noting(note)
        }
    }

    /// The statement's `secret to` sinks for `key`. A file or dotenv line that already holds
    /// the secret is left alone; `run` and `stdout` deliver when the key is new (`fresh`) or
    /// the statement is `secret` itself (`always`).
    func deliver(
        _ key: Key, clauses: [Clause], scope: Scope, fresh: Bool, _ s: Statement, _ emit: @escaping EventHandler,
        always: Bool = false
    ) async throws(RuntimeError) {
        for sink in try await sinks(clauses, scope.with(key: key)) {
            switch sink {
            case .file, .env:
                if !fresh && self.sinks.isUpToDate(sink, secret: key.secret) {
                    emit(.upToDate(statement: "secret to \(sink.kindName)", name: key.name, range: s.range))
                    continue
                }
            case .run, .stdout:
                if !fresh && !always { continue }
            }
            _ = try await perform(Step(.deliver(key: key, sink: sink), range: s.range, statement: s.keyword), emit)
        }
    }

    /// Hands a step to the executor, which reports it.
    func perform(_ step: Step, _ emit: @escaping EventHandler) async throws(RuntimeError) -> StepResult {
        guard budget.step() else { throw .tooManySteps(budget.limits.maxSteps, step.range) }
        return try await executor.perform(step, emit: emit)
    }

    // MARK: - Selectors

    /// Runs `body` for every key the selector names: one at a time for a single key,
    /// concurrently (at most `parallel` at once) for a bulk selector, reported by name then id.
    func eachKey(
        _ target: KeyflowLanguage.Selector, _ scope: Scope, _ s: Statement, _ emit: @escaping EventHandler,
        _ body: @escaping @Sendable (Key, Scope, @escaping EventHandler) async throws(RuntimeError) -> Void
    ) async throws(RuntimeError) {
        let keys = try await select(target, scope)
        try await warnIfEveryKey(target, keys, s, emit)
        let limit = keys.count > 1 ? parallel : 1
        try await runOrdered(count: keys.count, limit: limit, emit: emit) { i, emit throws(RuntimeError) in
            try await body(keys[i], scope.with(key: keys[i]), emit)
        }
    }

    /// A `keys where` that matches every key of the project is worth a second look before
    /// a statement changes them all (a plan-time warning; a run's plan pass shows it too).
    func warnIfEveryKey(_ target: KeyflowLanguage.Selector, _ keys: [Key], _ s: Statement, _ emit: EventHandler) async throws(RuntimeError) {
        guard case .keysWhere = target.kind, !keys.isEmpty, keys.count == cache.all.count else { return }
        // A list narrowed to the names the script can reach (`KeyReach`) is not the whole project.
        guard await cache.everyName().count == keys.count else { return }
        emit(.diagnostic(.everyKeySelected(statement: s.keyword, count: keys.count, project: executor.project, target.range)))
    }

    func select(_ target: KeyflowLanguage.Selector, _ scope: Scope) async throws(RuntimeError) -> [Key] {
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
            try await cache.load()
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

    /// A `param`'s value. Whether every required one is given and every given one declared
    /// is the checker's to say (`CheckOptions.parameters`); the text's type is known only here.
    func param(_ name: Identifier, _ defaultValue: Expr?, _ scope: Scope) async throws(RuntimeError) -> Value {
        let fallback = try await defaultValue.asyncMap { e throws(RuntimeError) in try await self.eval(e, scope) }
        guard let text = params[name.name] else {
            if let fallback { return fallback }
            throw RuntimeError(.usage, .missingParameter(name.name, name.range))
        }
        guard let value = Params.parse(text, like: fallback) else {
            throw RuntimeError(
                .usage,
                .parameterType(
                    name.name, expected: fallback.map { "a " + $0.typeName } ?? "a value", example: fallback.flatMap { Params.example(like: $0, given: text) },
                    got: Format.quoted(text), name.range))
        }
        return value
    }

    func sourceText(_ range: SourceRange) -> String? {
        guard let source else { return nil }
        let bytes = Array(source.utf8)
        guard range.start.offset >= 0, range.end.offset <= bytes.count, range.start.offset < range.end.offset else { return nil }
        return String(decoding: bytes[range.start.offset..<range.end.offset], as: UTF8.self)
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

