import Foundation
import KeyflowClient
import KeyflowLanguage

/// Options of one plan or run.
public struct RunOptions: Sendable {
    /// Concurrent requests of a bulk statement (`--parallel`, default 8).
    public var parallel: Int
    /// `name=value` arguments for `param`.
    public var params: [String: String]
    public var sinks: SinkWriter
    /// Folder that `lines("file")` reads from (the script's).
    public var scriptDirectory: String
    /// Called as each step of a run finishes, for a progress line.
    public var onStepFinished: (@Sendable (Step) -> Void)?
    /// Emit the `target` event first (the CLI does; a REPL names it once).
    public var announceTarget: Bool
    /// Told how many steps a run will take, once its plan pass is done (for progress).
    public var onPlanReady: (@Sendable (Int) -> Void)?
    /// What the script may consume (`--max-steps`, `--max-iterations`).
    public var limits: Limits = .standard
    /// `--strict`: warnings that would mislead a run are errors.
    public var strict = false
    /// `--allow-self`: a run may delete, retire at once, or cut the scopes or expiry of the
    /// API key it authenticates with (`SelfLockout`).
    public var allowSelf = false
    /// Asked, with the planned steps and the question, before the first write of a run
    /// that `Confirmation` says needs it; false aborts the run. nil: never asks (no terminal, `--yes`).
    public var confirm: (@Sendable (_ steps: [Step], _ question: String) async -> Bool)?
    /// Which runs `confirm` is asked about.
    public var confirmRule: Confirmation.Rule = .run

    public init(
        parallel: Int = 8, params: [String: String] = [:], sinks: SinkWriter = SinkWriter(),
        scriptDirectory: String = FileManager.default.currentDirectoryPath,
        onStepFinished: (@Sendable (Step) -> Void)? = nil, onPlanReady: (@Sendable (Int) -> Void)? = nil,
        announceTarget: Bool = true
    ) {
        self.onPlanReady = onPlanReady
        self.parallel = parallel
        self.params = params
        self.sinks = sinks
        self.scriptDirectory = scriptDirectory
        self.onStepFinished = onStepFinished
        self.announceTarget = announceTarget
    }
}

/// The public entry point of the runtime: a target, its API and the variables bound so far.
/// `keyflow plan`/`run` make one session per script; the REPL keeps one and feeds it
/// chunk after chunk, each seeing the bindings of the ones before.
public final class Session: @unchecked Sendable {
    public let api: any KeysAPI
    public let target: TargetDescription
    /// Whether a credential that every server lets create keys is at hand (a console
    /// session or an organization key); without one, a run whose plan creates keys asks
    /// the server first (`KeyCreationProbe`).
    public let canCreateKeys: Bool
    private let lock = NSLock()
    private var _environment = Environment()
    private var _keptKeys: SessionKeys?

    /// The API key this session authenticates with, to recognise it among the listed keys
    /// (`SelfLockout`); nil without one.
    public let ownKey: Secret?

    public init(api: any KeysAPI, target: TargetDescription, canCreateKeys: Bool, ownKey: Secret? = nil) {
        self.api = api
        self.target = target
        self.canCreateKeys = canCreateKeys
        self.ownKey = ownKey
    }

    /// The key list kept between chunks (the REPL sets one; `keyflow run` lists afresh).
    public var keptKeys: SessionKeys? {
        get { lock.withLock { _keptKeys } }
        set { lock.withLock { _keptKeys = newValue } }
    }

    /// Top-level bindings left by the chunks run so far.
    public var environment: Environment { lock.withLock { _environment } }

    /// Compiles a chunk against the bindings so far (the REPL's step before `run`).
    public func compile(_ source: String, file: String = "<repl>", parameters: Set<String>? = nil) -> (Program?, [Diagnostic]) {
        KeyflowLanguage.compile(source: source, file: file, options: CheckOptions(predeclared: environment.types, parameters: parameters))
    }

