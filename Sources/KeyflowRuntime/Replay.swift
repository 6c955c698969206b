import Foundation
import KeyflowClient
import KeyflowLanguage

/// What a plan saved with `keyflow plan -o` needs from the plan pass: its steps as
/// reported, and every listing it read (docs/saved-plans.md).
public final class PlanRecording: @unchecked Sendable {
    private let lock = NSLock()
    private var steps: [Step] = []
    private var targetRead: SavedPlan.Read?
    /// The plan's listings of other projects and of the organization's projects.
    var listings: Listings?

    public init() {}

    func consume(_ event: Event) {
        if case .planned(let step) = event { lock.withLock { steps.append(step) } }
    }

    func read(project: String, namePrefix: String?, _ keys: [Key]) {
        lock.withLock { targetRead = SavedPlan.Read(project: project, namePrefix: namePrefix, keys: keys.map(SavedPlan.Fingerprint.init)) }
    }

    /// The saved plan of the pass just made against `target`.
    public func saved(target: TargetDescription, script: SavedPlan.Script, now: Date = Date()) async -> SavedPlan {
        let (listed, projects) = await listings?.listed() ?? ([:], nil)
        var reads: [SavedPlan.Read] = lock.withLock { targetRead.map { [$0] } ?? [] }
        for project in listed.keys.sorted() where project != target.project {
            reads.append(SavedPlan.Read(project: project, namePrefix: nil, keys: listed[project]!.map(SavedPlan.Fingerprint.init)))
        }
        let steps = lock.withLock { self.steps }.map { step in
            // A delivery of an ephemeral key names no key: the key is the one its
            // ephemeral step mints when the plan runs.
            guard case .deliver(let key, let sink) = step.action, key.name.isEmpty, !reads.contains(where: { $0.keys.contains { $0.id == key.id } })
            else { return step }
            var s = step
            s.action = .deliver(key: Key("", fields: KeyFields(name: "", scopes: []), now: Date(timeIntervalSince1970: 0)), sink: sink)
            return s
        }
        return SavedPlan(
            created: now,
            target: SavedPlan.Target(endpoint: target.endpoint, project: target.project, credential: target.credential, sandbox: target.isSandbox),
            script: script, reads: reads, organizationProjects: projects?.map(\.id), steps: steps)
    }
}

