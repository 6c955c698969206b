import Foundation

/// A reproducible source of random numbers for tests that pick random moments (when to
/// kill a process): SplitMix64 from a seed that is printed, so a failure can be run again
/// with the same draws (`KEYFLOW_TEST_SEED=N`).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public let seed: UInt64
    private var state: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// The seed from `KEYFLOW_TEST_SEED`, else a fresh one; printed with `test`'s name.
    public static func announced(for test: String) -> SeededGenerator {
        let given = ProcessInfo.processInfo.environment["KEYFLOW_TEST_SEED"].flatMap { UInt64($0) }
        let generator = SeededGenerator(seed: given ?? UInt64.random(in: 0...UInt64.max))
        print("\(test): random seed \(generator.seed) (KEYFLOW_TEST_SEED=\(generator.seed) repeats these draws)")
        return generator
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
