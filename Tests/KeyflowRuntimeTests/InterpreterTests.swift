import Foundation
import KeyflowBasics
import KeyflowClient
import KeyflowLanguage
import Testing

@testable import KeyflowRuntime

/// Evaluation semantics, planned and run against the real sandbox server (in process,
/// over HTTP, with SQLite storage). The end-to-end behaviour of the binary is in
/// KeyflowCLITests.
@Suite struct InterpreterTests {
    final class Recorder: @unchecked Sendable {
        let lock = NSLock()
        var events: [Event] = []
        func record(_ e: Event) { lock.withLock { events.append(e) } }
        var texts: [String] {
            lock.withLock { events.compactMap { TextReport().render($0)?.1 } }
        }
        var outputs: [String] {
            lock.withLock {
                events.compactMap {
                    switch $0 {
                    case .output, .keys, .key: TextReport().render($0)?.1
                    default: nil
                    }
                }
            }
        }
        var diagnostics: [Diagnostic] {
            lock.withLock { events.compactMap { if case .diagnostic(let d) = $0 { d } else { nil } } }
        }
    }

    static func key(_ name: String, id: String? = nil, scopes: [String] = ["users.read"], expire: Expiry = .never) -> Key {
        let now = Date()
        return Key(
            id: id ?? KeyID.unique(), createdAt: now.addingTimeInterval(-3600), updatedAt: now, name: name, expire: expire,
            scopes: scopes, secret: Secret("standard_" + UUID().uuidString))
    }

    /// A sandbox holding `keys` (with their ids, names, scopes, expiries and descriptions).
    func sandbox(_ keys: [Key] = []) async throws -> RotationTests.Fixture {
        let fixture = try await RotationTests.Fixture()
        for k in keys {
            _ = try await fixture.api.createKey(
                id: k.id, fields: KeyFields(name: k.name, scopes: k.scopes, expire: k.expire, description: k.description.isEmpty ? nil : k.description))
        }
        return fixture
    }

    func go(
        _ source: String, store: RotationTests.Fixture, mode: Mode = .run, params: [String: String] = [:], parallel: Int = 8,
        dir: String = NSTemporaryDirectory()
    ) async throws -> (Summary, Recorder) {
        // As `keyflow run` does: the checker is told which parameters were given.
        let (program, diagnostics) = compile(source: source, file: "test.kf", options: CheckOptions(parameters: Set(params.keys)))
        let rec = Recorder()
        guard let program else {
            for d in diagnostics { rec.record(.diagnostic(d)) }
            return (Summary(mode: mode, status: .invalid), rec)
        }
        let session = Session(
            api: store.api, target: TargetDescription(endpoint: store.sandbox.credentials.endpoint, project: "p", isSandbox: false, credential: "session"),
            canCreateKeys: true)
        let options = RunOptions(
            parallel: parallel, params: params, sinks: SinkWriter(baseDirectory: dir), scriptDirectory: dir)
        let summary =
            mode == .plan
            ? await session.plan(program, source: source, options: options, emit: rec.record)
            : await session.run(program, source: source, options: options, emit: rec.record)
        return (summary, rec)
    }

    /// The project's keys but the sandbox's bootstrap key, in list order.
    func keys(_ store: RotationTests.Fixture) async throws -> [Key] {
        try await store.keys()
    }

    @Test func ensureIsIdempotent() async throws {
        let store = try await sandbox([])
        defer { Task { await store.close() } }
        let script = """
            ensure "ci-prod" scopes [databases.read, users.read] expire in 90d description "CI"
            ensure "ci-dev" scopes [users.*]
            """
        let (first, _) = try await go(script, store: store)
        #expect(first.status == .ok)
        #expect(first.created == 2)
        let (plan, rec) = try await go(script, store: store, mode: .plan)
        #expect(plan.changes == 0)
        #expect(plan.upToDate == 2)
        #expect(rec.texts.last == "No changes: everything is up to date (2 checked).")
        let (second, _) = try await go(script, store: store)
        #expect(second.changes == 0)
        let all = try await keys(store)
        #expect(all.count == 2)
        let dev = try #require(all.first { $0.name == "ci-dev" })
        #expect(Set(dev.scopes) == Set(ScopeCatalogue.all.filter { $0.hasPrefix("users.") }))
    }

