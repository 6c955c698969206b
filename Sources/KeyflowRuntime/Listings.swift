import Foundation
import KeyflowClient

/// What a plan or run reads from the server once and shares between its passes: the key
/// list of every project an `in project` block reaches, and the organization's projects.
/// The plan pass of a run and the run pass start from the same listings, so the run does
/// what its plan showed; concurrent readers of one listing wait for the same request.
public final class Listings: @unchecked Sendable {
    private let api: (any KeysAPI)?
    private let lock = NSLock()
    private var keys: [String: Task<Result<[Key], APIError>, Never>] = [:]
    private var projects: Task<Result<[Project], APIError>, Never>?

    private let seededProjects: [Project]?

    /// Over `api`'s organization (nil: no server; every project is empty and there are none).
    public init(api: (any KeysAPI)?) {
        self.api = api
        seededProjects = nil
    }

    /// Listings given in advance (a plan over known lists: the plan corpus, a saved plan).
    public init(projects: [Project], keys: [String: [Key]]) {
        api = nil
        seededProjects = projects
        for (project, list) in keys { self.keys[project] = Task { .success(list) } }
    }

    /// The keys of `project`, listed on first use.
    public func keys(of project: String) async throws(APIError) -> [Key] {
        if let known = lock.withLock({ keys[project] }) { return try await known.value.get() }
        guard let api else { return [] }
        let task = lock.withLock {
            if let known = keys[project] { return known }
            let other = api.inProject(project)
            let task = Task { () -> Result<[Key], APIError> in
                do throws(APIError) { return .success(try await KeyCache.fetchAll(from: other)) } catch { return .failure(error) }
            }
            keys[project] = task
            return task
        }
        return try await task.value.get()
    }

    /// Lists the keys of each of `projects` not listed yet, at most `limit` at a time, and
    /// keeps them for `keys(of:)`; a failure is kept too, for the reader that needs that list.
    public func listKeys(of projects: [String], limit: Int) async {
        await withTaskGroup(of: Void.self) { group in
            var started = 0
            for project in projects {
                if started >= limit { await group.next() } else { started += 1 }
                group.addTask { _ = try? await self.keys(of: project) }
            }
        }
    }

    /// Every listing read so far that succeeded: the keys of each project, and the
    /// organization's projects (nil: not listed). For a saved plan's fingerprints.
    public func listed() async -> (keys: [String: [Key]], projects: [Project]?) {
        let (keyTasks, projectTask) = lock.withLock { (keys, projects) }
        var out: [String: [Key]] = [:]
        for (project, task) in keyTasks {
            if case .success(let list) = await task.value { out[project] = list }
        }
        var listedProjects: [Project]? = nil
        if let projectTask, case .success(let list) = await projectTask.value { listedProjects = list }
        return (out, listedProjects)
    }

    /// The organization's projects, listed on first use.
    public func allProjects() async throws(APIError) -> [Project] {
        if let seededProjects { return seededProjects }
        guard let api else { throw .noCredential("`projects` needs an organization: there is no server here") }
        let task = lock.withLock {
            if let known = projects { return known }
            let task = Task { () -> Result<[Project], APIError> in
                do throws(APIError) { return .success(try await api.listProjects()) } catch { return .failure(error) }
            }
            projects = task
            return task
        }
        return try await task.value.get()
    }
}

/// The key cache of each project one pass of a plan or run has acted on, so that two
/// `in project` blocks naming one project see one copy of its keys.
final class ProjectCaches: @unchecked Sendable {
    private let lock = NSLock()
    private var caches: [String: KeyCache]

    init(target: String, keys: KeyCache) {
        caches = [target: keys]
    }

    func cache(_ project: String, make: () -> KeyCache) -> KeyCache {
        lock.withLock {
            if let known = caches[project] { return known }
            let made = make()
            caches[project] = made
            return made
        }
    }
}
