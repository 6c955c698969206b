import Foundation

/// Fault injection (`--chaos SPEC`): each Keys API request draws one outcome from a
/// seeded generator, so a run with the same seed and the same request order fails the
/// same way. Health and console login are never disturbed.
public struct ChaosPlan: Sendable, Equatable, CustomStringConvertible {
    /// What one request suffers.
    public enum Fault: Sendable, Equatable {
        /// Answer with this status (500 or 503) without doing anything.
        case status(Int)
        /// Answer 429 with `Retry-After`.
        case rateLimited
        /// Close the connection without answering (TCP reset).
        case reset
        /// Wait this many milliseconds, then serve the request normally.
        case delay(milliseconds: Int)
        /// Apply the request (commit any write), then answer 500.
        case commitThen500
    }

    /// Faults with their share of requests, in spec order.
    public let faults: [(fault: Fault, probability: Double)]

    public static let none = ChaosPlan(faults: [])

    public init(faults: [(fault: Fault, probability: Double)]) { self.faults = faults }

    public static func == (a: ChaosPlan, b: ChaosPlan) -> Bool {
        a.faults.map(\.fault) == b.faults.map(\.fault) && a.faults.map(\.probability) == b.faults.map(\.probability)
    }

    public var description: String {
        faults.map { item in
            let share = String(item.probability)
            switch item.fault {
            case .status(let code): return "\(code)=\(share)"
            case .rateLimited: return "429=\(share)"
            case .reset: return "reset=\(share)"
            case .delay(let ms): return "delay=\(share):\(ms)ms"
            case .commitThen500: return "commit-then-500=\(share)"
            }
        }.joined(separator: ",")
    }

    /// Parses `500=0.05,503=0.05,429=0.05,reset=0.02,delay=0.05:2s,commit-then-500=0.02`.
    /// Shares are in 0…1 and add up to at most 1; a delay names its length in `ms` or `s`.
    public static func parse(_ spec: String) throws(SandboxError) -> ChaosPlan {
        var faults: [(fault: Fault, probability: Double)] = []
        var total = 0.0
        for item in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = item.trimmingCharacters(in: .whitespaces)
            guard let eq = entry.firstIndex(of: "=") else {
                throw .invalidChaos("'\(entry)' is not NAME=SHARE (for example 500=0.05)")
            }
            let name = String(entry[..<eq])
            var rest = String(entry[entry.index(after: eq)...])
            var delay: Int?
            if name == "delay" {
                guard let colon = rest.firstIndex(of: ":") else {
                    throw .invalidChaos("delay needs a length: delay=SHARE:DURATION, for example delay=0.05:2s")
                }
                let length = String(rest[rest.index(after: colon)...])
                guard let ms = parseDuration(length) else {
                    throw .invalidChaos("'\(length)' is not a duration (use for example 250ms or 2s)")
                }
                delay = ms
                rest = String(rest[..<colon])
            }
            guard let share = Double(rest), share >= 0, share <= 1 else {
                throw .invalidChaos("'\(rest)' in '\(entry)' is not a share between 0 and 1")
            }
            let fault: Fault
            switch name {
            case "500": fault = .status(500)
            case "503": fault = .status(503)
            case "429": fault = .rateLimited
            case "reset": fault = .reset
            case "delay": fault = .delay(milliseconds: delay!)
            case "commit-then-500": fault = .commitThen500
            default:
                throw .invalidChaos("unknown fault '\(name)' (known: 500, 503, 429, reset, delay, commit-then-500)")
            }
            total += share
            faults.append((fault, share))
        }
        guard total <= 1.000_000_1 else {
            throw .invalidChaos("the shares add up to \(total), more than 1")
        }
        return ChaosPlan(faults: faults)
    }

    /// A duration such as `25ms` or `2s` in milliseconds (`--chaos` delays, `--latency`).
    public static func milliseconds(_ text: String) -> Int? { parseDuration(text) }

    private static func parseDuration(_ text: String) -> Int? {
        if text.hasSuffix("ms"), let v = Double(text.dropLast(2)), v >= 0 { return Int(v) }
        if text.hasSuffix("s"), let v = Double(text.dropLast()), v >= 0 { return Int(v * 1000) }
        return nil
    }
}

/// Draws faults from a ChaosPlan with a seeded SplitMix64 generator.
final class ChaosDice: Sendable {
    let plan: ChaosPlan
    private let state: Locked<UInt64>

    init(plan: ChaosPlan, seed: UInt64) {
        self.plan = plan
        state = Locked(seed)
    }

    /// The fault for the next request, or nil to serve it normally.
    func draw() -> ChaosPlan.Fault? {
        guard !plan.faults.isEmpty else { return nil }
        let bits = state.withLock { s -> UInt64 in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let u = Double(bits >> 11) / Double(1 << 53)
        var edge = 0.0
        for item in plan.faults {
            edge += item.probability
            if u < edge { return item.fault }
        }
        return nil
    }
}
