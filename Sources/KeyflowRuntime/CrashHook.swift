import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A test-only fault hook: `KEYFLOW_TEST_CRASH_AT=<point>:<n>` makes the process SIGKILL itself
/// the n-th time a rotation reaches `point` (`create-start`, `create`, `deliver`, `retire`).
/// Lets the kill tests stop keyflow exactly at a step boundary. Unset, it does nothing.
enum CrashHook {
    private static let target: (point: String, count: Int)? = {
        guard let spec = ProcessInfo.processInfo.environment["KEYFLOW_TEST_CRASH_AT"],
            let colon = spec.lastIndex(of: ":"), let n = Int(spec[spec.index(after: colon)...]), n > 0
        else { return nil }
        return (String(spec[..<colon]), n)
    }()
    private static let counts = CrashCounter()

    static func reach(_ point: String) {
        guard let target, target.point == point else { return }
        if counts.increment(point) == target.count { kill(getpid(), SIGKILL) }
    }
}

private final class CrashCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func increment(_ point: String) -> Int {
        lock.withLock {
            counts[point, default: 0] += 1
            return counts[point]!
        }
    }
}