    /// Reads only: evaluates over an in-memory copy of the key list (`Simulator`) and
    /// reports each step as `planned`. Nothing is written, no sink is touched.
    /// With `recording`, also what a saved plan needs (`SavedPlan`): the steps and every
    /// listing read.
    public func plan(
        _ program: Program, source: String? = nil, options: RunOptions = RunOptions(), recording: PlanRecording? = nil,
        emit: @escaping EventHandler
    ) async -> Summary {
        let tally = Tally(mode: .plan)
        let own = ownKey
        let out: EventHandler = { event in
            tally.consume(event)
            recording?.consume(event)
            emit(event)
            // A step that would lock the run out is marked right below its line.
            if case .planned(let step) = event, let danger = SelfLockout.danger(of: step, own: own) {
                emit(.diagnostic(SelfLockout.diagnostic(step, danger, refusing: false)))
            }
        }
        if options.announceTarget { out(.target(target, mode: .plan)) }
        let api = self.api
        let kept = keptKeys
        let keys: KeyCache
        switch KeySource.choose(program, kept: kept, for: recording == nil ? .read : .savedPlan) {
        case .kept(let fresh):
            keys = KeyCache(seed: fresh)
        case .none:
            keys = KeyCache(source: api)
        case .list(let narrowing, let keep):
            let generation = kept?.currentGeneration ?? 0
            keys = KeyCache(
                loader: { () async throws(APIError) in
                    let listed = try await KeyCache.fetchAll(from: api, narrowedTo: narrowing)
                    // A saved plan's listing is never narrowed by names (`KeySource.Purpose.savedPlan`).
                    var prefix: String?
                    if case .prefix(let p) = narrowing { prefix = p }
                    recording?.read(project: api.project, namePrefix: prefix, listed)
                    if keep { kept?.store(listed, ifStill: generation) }
                    return listed
                }, everyName: everyName(narrowed: narrowing != nil))
        }
        let listings = Listings(api: api)
        recording?.listings = listings
        do {
            let simulator = Simulator(keys: keys, project: api.project, listings: listings)
            _ = try await interpreter(simulator, options, source).execute(program.statements, in: environment, emit: out)
        } catch {
            return finish(tally, error, out)
        }
        return finish(tally, nil, out)
    }

    /// Plans first (so a script that cannot finish fails before its first write, and a
    /// failure can say what was not done), then executes every step (`APIExecutor`).
    public func run(_ program: Program, source: String? = nil, options: RunOptions = RunOptions(), emit: @escaping EventHandler)
        async -> Summary
    {
        let tally = Tally(mode: .run)
        let out: EventHandler = { tally.consume($0); emit($0) }
        if options.announceTarget { out(.target(target, mode: .run)) }

        // 0. The keys it starts from (`KeySource`): none listed for a chunk that reaches no
        //    key, the session's kept list for a chunk that only reads, else one list request.
        let kept = keptKeys
        var start: StartingKeys
        var narrowed: Bool  // the list holds only the keys `KeyReach` bounds the chunk to
        do {
            (start, narrowed) = try await startingKeys(KeySource.choose(program, kept: kept, for: .read), kept, program.range)
        } catch {
            return finish(tally, error, out)
        }
        var every = everyName(narrowed: narrowed)  // listed at most once, for both passes
        let listings = Listings(api: api)

        // 1. The plan pass: the same evaluation over a copy of the list; its steps are not reported.
        var planned = StepCollector()
        var plannedEnvironment: Environment
        do {
            (planned, plannedEnvironment) = try await planPass(program, start.cache(every), listings, options, source)
            if case .kept = start, !planned.steps.isEmpty {
                // A write never starts from a kept list: list afresh and plan again.
                kept?.invalidate()
                (start, narrowed) = try await startingKeys(KeySource.choose(program, kept: kept, for: .write), kept, program.range)
                every = everyName(narrowed: narrowed)
                (planned, plannedEnvironment) = try await planPass(
                    program, start.cache(every), listings, options, source)
            }
        } catch {
            // Found before any write: the run does not start.
            return finish(tally, error, out, note: "nothing was changed")
        }
        let initial = start.known

        // 2. The run must not lock itself out halfway (unless it says so).
        if !options.allowSelf, let own = ownKey {
            for step in planned.steps {
                guard let danger = SelfLockout.danger(of: step, own: own) else { continue }
                return finish(tally, RuntimeError(.failure, SelfLockout.diagnostic(step, danger, refusing: true)), out)
            }
        }

        // 3. Creates need a credential the server accepts for them (docs/language.md, credentials).
        if let creating = planned.steps.first(where: \.createsKey), !canCreateKeys,
            let refusal = await creationRefusal(existing: await Self.anyKey(api, initial))
        {
            let error = RuntimeError(
                .failure,
                Diagnostic(
                    id: "session-required",
                    summary: "`\(creating.statement)` must create a key, but \(refusal)",
                    detail: "no key was changed: keyflow checks this before its first write",
                    help: "log in with `keyflow login --endpoint \(target.endpoint)`, or set APPWRITE_SESSION (a console session) for CI",
                    range: creating.range))
            return finish(tally, error, out)
        }

        // 4. A person at a terminal confirms a destructive or wide run.
        if let refusal = await confirmation(planned.steps, options) { return finish(tally, refusal, out) }

        options.onPlanReady?(planned.steps.count)

        // Nothing to change: the run would read the same keys and take no step, so its
        // output is the plan pass's (prints, up-to-date reports), and no second pass runs.
        if planned.steps.isEmpty {
            for event in planned.events { out(event) }
            lock.withLock { _environment = plannedEnvironment }
            return finish(tally, nil, out)
        }

        // 5. The run.
        kept?.invalidate()
        let executor = APIExecutor(
            api: api, sinks: options.sinks, keys: start.cache(every), listings: listings,
            onStepFinished: options.onStepFinished)
        do {
            let env = try await interpreter(executor, options, source).execute(program.statements, in: environment, emit: out)
            lock.withLock { _environment = env }
        } catch {
            let reached = tally.stepsReached
            tally.notDone = Array(planned.steps.dropFirst(reached))
            return finish(tally, error, out)
        }
        return finish(tally, nil, out)
    }

