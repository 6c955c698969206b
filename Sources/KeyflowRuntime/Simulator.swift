import Foundation
import KeyflowClient
import KeyflowLanguage

/// A plan: every step is applied to the key cache, the plan's in-memory copy of the project,
/// and reported as `planned`. Later statements therefore see what earlier ones would have
/// done; nothing is sent but the first listing, and no sink is touched.
public struct Simulator: StepExecutor {
    public let keys: KeyCache
    public let project: String
    public let listings: Listings
    private let caches: ProjectCaches

    /// Simulates on `keys`, the copy of `project`'s keys; other projects' keys and the
    /// organization's projects come from `listings` (none without one).
    public init(keys: KeyCache, project: String = "", listings: Listings = Listings(api: nil)) {
        self.init(keys: keys, project: project, listings: listings, caches: ProjectCaches(target: project, keys: keys))
    }

    private init(keys: KeyCache, project: String, listings: Listings, caches: ProjectCaches) {
        self.keys = keys
        self.project = project
        self.listings = listings
        self.caches = caches
    }

    public var runsConcurrently: Bool { false }

    public func inProject(_ id: String) -> any StepExecutor {
        if id == project { return self }
        let listings = self.listings
        let keys = caches.cache(id) { KeyCache(loader: { () async throws(APIError) in try await listings.keys(of: id) }) }
        return Simulator(keys: keys, project: id, listings: listings, caches: caches)
    }

    public func perform(_ step: Step, emit: EventHandler) async throws(RuntimeError) -> StepResult {
        var step = step
        step.project = project
        emit(.planned(step))
        let now = Date()
        switch step.action {
        case .create(let id, let fields):
            if keys.key(id: id) != nil {
                // What the server would answer (ids are unique): a plan fails where the run would.
                let conflict = APIError.server(status: 409, type: "key_already_exists", message: "Key with the requested ID already exists.")
                throw .step(.api(conflict, during: "creating \(Format.quoted(fields.name))"), statement: step.statement, step.range)
            }
            let key = Key(id, fields: fields, now: now)
            keys.store(key)
            return .key(key)
        case .update(let before, let fields):
            let key = (keys.key(id: before.id) ?? before).replaced(by: fields, now: now)
            keys.store(key)
            return .key(key)
        case .delete(let key):
            keys.remove(id: key.id)
            return .deleted
        case .ephemeral(let scopes, let seconds):
            let key = Key(
                KeyID.unique(), fields: KeyFields(name: "", scopes: scopes, expire: .at(now.addingTimeInterval(TimeInterval(seconds)))),
                now: now)
            return .key(key)
        case .deliver:
            return .delivered
        case .rotate(let request):
            let outcome = Rotation.simulate(request, existing: keys.key(id: request.successorID), now: now)
            keys.store(outcome.successor)
            if let retired = outcome.retired { keys.store(retired) } else { keys.remove(id: request.old.id) }
            return .rotated(outcome)
        }
    }

    /// Nothing was created: the simulated key goes from the copy without a word.
    public func discard(created key: Key, by statement: Statement, emit: EventHandler) async -> String? {
        keys.remove(id: key.id)
        return nil
    }
}

extension Key {
    /// A key as the server would make it from `fields` (a simulated key has no secret:
    /// plans do not run sinks).
    init(_ id: String, fields: KeyFields, now: Date) {
        self.init(
            id: id, createdAt: now, updatedAt: now, name: fields.name, description: fields.description ?? "",
            expire: fields.expire, scopes: fields.scopes, secret: Secret(""))
    }

    /// The key after a PUT of `fields` (the PUT replaces; a description not sent is kept).
    func replaced(by fields: KeyFields, now: Date) -> Key {
        var k = self
        k.name = fields.name
        k.scopes = fields.scopes
        k.expire = fields.expire
        if let d = fields.description { k.description = d }
        k.updatedAt = now
        return k
    }
}
