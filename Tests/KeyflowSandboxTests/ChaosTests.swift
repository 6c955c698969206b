import Foundation
import KeyflowTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
@testable import KeyflowSandbox

@Suite struct ChaosTests {
    @Test func parsesTheDocumentedSpec() throws {
        let plan = try ChaosPlan.parse("500=0.05,503=0.05,429=0.05,reset=0.02,delay=0.05:2s,commit-then-500=0.02")
        #expect(plan.faults.map(\.fault) == [.status(500), .status(503), .rateLimited, .reset, .delay(milliseconds: 2000), .commitThen500])
        #expect(plan.faults.map(\.probability) == [0.05, 0.05, 0.05, 0.02, 0.05, 0.02])
        #expect(try ChaosPlan.parse("delay=0.5:250ms").faults[0].fault == .delay(milliseconds: 250))
    }

    @Test(arguments: ["404=0.1", "500", "500=2", "500=0.6,503=0.6", "delay=0.1", "delay=0.1:soon", "reset=-0.1"])
    func rejectsBadSpecs(_ spec: String) {
        #expect(throws: SandboxError.self) { try ChaosPlan.parse(spec) }
    }

    @Test func sameSeedSameFaults() throws {
        let plan = try ChaosPlan.parse("500=0.2,503=0.2,429=0.2,reset=0.1,commit-then-500=0.1")
        let a = ChaosDice(plan: plan, seed: 42)
        let b = ChaosDice(plan: plan, seed: 42)
        let c = ChaosDice(plan: plan, seed: 43)
        let drawsA = (0..<200).map { _ in a.draw() }
        #expect(drawsA == (0..<200).map { _ in b.draw() })
        #expect(drawsA != (0..<200).map { _ in c.draw() })
        // Shares are roughly honoured.
        let failures = drawsA.filter { $0 != nil }.count
        #expect((140...180).contains(failures), "\(failures) of 200 drew a fault; expected about 160")
    }

    /// Over real HTTP: each fault answers as documented, and commit-then-500 commits.
    @Test func faultsOverHTTP() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let plan = try ChaosPlan.parse("500=0.15,503=0.15,429=0.15,reset=0.15,commit-then-500=0.2,delay=0.1:50ms")
        let sandbox = try await Sandbox.start(SandboxConfiguration(directory: dir.url, chaos: plan, seed: 7))
        let c = sandbox.credentials
        var seen: Set<String> = []
        for n in 0..<60 {
            let name = "renamed \(n)"
            let put: HTTPAnswer
            do {
                put = try await send(
                    "PUT", c.endpoint + "/project/keys/sandbox-admin", headers: keyHeaders(c),
                    body: #"{"name":"\#(name)","scopes":["keys.read","keys.write"]}"#, timeout: 2)
            } catch {
                seen.insert("reset")
                continue
            }
            switch put.status {
            case 200: seen.insert("ok")
            case 429:
                seen.insert("429")
                #expect(put.headers["retry-after"] == "1")
                #expect(put.type == "general_rate_limit_exceeded")
            case 503:
                seen.insert("503")
            case 500:
                #expect(put.json["message"] as? String == "Server Error")
                // Either a plain 500 (nothing applied) or commit-then-500 (applied): read back to tell.
                for _ in 0..<20 {
                    guard let got = try? await send("GET", c.endpoint + "/project/keys/sandbox-admin", headers: keyHeaders(c)),
                        got.status == 200
                    else { continue }
                    seen.insert(got.json["name"] as? String == name ? "commit-then-500" : "500")
                    break
                }
            default:
                Issue.record("unexpected status \(put.status): \(put.text)")
            }
        }
        #expect(seen == ["ok", "429", "503", "500", "commit-then-500", "reset"], "saw \(seen.sorted())")
        // Health is never disturbed.
        for _ in 0..<20 {
            #expect(try await send("GET", c.endpoint + "/health/version").status == 200)
        }
        await sandbox.stop()
    }
}
