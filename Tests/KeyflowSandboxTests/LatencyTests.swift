import Foundation
import KeyflowTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
@testable import KeyflowSandbox

/// `--latency` and the request counter (docs/appwrite-api.md §12), over real HTTP.
@Suite struct LatencyTests {
    static func served(_ endpoint: String) async throws -> [String: Int] {
        let root = String(endpoint.dropLast("/v1".count))
        let answer = try await send("GET", root + "/_sandbox/requests")
        #expect(answer.status == 200)
        return (answer.json as? [String: Int]) ?? [:]
    }

    @Test func countsEveryRequestByMethodButNotItself() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let sandbox = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        defer { Task { await sandbox.stop() } }
        let c = sandbox.credentials
        let before = try await Self.served(c.endpoint)
        _ = try await send("GET", c.endpoint + "/project/keys", headers: keyHeaders(c))
        _ = try await send("GET", c.endpoint + "/health/version")
        _ = try await send("DELETE", c.endpoint + "/project/keys/missing", headers: keyHeaders(c))  // a 404 is served too
        let after = try await Self.served(c.endpoint)
        #expect(after["served"]! - before["served"]! == 3)
        #expect(after["GET"]! - (before["GET"] ?? 0) == 2)
        #expect(after["DELETE"]! - (before["DELETE"] ?? 0) == 1)
    }

    /// With a two-second delay the bounds are wide: eight requests side by side take about
    /// 2 s, one after another 16 s; a delayed counter would take 2 s, an undelayed one takes
    /// milliseconds. (Bounds of 150 ms failed under a load average of 20.)
    @Test func delaysEachRequestWithoutSerialisingThem() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var configuration = SandboxConfiguration(directory: dir.url)
        configuration.latency = .seconds(2)
        let sandbox = try await Sandbox.start(configuration)
        defer { Task { await sandbox.stop() } }
        let endpoint = sandbox.credentials.endpoint
        let clock = ContinuousClock()
        let one = try await clock.measure { _ = try await send("GET", endpoint + "/health/version") }
        #expect(one >= .seconds(2))
        let eight = try await clock.measure {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await send("GET", endpoint + "/health/version").status } }
                for try await status in group { #expect(status == 200) }
            }
        }
        #expect(eight >= .seconds(2) && eight < .seconds(10), "\(eight)")
        // The counter itself is not delayed.
        let count = try await clock.measure { _ = try await Self.served(endpoint) }
        #expect(count < .milliseconds(1800), "\(count)")
    }

    @Test func parsesTheLatencyLength() {
        #expect(ChaosPlan.milliseconds("25ms") == 25)
        #expect(ChaosPlan.milliseconds("0.1s") == 100)
        #expect(ChaosPlan.milliseconds("soon") == nil)
    }
}