    /// The keys a run starts from, as `source` says, and whether the list is narrowed.
    private func startingKeys(_ source: KeySource, _ kept: SessionKeys?, _ range: SourceRange) async throws(RuntimeError)
        -> (StartingKeys, narrowed: Bool)
    {
        switch source {
        case .none:
            return (.onFirstUse(FirstListing { [api] () async throws(APIError) in try await KeyCache.fetchAll(from: api) }), false)
        case .kept(let keys):
            return (.kept(keys), false)
        case .list(let narrowing, let keep):
            let generation = kept?.currentGeneration ?? 0
            do {
                let listed = try await KeyCache.fetchAll(from: api, narrowedTo: narrowing)
                if keep { kept?.store(listed, ifStill: generation) }
                return (.listed(listed), narrowing != nil)
            } catch {
                throw .api(error, during: "listing the project's keys", range)
            }
        }
    }

    private func planPass(
        _ program: Program, _ keys: KeyCache, _ listings: Listings, _ options: RunOptions, _ source: String?
    ) async throws(RuntimeError) -> (StepCollector, Environment) {
        let planned = StepCollector()
        let simulator = Simulator(keys: keys, project: api.project, listings: listings)
        let env = try await interpreter(simulator, options, source).execute(program.statements, in: environment, emit: planned.consume)
        return (planned, env)
    }

    func interpreter(_ executor: any StepExecutor, _ options: RunOptions, _ source: String?) -> Interpreter {
        Interpreter(
            executor: executor, parallel: options.parallel, params: options.params, source: source,
            scriptDirectory: options.scriptDirectory, sinks: options.sinks, limits: options.limits, strict: options.strict)
    }

    func finish(_ tally: Tally, _ error: RuntimeError?, _ out: EventHandler, note: String? = nil) -> Summary {
        if let error {
            var d = error.diagnostic
            if let note, d.detail == nil {
                d = Diagnostic(d.severity, id: d.id, summary: d.summary, detail: note, help: d.help, range: d.range, notes: d.notes)
            }
            out(.diagnostic(d))
            tally.status = error.status
        }
        let summary = tally.summary
        out(.summary(summary))
        return summary
    }

    /// For a run whose list is narrowed to the keys its script can reach: the names of all
    /// keys, listed only when needed (a selector that finds no key suggests similar names;
    /// a `keys where` that matches every listed key is checked against the whole project),
    /// and then once for every pass that shares the answer.
    func everyName(narrowed: Bool) -> (@Sendable () async -> [String])? {
        guard narrowed else { return nil }
        let listing = FirstListing { [api] () async throws(APIError) in try await KeyCache.fetchAll(from: api) }
        return { (try? await listing.keys())?.map(\.name) ?? [] }
    }