extension Session {
    /// Runs a saved plan: exactly its steps, in order, after checking — before the first
    /// write — that the target is the plan's and that no key the plan read has changed.
    /// Each key's secret comes from the server's listing, or from the step of this run
    /// that created it; a delivery of an ephemeral key delivers the key minted just before.
    /// `file` names the plan's file in diagnostics about the plan as a whole.
    public func run(saved plan: SavedPlan, file: String, options: RunOptions = RunOptions(), emit: @escaping EventHandler) async -> Summary {
        let tally = Tally(mode: .run)
        let out: EventHandler = { tally.consume($0); emit($0) }
        if options.announceTarget { out(.target(target, mode: .run)) }
        let start = SourceLocation(offset: 0, line: 1, column: 1)
        let range = SourceRange(file: file, start: start, end: start)
        /// A refusal before the first write: every step is left not done.
        func refuse(_ id: String, _ summary: String, help: String? = nil) -> Summary {
            tally.notDone = plan.steps
            return finish(
                tally,
                RuntimeError(
                    .failure,
                    Diagnostic(id: id, summary: summary, detail: "no key was changed: keyflow checks this before its first write", help: help, range: range)),
                out)
        }

        // 1. The target the plan was made for.
        if let mismatch = plan.targetMismatch(target) {
            return refuse(
                "saved-plan-target", "the saved plan was made for another target: \(mismatch)",
                help: "run it against \(plan.target.endpoint) project \(Format.quoted(plan.target.project)) with the same credentials, or plan again")
        }

        // 2. Every key it read, read again.
        let listings = Listings(api: api)
        var current: [String: [Key]] = [:]
        for read in plan.reads {
            do {
                current[read.project] =
                    read.project == api.project
                    ? try await KeyCache.fetchAll(from: api, namePrefix: read.namePrefix) : try await listings.keys(of: read.project)
            } catch {
                return finish(tally, .api(error, during: "listing the keys of project \(Format.quoted(read.project))", range), out)
            }
        }
        var changed = plan.changes(since: current)
        if let before = plan.organizationProjects {
            do {
                let now = try await listings.allProjects().map(\.id)
                for id in now where !before.contains(id) { changed.append("project \(Format.quoted(id)) is new") }
                for id in before where !now.contains(id) { changed.append("project \(Format.quoted(id)) is gone") }
            } catch {
                return finish(tally, .api(error, during: "listing the organization's projects", range), out)
            }
        }
        if !changed.isEmpty {
            let shown = changed.prefix(10).joined(separator: "; ") + (changed.count > 10 ? "; and \(changed.count - 10) more" : "")
            return refuse(
                "saved-plan-stale", "the keys this saved plan read changed since it was made (\(Format.isoTime(plan.created))): \(shown)",
                help: "plan again (keyflow plan -o) and review the new plan")
        }

        // 3. The steps, their keys as the server has them now.
        let executor = APIExecutor(
            api: api, sinks: options.sinks, keys: KeyCache(seed: current[api.project] ?? []), listings: listings,
            onStepFinished: options.onStepFinished)
        let listed = Dictionary(current.flatMap { project, keys in keys.map { ("\(project)/\($0.id)", $0) } }, uniquingKeysWith: { a, _ in a })
        let steps = plan.steps.map { step in
            Self.resolved(step, project: step.project.isEmpty ? api.project : step.project) { listed["\($0)/\($1)"] } ?? step
        }
        if !options.allowSelf, let own = ownKey {
            for step in steps {
                guard let danger = SelfLockout.danger(of: step, own: own) else { continue }
                return finish(tally, RuntimeError(.failure, SelfLockout.diagnostic(step, danger, refusing: true)), out)
            }
        }
        if let creating = steps.first(where: \.createsKey), !canCreateKeys,
            let refusal = await creationRefusal(existing: await Self.anyKey(api, current[api.project] ?? []))
        {
            return refuse(
                "session-required", "`\(creating.statement)` must create a key, but \(refusal)",
                help: "log in with `keyflow login --endpoint \(target.endpoint)`, or set APPWRITE_SESSION (a console session) for CI")
        }
        if let refusal = await confirmation(steps, options) { return finish(tally, refusal, out) }
        options.onPlanReady?(steps.count)

        // 4. The run: each step with the keys of this run so far.
        var minted: Key?
        for (n, saved) in plan.steps.enumerated() {
            let project = saved.project.isEmpty ? api.project : saved.project
            let here = executor.inProject(project)
            do {
                try await here.keys.load()
            } catch {
                tally.notDone = Array(plan.steps.dropFirst(n))
                return finish(tally, .api(error, during: "listing the keys of project \(Format.quoted(project))", saved.range), out)
            }
            guard let step = Self.resolved(saved, project: project, ephemeral: minted, { here.keys.key(id: $1) }) else {
                tally.notDone = Array(plan.steps.dropFirst(n))
                let error = RuntimeError(
                    .failure,
                    Diagnostic(
                        id: "saved-plan-key",
                        summary: "step \(n + 1) of the saved plan (`\(saved.statement)`) acts on a key this run does not have (\(saved.keyID.map { $0.isEmpty ? "an ephemeral key" : $0 } ?? "an ephemeral key"))",
                        range: saved.range))
                return finish(tally, error, out)
            }
            do {
                let result = try await here.perform(step, emit: out)
                if case .ephemeral = step.action { minted = result.key }
            } catch {
                tally.notDone = Array(plan.steps.dropFirst(n + 1))
                return finish(tally, error, out)
            }
        }
        return finish(tally, nil, out)
    }

    /// `step` with each key it names as `lookup(project, id)` has it now (nil when one is
    /// missing); a delivery of an ephemeral key gets `ephemeral`.
    static func resolved(_ step: Step, project: String, ephemeral: Key? = nil, _ lookup: (String, String) -> Key?) -> Step? {
        var s = step
        switch step.action {
        case .create, .ephemeral:
            return step
        case .update(let before, let fields):
            guard let now = lookup(project, before.id) else { return nil }
            s.action = .update(before: now, fields: fields)
        case .delete(let key):
            guard let now = lookup(project, key.id) else { return nil }
            s.action = .delete(now)
        case .deliver(let key, let sink):
            guard let now = key.id.isEmpty ? ephemeral : lookup(project, key.id) else { return nil }
            s.action = .deliver(key: now, sink: sink)
        case .rotate(var request):
            guard let old = lookup(project, request.old.id) else { return nil }
            request.old = old
            if let successor = request.existingSuccessor {
                guard let now = lookup(project, successor.id) else { return nil }
                request.existingSuccessor = now
            }
            s.action = .rotate(request)
        }
        return s
    }
}
