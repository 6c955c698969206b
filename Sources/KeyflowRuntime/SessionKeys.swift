import Foundation
import KeyflowClient
import KeyflowLanguage

/// The REPL's copy of the project's keys, kept between chunks (docs/repl.md, "The key
/// cache"): a chunk that only reads keys is served from it while it is younger than
/// `maxAge`, so `show "ci"` in a project of thousands of keys costs no round trip. Writes
/// never start from it — a chunk whose plan has steps lists the keys afresh, as every
/// `keyflow run` does — and after a write it is dropped until the next full list. When
/// and how a chunk lists instead is `KeySource`'s decision (below).
/// Key names for completion come from the same list.
public final class SessionKeys: @unchecked Sendable {
    /// How long a full list serves reads (`KEYFLOW_REPL_CACHE_SECONDS`, default 10 s; 0 keeps none).
    public let maxAge: Duration
    private let lock = NSLock()
    private var keys: [Key]?
    /// False after a write: `keys` still name the keys for completion, but serve no read.
    private var valid = false
    private var listedAt = ContinuousClock.now
    /// Bumped by every `invalidate`, so a list that was in flight during a write is not kept.
    private var generation = 0

    public static let defaultMaxAge: Duration = .seconds(10)

    public init(maxAge: Duration = SessionKeys.defaultMaxAge) { self.maxAge = maxAge }

    /// The max age from `KEYFLOW_REPL_CACHE_SECONDS` (whole or fractional seconds), else the default.
    public static func maxAge(environment: [String: String]) -> Duration {
        guard let text = environment["KEYFLOW_REPL_CACHE_SECONDS"], let seconds = Double(text), seconds >= 0 else {
            return defaultMaxAge
        }
        return .milliseconds(Int(seconds * 1000))
    }

    /// The keys, when a full list younger than `maxAge` is at hand.
    public func fresh() -> [Key]? {
        lock.withLock {
            guard valid, let keys, ContinuousClock.now - listedAt < maxAge else { return nil }
            return keys
        }
    }

    /// The names of the last full list, however old (completion does not need them fresh).
    public var names: [String]? { lock.withLock { keys.map { Array(Set($0.map(\.name))).sorted() } } }

    /// Lists every key of the project and keeps the list.
    @discardableResult
    public func refresh(from api: any KeysAPI) async throws(APIError) -> [Key] {
        let started = lock.withLock { generation }
        let listed = try await KeyCache.fetchAll(from: api)
        store(listed, ifStill: started)
        return listed
    }

    /// Keeps a full list made by a chunk (unless a write came between).
    func store(_ listed: [Key], ifStill started: Int) {
        lock.withLock {
            guard generation == started else { return }
            keys = listed
            valid = true
            listedAt = .now
        }
    }

    var currentGeneration: Int { lock.withLock { generation } }

    /// After a write: the list no longer holds.
    public func invalidate() {
        lock.withLock {
            generation += 1
            valid = false
        }
    }
}

/// Where a plan or run gets the keys it starts from — decided here alone, for `keyflow
/// plan`/`run` (no kept list) and the REPL (docs/repl.md, "The key cache"):
///
/// - a chunk that reaches no key (`KeyReach.reachesKeys`) lists nothing up front;
/// - a chunk that only reads is served from a kept list younger than its age;
/// - otherwise one list request, narrowed as far as `KeyReach` bounds the chunk — except
///   that with a kept list to refill (the REPL), a chunk that does not name its keys exactly
///   lists every key and keeps the list for the chunks after it. A chunk whose keys are all
///   named exactly (`show "ci"`, `keys where name == "ci"`) asks for those names alone: one
///   round trip with a small answer, whatever the project's size.
/// - a write never starts from a kept list: it lists as `keyflow run` does;
/// - a saved plan lists narrowed by prefix only (its file records `name_prefix`,
///   docs/saved-plans.md), whatever is kept.
enum KeySource {
    /// Nothing listed up front (listed on first use, should the chunk reach a key after all).
    case none
    /// The session's kept list.
    case kept([Key])
    /// One list request (narrowed; nil: every key); `keep`: the list refills the kept one.
    case list(KeyNarrowing?, keep: Bool)

    enum Purpose {
        /// A chunk's first pass: it may turn out to write (its plan then has steps).
        case read
        /// A chunk whose plan has steps.
        case write
        /// `keyflow plan -o`.
        case savedPlan
    }

    static func choose(_ program: Program, kept: SessionKeys?, for purpose: Purpose) -> KeySource {
        if purpose == .savedPlan { return .list(KeyReach.namePrefix(of: program).map(KeyNarrowing.prefix), keep: false) }
        guard KeyReach.reachesKeys(program) else { return .none }
        let narrowing = KeyReach.narrowing(of: program)
        guard let kept, purpose == .read else { return .list(narrowing, keep: false) }
        if let fresh = kept.fresh() { return .kept(fresh) }
        if case .names = narrowing { return .list(narrowing, keep: false) }
        return .list(nil, keep: true)
    }
}