    /// A key of the project, for `creationRefusal`: the first listed, or, when the list
    /// was narrowed to names that no key has yet, any other.
    static func anyKey(_ api: any KeysAPI, _ listed: [Key]) async -> Key? {
        if let first = listed.first { return first }
        return try? await api.listKeys(queries: [.limit(1)], total: false).keys.first
    }

    /// nil when the credential may create keys (or it cannot be told); otherwise why not.
    func creationRefusal(existing: Key?) async -> String? {
        guard let existing else { return nil }
        switch await KeyCreationProbe.run(api, existingId: existing.id) {
        case .denied: return "this server refuses to create keys with an API key (403 key_creation_denied)"
        case .unclear(.noCredential(let why)): return why
        case .allowed, .unclear: return nil
        }
    }
}

/// Adds up what a plan or run reports.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var _summary: Summary
    private let start = ContinuousClock.now
    private var reached = 0

    init(mode: Mode) { _summary = Summary(mode: mode, status: .ok) }

    func consume(_ e: Event) {
        lock.withLock {
            switch e {
            case .planned(let step): _summary.count(step); reached += 1
            case .finished(let step, _, _): _summary.count(step); reached += 1
            case .failed: reached += 1
            case .upToDate: _summary.upToDate += 1
            default: break
            }
        }
    }

    var status: Summary.Status {
        get { lock.withLock { _summary.status } }
        set { lock.withLock { _summary.status = newValue } }
    }
    var notDone: [Step] {
        get { lock.withLock { _summary.notDone } }
        set { lock.withLock { _summary.notDone = newValue } }
    }
    var stepsReached: Int { lock.withLock { reached } }
    var summary: Summary {
        lock.withLock {
            var s = _summary
            s.seconds = Summary.seconds(since: start)
            return s
        }
    }
}

/// The plan pass that precedes a run: its steps, and its other events (prints and
/// up-to-date reports), which stand for the run's own when there is nothing to do.
final class StepCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var _steps: [Step] = []
    private var _events: [Event] = []
    var consume: EventHandler {
        { [self] e in
            lock.withLock {
                if case .planned(let s) = e { _steps.append(s) } else { _events.append(e) }
            }
        }
    }
    var steps: [Step] { lock.withLock { _steps } }
    var events: [Event] { lock.withLock { _events } }
}

/// Where a run's keys come from (`Session.run`, step 0).
enum StartingKeys {
    /// One list request, made before the plan pass.
    case listed([Key])
    /// The session's kept list (a chunk that only reads).
    case kept([Key])
    /// Nothing listed: the chunk reaches no key; both passes share a list made on first use.
    case onFirstUse(FirstListing)

    /// The keys known before the run pass (none when nothing was listed).
    var known: [Key] {
        switch self {
        case .listed(let keys), .kept(let keys): keys
        case .onFirstUse: []
        }
    }

    /// A fresh cache over these keys, for one pass.
    func cache(_ everyName: (@Sendable () async -> [String])?) -> KeyCache {
        switch self {
        case .listed(let keys), .kept(let keys): KeyCache(seed: keys, everyName: everyName)
        case .onFirstUse(let listing): KeyCache(loader: { () async throws(APIError) in try await listing.keys() })
        }
    }
}

/// A list made at most once, on first use, shared by a run's plan pass and run pass.
final class FirstListing: @unchecked Sendable {
    private let lock = NSLock()
    private let load: @Sendable () async throws(APIError) -> [Key]
    private var task: Task<Result<[Key], APIError>, Never>?

    init(_ load: @escaping @Sendable () async throws(APIError) -> [Key]) { self.load = load }

    func keys() async throws(APIError) -> [Key] {
        let task = lock.withLock { () -> Task<Result<[Key], APIError>, Never> in
            if let existing = self.task { return existing }
            let load = self.load
            let made = Task { () -> Result<[Key], APIError> in
                do throws(APIError) { return .success(try await load()) } catch { return .failure(error) }
            }
            self.task = made
            return made
        }
        return try await task.value.get()
    }
}
