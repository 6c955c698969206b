import Foundation
import KeyflowClient
import KeyflowLanguage

/// Why a step failed. Messages never contain a secret (API errors carry none; sink
/// errors scrub command output).
public enum StepError: Error, Sendable, CustomStringConvertible {
    case api(APIError, during: String)
    case sink(SinkError, note: String?)

    public var description: String {
        switch self {
        case .api(let e, let during): "\(during): \(e)"
        case .sink(let e, let note): "secret to \(e)" + (note.map { " (\($0))" } ?? "")
        }
    }

    public var apiError: APIError? {
        if case .api(let e, _) = self { return e }
        return nil
    }
}

/// Where the interpreter's steps go. Plan versus run is decided here, once, by which
/// executor a `Session` hands the interpreter: `Simulator` applies each step to the key
/// cache (the plan's in-memory copy of the project), `APIExecutor` sends it to the Keys API
/// and keeps the same cache current. The interpreter never asks which one it has.
public protocol StepExecutor: Sendable {
    /// The keys as this plan or run knows them; every step performed is reflected here.
    var keys: KeyCache { get }
    /// The project the steps act on.
    var project: String { get }
    /// What this plan or run lists once: other projects' keys, the organization's projects.
    var listings: Listings { get }
    /// The same kind of executor for another project of the organization (`in project`):
    /// a project met before in this pass keeps its key cache.
    func inProject(_ id: String) -> any StepExecutor
    /// Whether the jobs of a bulk statement are worth running side by side (requests wait
    /// on the network; a simulation does not).
    var runsConcurrently: Bool { get }
    /// Performs one step and reports it (`planned`, or `started` then `finished`/`failed`).
    func perform(_ step: Step, emit: EventHandler) async throws(RuntimeError) -> StepResult
    /// Takes back a key this run has just created, when its secret could not be delivered:
    /// a note for the error saying what became of the key (nil: there is nothing to say).
    func discard(created key: Key, by statement: Statement, emit: EventHandler) async -> String?
}

/// A run: every step goes to the Keys API (and sinks), and its result into the cache.
public struct APIExecutor: StepExecutor {
    public let api: any KeysAPI
    public let sinks: SinkWriter
    public let keys: KeyCache
    public let listings: Listings
    /// Called as each step finishes (not buffered), for progress lines.
    public let onStepFinished: (@Sendable (Step) -> Void)?
    private let caches: ProjectCaches

    public init(
        api: any KeysAPI, sinks: SinkWriter, keys: KeyCache, listings: Listings? = nil,
        onStepFinished: (@Sendable (Step) -> Void)? = nil
    ) {
        self.init(
            api: api, sinks: sinks, keys: keys, listings: listings ?? Listings(api: api),
            caches: ProjectCaches(target: api.project, keys: keys), onStepFinished: onStepFinished)
    }

    private init(
        api: any KeysAPI, sinks: SinkWriter, keys: KeyCache, listings: Listings, caches: ProjectCaches,
        onStepFinished: (@Sendable (Step) -> Void)?
    ) {
        self.api = api
        self.sinks = sinks
        self.keys = keys
        self.listings = listings
        self.caches = caches
        self.onStepFinished = onStepFinished
    }

    public var project: String { api.project }
    public var runsConcurrently: Bool { true }

    public func inProject(_ id: String) -> any StepExecutor {
        if id == project { return self }
        let listings = self.listings
        let keys = caches.cache(id) { KeyCache(loader: { () async throws(APIError) in try await listings.keys(of: id) }) }
        return APIExecutor(api: api.inProject(id), sinks: sinks, keys: keys, listings: listings, caches: caches, onStepFinished: onStepFinished)
    }

    public func perform(_ step: Step, emit: EventHandler) async throws(RuntimeError) -> StepResult {
        var step = step
        step.project = project
        emit(.started(step))
        let start = ContinuousClock.now
        do {
            let result = try await send(step)
            emit(.finished(step, result, seconds: Summary.seconds(since: start)))
            onStepFinished?(step)
            return result
        } catch {
            emit(.failed(step, message: error.description, seconds: Summary.seconds(since: start)))
            throw .step(error, statement: step.statement, step.range)
        }
    }

    public func discard(created key: Key, by statement: Statement, emit: EventHandler) async -> String? {
        do {
            _ = try await perform(Step(.delete(key), range: statement.range, statement: statement.keyword), emit: emit)
            return "the new key \(Format.quoted(key.name)) (\(key.id)) was deleted again, so nothing was left behind"
        } catch {
            return "deleting the new key \(Format.quoted(key.name)) (\(key.id)) failed too: delete it by hand"
        }
    }

    private func send(_ step: Step) async throws(StepError) -> StepResult {
        switch step.action {
        case .create(let id, let fields):
            let key: Key
            do {
                key = try await api.createKey(id: id, fields: fields)
            } catch {
                throw .api(error, during: "creating \(Format.quoted(fields.name))")
            }
            keys.store(key)
            return .key(key)
        case .update(let before, let fields):
            let key: Key
            do {
                key = try await api.replaceKey(id: before.id, fields: fields)
            } catch {
                throw .api(error, during: "updating \(Format.quoted(before.name)) (\(before.id))")
            }
            keys.store(key)
            return .key(key)
        case .delete(let key):
            do {
                try await api.deleteKey(id: key.id)
            } catch {
                throw .api(error, during: "deleting \(Format.quoted(key.name)) (\(key.id))")
            }
            keys.remove(id: key.id)
            return .deleted
        case .ephemeral(let scopes, let seconds):
            do {
                return .key(try await api.createEphemeralKey(scopes: scopes, duration: seconds))
            } catch {
                throw .api(error, during: "minting an ephemeral key")
            }
        case .deliver(let key, let sink):
            do {
                try await sinks.deliver(key.secret, to: sink, keyID: key.id, keyName: key.name)
            } catch {
                throw .sink(error, note: nil)
            }
            return .delivered
        case .rotate(let request):
            let outcome = try await Rotation.execute(request, api: api, sinks: sinks)
            keys.store(outcome.successor)
            if let retired = outcome.retired { keys.store(retired) } else { keys.remove(id: request.old.id) }
            return .rotated(outcome)
        }
    }
}
