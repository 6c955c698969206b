import Foundation
import KeyflowClient
import KeyflowRuntime

/// The names completion offers from the configured target: the project's key names and
/// the organization's projects. The target and its credentials are resolved as the CLI
/// resolves them (`TargetResolver`: flags given to `keyflow lsp`, the environment, the
/// named context, the document's `use`). Fetched on first need through the runtime's
/// `Listings`, cached for `maximumAge` (failures too, so a broken target is not asked on
/// every keystroke), never awaited by diagnostics. A failure is logged once per fetch —
/// `TargetError` and `APIError` never carry a secret — and completion just offers less.
final class LiveNames: @unchecked Sendable {
    typealias Log = @Sendable (_ type: Int, _ message: String) -> Void

    private let options: TargetOptions
    private let environment: [String: String]
    private let log: Log
    private let maximumAge: TimeInterval
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var reportedNoTarget = false

    private struct Entry {
        let listings: Listings
        let project: String
        let endpoint: String
        let made: Date
        var keys: Task<[String], Never>?
        var projects: Task<[Project], Never>?
    }

    init(options: TargetOptions, environment: [String: String], maximumAge: TimeInterval = 60, log: @escaping Log) {
        self.options = options
        self.environment = environment
        self.maximumAge = maximumAge
        self.log = log
    }

    /// The key names of the target's project; waits at most `wait` for a first listing.
    func keyNames(script: ScriptTarget?, wait: Duration) async -> [String] {
        let task: Task<[String], Never>? = withEntry(script: script) { entry in
            if let known = entry.keys { return known }
            let listings = entry.listings, project = entry.project, endpoint = entry.endpoint, log = self.log
            let task = Task { () -> [String] in
                do throws(APIError) {
                    return Array(Set(try await listings.keys(of: project).map(\.name))).sorted()
                } catch {
                    log(MessageType.warning, "cannot list the keys of project \(project) at \(endpoint): \(error.description)")
                    return []
                }
            }
            entry.keys = task
            return task
        }
        guard let task else { return [] }
        return await firstOf(task, within: wait) ?? []
    }

    /// The organization's projects; waits at most `wait` for a first listing.
    func projects(script: ScriptTarget?, wait: Duration) async -> [Project] {
        let task: Task<[Project], Never>? = withEntry(script: script) { entry in
            if let known = entry.projects { return known }
            let listings = entry.listings, endpoint = entry.endpoint, log = self.log
            let task = Task { () -> [Project] in
                do throws(APIError) {
                    return try await listings.allProjects()
                } catch {
                    log(MessageType.warning, "cannot list the organization's projects at \(endpoint): \(error.description)")
                    return []
                }
            }
            entry.projects = task
            return task
        }
        guard let task else { return [] }
        return await firstOf(task, within: wait) ?? []
    }

    /// The cache entry of the resolved target (a fresh one when absent or too old); nil
    /// without a target.
    private func withEntry<T>(script: ScriptTarget?, _ body: (inout Entry) -> T) -> T? {
        let resolved: ResolvedTarget?
        do {
            resolved = try TargetResolver(options: options, environment: environment).resolve(script: script)
        } catch {
            log(MessageType.warning, "no live names for completion: \(error.description)")
            return nil
        }
        guard let resolved else {
            let first = lock.withLock {
                defer { reportedNoTarget = true }
                return !reportedNoTarget
            }
            if first { log(MessageType.info, "no target is configured: completion offers no live key or project names") }
            return nil
        }
        let cacheKey = resolved.endpoint + "\u{0}" + resolved.project
        return lock.withLock {
            if entries[cacheKey].map({ Date().timeIntervalSince($0.made) > maximumAge }) ?? true {
                // No retries: completion is best effort, and the next fetch is a minute away.
                var configuration = resolved.clientConfiguration()
                configuration.retry = .none
                entries[cacheKey] = Entry(
                    listings: Listings(api: AppwriteClient(configuration)), project: resolved.project,
                    endpoint: resolved.endpoint, made: Date())
            }
            return body(&entries[cacheKey]!)
        }
    }
}

/// The value of `task`, or nil when it takes longer than `wait` (the task goes on, and its
/// value is there for the next call).
func firstOf<T: Sendable>(_ task: Task<T, Never>, within wait: Duration) async -> T? {
    let once = Once<T?>()
    return await withCheckedContinuation { continuation in
        once.start(continuation)
        Task { once.finish(await task.value) }
        Task {
            try? await Task.sleep(for: wait)
            once.finish(nil)
        }
    }
}

/// Resumes a continuation once, with whichever value arrives first.
final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Never>?
    /// The first value, when it came before the continuation (at most one element).
    private var arrived: [T] = []
    private var finished = false

    func start(_ c: CheckedContinuation<T, Never>) {
        let ready: [T] = lock.withLock {
            if arrived.isEmpty { continuation = c }
            return arrived
        }
        if let value = ready.first { c.resume(returning: value) }
    }

    func finish(_ value: T) {
        let c: CheckedContinuation<T, Never>? = lock.withLock {
            if finished { return nil }
            finished = true
            guard let c = continuation else {
                arrived = [value]
                return nil
            }
            continuation = nil
            return c
        }
        c?.resume(returning: value)
    }
}
