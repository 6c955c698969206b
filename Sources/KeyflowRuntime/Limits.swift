import Foundation

/// What one plan or run may consume, so that no script — a mistake or an attack — can take
/// down the machine that runs it: every limit ends in a runtime error at the expression or
/// statement that reached it, never in an exhausted memory or a loop without end.
public struct Limits: Sendable, Hashable {
    /// The longest string a script may build (interpolation, `print`), in UTF-8 bytes.
    public var maxStringBytes: Int
    /// The most items a list may hold.
    public var maxListItems: Int
    /// The most loop iterations (`for`, summed over every loop) in one plan or run.
    public var maxIterations: Int
    /// The most steps (creates, updates, deletes, deliveries, …) one plan or run may take.
    public var maxSteps: Int
    /// The largest file `lines()` reads.
    public var maxFileBytes: Int

    public init(
        maxStringBytes: Int = 16 << 20, maxListItems: Int = 1_000_000, maxIterations: Int = 1_000_000, maxSteps: Int = 100_000,
        maxFileBytes: Int = 16 << 20
    ) {
        self.maxStringBytes = maxStringBytes
        self.maxListItems = maxListItems
        self.maxIterations = maxIterations
        self.maxSteps = maxSteps
        self.maxFileBytes = maxFileBytes
    }

    public static let standard = Limits()
}

/// The iterations and steps one plan or run has used so far (shared by every block and
/// every project it reaches, and by concurrent jobs).
final class Budget: @unchecked Sendable {
    let limits: Limits
    private let lock = NSLock()
    private var iterations = 0
    private var steps = 0

    init(_ limits: Limits) { self.limits = limits }

    /// Counts `n` more iterations; false once the limit is passed.
    func iterate(_ n: Int = 1) -> Bool {
        lock.withLock {
            iterations += n
            return iterations <= limits.maxIterations
        }
    }

    /// Counts one more step; false once the limit is passed.
    func step() -> Bool {
        lock.withLock {
            steps += 1
            return steps <= limits.maxSteps
        }
    }
}
