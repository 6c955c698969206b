import Synchronization

/// Values a command keeps until the process exits, never freed: tearing down the syntax
/// tree of a large script costs about a fifth of checking it (0.08 s of the 100,000-statement
/// benchmark, docs/BENCHMARKS.md), and the process is about to exit anyway. clang's
/// `-disable-free` does the same. Only for commands that end after their work (`check`).
public enum KeptUntilExit {
    private static let kept = Mutex<[any Sendable]>([])

    public static func keep(_ value: any Sendable) {
        kept.withLock { $0.append(value) }
    }
}
