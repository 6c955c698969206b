import Foundation
import KeyflowTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `keyflow serve` binary (KEYFLOW_BIN, else .build/debug/keyflow): its ready
/// line, its flag errors, and no acknowledged write lost to kill -9.
@Suite(.serialized) struct KillTests {
    @Test func readyLineAndFlagErrors() throws {
        guard let binary = TestPaths.builtKeyflowBinary else {
            Issue.record("no keyflow binary: set KEYFLOW_BIN or build .build/debug/keyflow")
            return
        }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let server = try ServeProcess(data: dir.url)
        defer { server.stop() }
        #expect(server.readyLine.hasSuffix(" project sandbox\n"))
        #expect(server.readyLine.split(separator: "\n").count == 1)
        let bad = try runProcess(binary, ["serve", "--data", dir.url.path, "--chaos", "404=0.5"], mergingOutput: true)
        #expect(bad.status != 0)
        #expect(bad.stdout.contains("unknown fault '404'"))
    }

    @Test func killDashNineLosesNoAcknowledgedWrite() async throws {
        guard TestPaths.builtKeyflowBinary != nil else {
            Issue.record("no keyflow binary: set KEYFLOW_BIN or build .build/debug/keyflow")
            return
        }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let server = try ServeProcess(data: dir.url)
        let fields = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("sandbox.json"))) as! [String: Any]
        let credentials = fields.compactMapValues { $0 as? String }  // `projects` is an array
        let console = [
            "X-Appwrite-Project": credentials["project"]!, "Cookie": "a_session_console=\(credentials["session"]!)",
            "X-Appwrite-Mode": "admin",
        ]
        let endpoint = server.endpoint

        // Four writers create keys as fast as they can; the server is killed mid-load, once
        // enough writes have been acknowledged that the kill surely lands among them (counted,
        // not timed, so a loaded machine cannot make the window too short).
        let tally = Tally()
        let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
            for writer in 0..<4 {
                group.addTask {
                    var ids: [String] = []
                    for n in 0..<100_000 {
                        let id = "w\(writer)-\(n)"
                        guard let answer = try? await send(
                            "POST", endpoint + "/project/keys", headers: console,
                            body: #"{"keyId":"\#(id)","name":"load \#(n)","scopes":["users.read"]}"#)
                        else { break }
                        if answer.status == 201 {
                            ids.append(id)
                            await tally.add()
                        }
                    }
                    return ids
                }
            }
            group.addTask {
                let deadline = ContinuousClock.now + .seconds(300)
                while await tally.count < 40, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(5))
                }
                kill(server.processIdentifier, SIGKILL)
                return []
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(server.killNow(), "the server ended before it was killed")
        #expect(acknowledged.count >= 40, "only \(acknowledged.count) writes were acknowledged before the kill")

        let restarted = try ServeProcess(data: dir.url)
        defer { restarted.stop() }
        let headers = ["X-Appwrite-Project": credentials["project"]!, "X-Appwrite-Key": credentials["apiKey"]!]
        let list = try await send("GET", restarted.endpoint + "/project/keys", headers: headers)
        #expect(list.status == 200)
        let stored = Set(((list.json["keys"] as? [[String: Any]]) ?? []).compactMap { $0["$id"] as? String })
        let lost = acknowledged.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) acknowledged keys lost: \(lost.prefix(10))")
    }
}

/// How many writes the server has acknowledged so far, shared by the writers and the killer.
private actor Tally {
    private(set) var count = 0
    func add() { count += 1 }
}