    @Test func ensureConvergesScopesAndOnlyShortensExpiry() async throws {
        let far = Date().addingTimeInterval(400 * 86400)
        let store = try await sandbox([Self.key("svc", scopes: ["users.read", "databases.write"], expire: .at(far))])
        defer { Task { await store.close() } }
        let (plan, rec) = try await go(
            #"ensure "svc" scopes [users.read, users.write] expire in 90d"#, store: store, mode: .plan)
        #expect(plan.updated == 1)
        let text = rec.texts.joined(separator: "\n")
        #expect(text.contains("~ update \"svc\""))
        #expect(text.contains("scopes +users.write -databases.write"))
        #expect(text.contains("expire \(Format.time(far)) → "))
        // The plan wrote nothing.
        #expect(try await keys(store)[0].scopes == ["users.read", "databases.write"])
        // A key that expires sooner than the limit is left alone.
        let soon = Date().addingTimeInterval(10 * 86400)
        let store2 = try await sandbox([Self.key("svc", expire: .at(soon))])
        defer { Task { await store2.close() } }
        let (s2, _) = try await go(#"ensure "svc" scopes [users.read] expire in 90d"#, store: store2)
        #expect(s2.changes == 0)
    }

    @Test func updateIsAPatchThatKeepsTheExpiry() async throws {
        let exp = Date().addingTimeInterval(30 * 86400)
        let store = try await sandbox([Self.key("deploy", scopes: ["users.read"], expire: .at(exp))])
        defer { Task { await store.close() } }
        let (s, _) = try await go(#"grant "deploy" users.write; revoke "deploy" [users.read]"#, store: store)
        #expect(s.updated == 2)
        let k = try await keys(store)[0]
        #expect(k.scopes == ["users.write"])
        #expect(FieldChange.sameExpiry(k.expire, .at(exp)), "the server keeps milliseconds")
        let (s2, _) = try await go(#"update "deploy" description "x" name "deploy-2""#, store: store)
        #expect(s2.updated == 1)
        let k2 = try await keys(store)[0]
        #expect(k2.name == "deploy-2")
        #expect(FieldChange.sameExpiry(k2.expire, .at(exp)))
    }

    @Test func selectorsReportNoMatchAndAmbiguityWithCandidates() async throws {
        let a = Self.key("dup", id: "aaa111"), b = Self.key("dup", id: "bbb222")
        let store = try await sandbox([a, b, Self.key("Deploy")])
        defer { Task { await store.close() } }
        let (s1, r1) = try await go(#"delete "dup""#, store: store)
        #expect(s1.status == .failed)
        let d1 = try #require(r1.diagnostics.first)
        #expect(d1.id == "ambiguous-key")
        #expect(d1.detail?.contains("aaa111") == true && d1.detail?.contains("bbb222") == true)
        #expect(d1.range.start.line == 1 && d1.range.start.column == 8)
        let (s2, r2) = try await go("print 1\ndelete \"deploy\"", store: store)
        #expect(s2.status == .failed)
        #expect(r2.diagnostics.first?.id == "no-such-key")
        #expect(r2.diagnostics.first?.help?.contains("\"Deploy\"") == true)
        #expect(r2.diagnostics.first?.range.start.line == 2)
        #expect(try await keys(store).count == 3)
        // The bulk forms act on every match; zero matches is fine.
        let (s3, _) = try await go(#"delete all "dup"; delete keys where name ~ "nothing-*""#, store: store)
        #expect(s3.deleted == 2)
        #expect(try await keys(store).map(\.name) == ["Deploy"])
    }

    @Test func bulkStatementsReportInStableOrder() async throws {
        let names = (0..<30).map { String(format: "tenant-%02d", 29 - $0) }
        let store = try await sandbox(names.map { Self.key($0) })
        defer { Task { await store.close() } }
        let (s, rec) = try await go(#"grant keys where name ~ "tenant-*" users.write"#, store: store, parallel: 8)
        #expect(s.updated == 30)
        let updated = rec.events.compactMap { e -> String? in
            if case .finished(let step, _, _) = e { return step.keyName }
            return nil
        }
        #expect(updated == names.sorted())
    }

    @Test func parallelForKeepsSourceOrderAndStopsAfterAFailure() async throws {
        let store = try await sandbox([])
        defer { Task { await store.close() } }
        let (s, rec) = try await go(
            """
            for t in ["a", "b", "c", "d", "e", "f"] parallel 3 {
              print "start ${t}"
              ensure "k-${t}" scopes [users.read]
            }
            """, store: store)
        #expect(s.status == .ok)
        #expect(rec.outputs == ["a", "b", "c", "d", "e", "f"].map { "start \($0)" })
        // A failing iteration stops the loop: no new iterations start, the running ones
        // finish. x2's sink fails at once and leaves a marker; the other sinks of the first
        // four wait for that marker and then 2 s more, so no slot frees before the failure
        // (x2's sink, then the delete of its key) is known: under a load average of 20,
        // 0.3 s was not always enough.
        let marker = FileManager.default.temporaryDirectory
            .appendingPathComponent("keyflow-parallel-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let items = (0..<40).map { "\"x\($0)\"" }.joined(separator: ", ")
        let sink = "sh -c 'if [ ${t} = x2 ]; then touch \(marker); exit 1; fi; i=0; "
            + "while [ ! -e \(marker) ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i+1)); done; sleep 2'"
        let (s2, rec2) = try await go(
            """
            for t in [\(items)] parallel 4 {
              create "n-${t}" secret to run "\(sink)"
            }
            """, store: store)
        #expect(s2.status == .failed)
        let created = try await keys(store).map(\.name).filter { $0.hasPrefix("n-") }.sorted()
        // x2's key was deleted again when its sink failed; no fifth iteration started.
        #expect(created == ["n-x0", "n-x1", "n-x3"])
        #expect(rec2.diagnostics.first?.id == "sink-failed")
        #expect(s2.notDone.count > 20)
    }

    @Test func assertFailsWithExitThreeAndTheMessage() async throws {
        let store = try await sandbox([Self.key("a", scopes: ["keys.write"]), Self.key("b", scopes: ["keys.write"])])
        defer { Task { await store.close() } }
        let (s, rec) = try await go(
            #"assert count(keys where scopes has keys.write) <= 1, "too many admin keys""#, store: store)
        #expect(s.status == .assertFailed)
        #expect(rec.diagnostics.first?.summary == "assertion failed: too many admin keys")
        let (s2, rec2) = try await go("let n = 2\nassert n < 1", store: store)
        #expect(s2.status == .assertFailed)
        #expect(rec2.diagnostics.first?.summary == "assertion failed: n < 1")
        #expect(rec2.diagnostics.first?.range.start.line == 2)
    }

    @Test func paramsAreTypedAndRequired() async throws {
        let store = try await sandbox([])
        defer { Task { await store.close() } }
        let script = """
            param stage
            param lifetime = 30d
            param tenants = ["a"]
            ensure "ci-${stage}" scopes [users.read] expire in lifetime
            for t in tenants { ensure "t-${t}" }
            """
        let (missing, r1) = try await go(script, store: store)
        #expect(missing.status == .invalid)
        #expect(r1.diagnostics.map(\.summary) == ["parameter `stage` is required"])
        let (bad, r2) = try await go(script, store: store, params: ["stage": "prod", "lifetime": "soon"])
        #expect(bad.status == .invalid)
        #expect(r2.diagnostics.map(\.summary) == [#"parameter `lifetime` expects a duration, got "soon""#])
        #expect(r2.diagnostics.first?.help == "for example lifetime=90d")
        let (unknown, r3) = try await go(script, store: store, params: ["stage": "prod", "nope": "1"])
        #expect(unknown.status == .invalid)
        #expect(r3.diagnostics.map(\.summary) == ["the script has no parameter `nope`"])
        #expect(try await keys(store).isEmpty)
        let (ok, _) = try await go(script, store: store, params: ["stage": "prod", "lifetime": "7d", "tenants": "x,y"])
        #expect(ok.status == .ok)
        let all = try await keys(store)
        #expect(Set(all.map(\.name)) == ["ci-prod", "t-x", "t-y"])
        let ci = try #require(all.first { $0.name == "ci-prod" })
        guard case .at(let d) = ci.expire else { Issue.record("no expiry"); return }
        #expect(abs(d.timeIntervalSinceNow - 7 * 86400) < 60)
    }

    @Test func runFailsBeforeAnyWriteWhenTheScriptCannotFinish() async throws {
        let store = try await sandbox([])
        defer { Task { await store.close() } }
        let (s, rec) = try await go(
            """
            ensure "first"
            delete "does-not-exist"
            """, store: store)
        #expect(s.status == .failed)
        #expect(rec.diagnostics.first?.range.start.line == 2)
        #expect(rec.diagnostics.first?.detail == "nothing was changed")
        #expect(try await keys(store).isEmpty)
    }

    @Test func printShowsValuesAndRedactsSecrets() async throws {
        let store = try await sandbox([Self.key("a", expire: .at(Date(timeIntervalSince1970: 1_803_538_800)))])
        defer { Task { await store.close() } }
        let (s, rec) = try await go(
            """
            ensure "a" as k
            print k.name, k.secret, 1h30m, k.expire, [users.read], len("abc"), "a" in ["a"]
            print now - 1h < now, k.expire == never, exists("a"), exists("b")
            """, store: store)
        #expect(s.status == .ok)
        #expect(rec.outputs == ["a «secret» 1h30m 2027-02-25T07:00Z [users.read] 3 true", "true false true false"])
    }

    @Test func deliveriesAreStepsAndFilesAlreadyHoldingTheSecretAreUpToDate() async throws {
        let dir = NSTemporaryDirectory() + "keyflow-int-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try await sandbox([])
        defer { Task { await store.close() } }
        let script = #"ensure "svc" scopes [users.read] secret to file "out/svc.key" secret to env "SVC_KEY" in ".env""#
        let (plan, prec) = try await go(script, store: store, mode: .plan, dir: dir)
        #expect(plan.created == 1 && plan.delivered == 2)
        #expect(prec.texts.contains { $0.contains("→ secret of \"svc\" to file \"out/svc.key\"") })
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/svc.key"))
        let (run, _) = try await go(script, store: store, dir: dir)
        #expect(run.created == 1 && run.delivered == 2)
        let key = try await keys(store)[0]
        #expect(try String(contentsOfFile: dir + "/out/svc.key", encoding: .utf8) == key.secret.reveal() + "\n")
        let (again, _) = try await go(script, store: store, dir: dir)
        #expect(again.changes == 0)
        try FileManager.default.removeItem(atPath: dir + "/out/svc.key")
        let (restore, _) = try await go(script, store: store, dir: dir)
        #expect(restore.delivered == 1 && restore.created == 0)
    }

    /// A key whose secret could not be delivered is deleted again: no key is left that
    /// nobody holds the secret of, and a re-run of `create` does not make a second one.
    @Test(arguments: ["create", "ensure"])
    func aNewKeyWhoseSinkFailsIsDeletedAgain(statement: String) async throws {
        let store = try await sandbox([Self.key("other")])
        defer { Task { await store.close() } }
        let script = #"\#(statement) "svc" scopes [users.read] secret to run "sh -c 'cat >/dev/null; exit 4'""#
        let (run, rec) = try await go(script, store: store)
        #expect(run.status == .failed)
        #expect(try await keys(store).map(\.name) == ["other"], "the new key was left behind")
        let detail = rec.diagnostics.first?.detail ?? ""
        #expect(detail.contains("was deleted again"), "\(rec.diagnostics)")
        #expect(rec.texts.contains { $0.contains("exited with status 4") }, "\(rec.texts)")
    }

    @Test func jsonEventsAreOneObjectPerLineWithoutSecrets() async throws {
        let store = try await sandbox([])
        defer { Task { await store.close() } }
        let (_, rec) = try await go(#"create "j" scopes [users.read] as k"#, store: store)
        let secret = try await keys(store)[0].secret.reveal()
        let lines = rec.events.map(JSONEvents.line)
        #expect(lines.first?.hasPrefix(#"{"event":"target""#) == true)
        #expect(lines.contains { $0.hasPrefix(#"{"event":"step_finished""#) && $0.contains(#""duration_ms""#) })
        #expect(lines.last?.hasPrefix(#"{"event":"summary""#) == true)
        for line in lines {
            #expect(!line.contains(secret))
            #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        }
    }
}
