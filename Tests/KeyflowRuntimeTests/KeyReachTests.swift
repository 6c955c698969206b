import Foundation
import KeyflowClient
import KeyflowLanguage
import KeyflowTestSupport
import Testing

@testable import KeyflowRuntime

/// The name prefix a run narrows its up-front list to, and that narrowing changes nothing
/// a script sees.
@Suite struct KeyReachTests {
    func prefix(_ source: String) throws -> String? {
        let (program, diagnostics) = compile(source: source, file: "reach.kf")
        let compiled = try #require(program, "does not compile: \(diagnostics.map(\.summary))")
        return KeyReach.namePrefix(of: compiled)
    }

    @Test func literalNamesAndPatternsBoundTheList() throws {
        #expect(try prefix(#"ensure "tenant-a" scopes [users.read]"#) == "tenant-a")
        #expect(
            try prefix(
                """
                param tenants_file = "t.txt"
                for t in lines(tenants_file) parallel 8 {
                  ensure "tenant-${t}" scopes [databases.read] description "for ${t}"
                }
                print count(keys where name ~ "tenant-*"), "tenant keys"
                """) == "tenant-")
        #expect(try prefix(#"grant "ci-prod" users.read"# + "\n" + #"revoke all "ci-dev" users.read"#) == "ci-")
        #expect(try prefix(#"delete keys where name ~ "tmp-*" and expire < now"#) == "tmp-")
        #expect(try prefix(#"delete keys where name == "a-1" or name ~ "a-2*""#) == "a-")
        #expect(try prefix(#"list where name ~ "svc-*""#) == "svc-")
        #expect(try prefix(#"ensure "ci-prod" scopes [users.read] as k"# + "\n" + "show k") == "ci-prod")
    }

    func narrowing(_ source: String) throws -> KeyNarrowing? {
        let (program, diagnostics) = compile(source: source, file: "reach.kf")
        return KeyReach.narrowing(of: try #require(program, "does not compile: \(diagnostics.map(\.summary))"))
    }

    /// Keys named exactly are asked for by name (`equal`); anything less exact by prefix.
    @Test func exactNamesNarrowTheListToThoseNames() throws {
        #expect(try narrowing(#"show "svc-02500""#) == .names(["svc-02500"]))
        #expect(try narrowing(#"print exists("ci"), count(keys where name == "ci" or name == "cd")"#) == .names(["ci", "cd"]))
        #expect(try narrowing(#"update "old" name "new""#) == .names(["old", "new"]), "a rename reaches both names")
        #expect(try narrowing(#"grant all "ci" users.read"# + "\n" + #"show "ci""#) == .names(["ci"]))
        #expect(try narrowing(#"show "ci-${env("P", "p")}""#) == .prefix("ci-"), "an interpolation: its literal prefix")
        #expect(try narrowing(#"show "ci""# + "\n" + #"list where name ~ "ci*""#) == .prefix("ci"), "a pattern is never exact")
        #expect(try narrowing(#"show "clé""#) == .prefix("cl"), "a non-ASCII name may compare differently on the server")
        #expect(try narrowing(#"show "alpha""# + "\n" + #"show "beta""#) == .names(["alpha", "beta"]), "no common prefix needed")
        #expect(try narrowing("list") == nil)
        #expect(try narrowing(#"show "a""# + "\n" + "print count(keys)") == nil)
        let many = (0..<101).map { #"show "k\#($0)""# }.joined(separator: "\n")
        #expect(try narrowing(many) == .prefix("k"), "more names than one query should carry")
    }

    /// docs/repl.md, "The key cache": a `show "NAME"` the kept list cannot serve (kept for
    /// 0 s, or older than its age) is one request narrowed to the name — counted by the
    /// sandbox and seen on the wire — and leaves the kept list as it was.
    @Test func aReadByExactNameWithoutAFreshKeptListIsOneNarrowedRequest() async throws {
        let api = try await RecordingStore((0..<40).map { InterpreterTests.key("svc-\($0)") })
        let session = Session(
            api: api, target: TargetDescription(endpoint: "mem", project: "p", isSandbox: false, credential: "session"), canCreateKeys: true)
        let root = String(api.fixture.sandbox.credentials.endpoint.dropLast("/v1".count))
        func served() async throws -> Int { try #require(try await send("GET", root + "/_sandbox/requests").json["served"] as? Int) }
        func line(_ source: String) async throws -> (texts: [String], requests: Int, lists: [[KeyQuery]]) {
            let (program, _) = session.compile(source)
            let before = try await served(), listsBefore = await api.lists.count
            let lines = InterpreterTests.Recorder()
            let summary = await session.run(try #require(program), options: RunOptions(announceTarget: false), emit: lines.record)
            #expect(summary.status == .ok, "\(lines.texts)")
            return (lines.texts, try await served() - before, Array(await api.lists.dropFirst(listsBefore)))
        }

        for kept in [SessionKeys(maxAge: .zero), SessionKeys(maxAge: .milliseconds(50))] {
            session.keptKeys = kept
            try await kept.refresh(from: api)
            try await Task.sleep(for: .milliseconds(60))  // older than either age
            let shown = try await line(#"show "svc-25""#)
            #expect(shown.requests == 1)
            #expect(shown.lists == [[.limit(5000), .equal("name", ["svc-25"])]])
            #expect(shown.texts.joined(separator: "\n").contains("svc-25"), "\(shown.texts)")
            #expect(kept.names?.count == 41, "the kept names (and the bootstrap key) stay for completion")
            let counted = try await line(#"print count(keys where name == "svc-3")"#)
            #expect(counted.requests == 1 && counted.texts.contains("1"), "\(counted.texts)")
            #expect(counted.lists.first?.contains(.equal("name", ["svc-3"])) == true)
        }
        // A read that may reach any key lists them all, once, and keeps the list.
        let kept = SessionKeys(maxAge: .seconds(60))
        session.keptKeys = kept
        let all = try await line("print count(keys)")
        #expect(all.requests == 1 && all.lists == [[.limit(5000)]])
        #expect(try await line(#"show "svc-25""#).requests == 0, "then served from the kept list")
        await api.fixture.close()
    }

    @Test func anythingUnboundedReadsEveryKey() throws {
        #expect(try prefix("list") == nil)
        #expect(try prefix(#"assert count(keys where scopes has keys.write) <= 2, "too many""#) == nil)
        #expect(try prefix(#"ensure "a" scopes [users.read]"# + "\n" + "print count(keys)") == nil)
        #expect(try prefix(#"show id "6650c1d2e3f4a5b6c7d8""#) == nil)
        #expect(try prefix(#"let n = "x""# + "\n" + #"ensure n scopes [users.read]"#) == nil)
        #expect(try prefix(#"ensure "${env("P", "p")}-x" scopes [users.read]"#) == nil)
        #expect(try prefix(#"delete keys where not name ~ "a*""#) == nil)
        #expect(try prefix(#"delete keys where name ~ "*-old""#) == nil)
        #expect(try prefix(#"ensure "alpha" scopes [users.read]"# + "\n" + #"ensure "beta" scopes [users.read]"#) == nil, "no common prefix")
        #expect(try prefix(#"if exists("x") { print "y" }"# + "\n" + #"ensure "z" scopes [users.read]"#) == nil)
        #expect(try prefix(#"ensure "clé-1" scopes [users.read]"#) == "cl", "cut before the first non-ASCII byte")
        #expect(try prefix(#"rotate "Deploy" grace 1h secret to file "d.key""#) == nil, "rotations link keys by id")
        #expect(try prefix(#"rollback "Deploy""#) == nil)
        // Other projects' keys and the organization's projects are not narrowed.
        #expect(try prefix(#"in project "p2" { ensure "tenant-a" scopes [users.read] }"#) == nil)
        #expect(try prefix(#"ensure "tenant-a" scopes [users.read]"# + "\n" + "print count(projects)") == nil)
        #expect(try prefix(#"ensure "tenant-a" scopes [users.read]"# + "\n" + #"print count(projects where name ~ "tenant-*")"#) == nil)
    }

    /// Without an organization, `projects` stops a run before any change, saying what to
    /// set; `in project` of the target project itself needs none.
    @Test func projectsNeedAnOrganization() async throws {
        let api = try await RecordingStore([])
        let (summary, texts) = try await run(#"ensure "a" scopes [users.read]"# + "\n" + "print count(projects)", api)
        #expect(summary.status == .failed)
        #expect(summary.created == 0)
        #expect(texts.joined(separator: "\n").contains("listing projects needs an organization"), "\(texts)")

        let same = #"in project "\#(api.project)" { ensure "inside" scopes [users.read] }"#
        let (inside, insideTexts) = try await run(same, api)
        #expect(inside.status == .ok, "\(insideTexts)")
        #expect(inside.created == 1)
        #expect(try await api.fixture.keys().map(\.name) == ["inside"])
        await api.fixture.close()
    }

    /// A client of a real sandbox that records the queries of every list it sends.
    actor RecordingStore: KeysAPI {
        let fixture: RotationTests.Fixture
        var store: AppwriteClient { fixture.api }
        var lists: [[KeyQuery]] = []
        init(_ keys: [Key]) async throws {
            fixture = try await RotationTests.Fixture()
            for k in keys {
                _ = try await fixture.api.createKey(id: k.id, fields: KeyFields(name: k.name, scopes: k.scopes, expire: k.expire))
            }
        }
        func listKeys(queries: [KeyQuery], total: Bool) async throws(APIError) -> KeyList {
            lists.append(queries)
            return try await store.listKeys(queries: queries, total: total)
        }
        nonisolated var project: String { fixture.api.project }
        nonisolated func inProject(_ id: String) -> any KeysAPI { fixture.api.inProject(id) }
        func listProjects() async throws(APIError) -> [Project] { try await store.listProjects() }
        func getKey(id: String) async throws(APIError) -> Key { try await store.getKey(id: id) }
        func createKey(id: String, fields: KeyFields) async throws(APIError) -> Key { try await store.createKey(id: id, fields: fields) }
        func replaceKey(id: String, fields: KeyFields) async throws(APIError) -> Key { try await store.replaceKey(id: id, fields: fields) }
        func deleteKey(id: String) async throws(APIError) { try await store.deleteKey(id: id) }
        func createEphemeralKey(scopes: [String], duration: Int) async throws(APIError) -> Key {
            try await store.createEphemeralKey(scopes: scopes, duration: duration)
        }
    }

    func run(_ source: String, _ api: RecordingStore) async throws -> (Summary, [String]) {
        let (program, diagnostics) = compile(source: source, file: "reach.kf")
        let compiled = try #require(program, "does not compile: \(diagnostics.map(\.summary))")
        let session = Session(
            api: api, target: TargetDescription(endpoint: "mem", project: "p", isSandbox: false, credential: "session"), canCreateKeys: true)
        let lines = InterpreterTests.Recorder()
        let summary = await session.run(compiled, source: source, options: RunOptions(), emit: lines.record)
        return (summary, lines.texts)
    }

    @Test func aNarrowedRunSeesWhatAFullOneWould() async throws {
        let others = (0..<50).map { InterpreterTests.key("other-\($0)") }
        let api = try await RecordingStore(
            others + [InterpreterTests.key("tenant-a", scopes: ["users.read"]), InterpreterTests.key("tenant-dup"), InterpreterTests.key("tenant-dup")])
        let script = """
            ensure "tenant-a" scopes [users.read]
            ensure "tenant-b" scopes [users.read]
            print count(keys where name ~ "tenant-*"), "tenant keys"
            """
        let (summary, texts) = try await run(script, api)
        #expect(summary.status == .ok)
        #expect(summary.created == 1 && summary.upToDate == 1)
        #expect(texts.contains("4 tenant keys"), "\(texts)")
        let first = try #require(await api.lists.first)
        #expect(first.contains(.startsWith("name", "tenant-")))

        // Several keys with a name are still found, and still refused, within the prefix.
        let (dup, dupTexts) = try await run(#"grant "tenant-dup" users.write"#, api)
        #expect(dup.status != .ok)
        #expect(dupTexts.joined().contains("tenant-dup"))

        // A name that matches nothing still suggests similar names from the whole list.
        // (`Tenant-A` narrows the list to names starting so, byte for byte: none.)
        let (missing, missingTexts) = try await run(#"grant "Tenant-A" users.write"#, api)
        #expect(missing.status != .ok)
        #expect(missingTexts.joined(separator: "\n").contains("\"tenant-a\""), "\(missingTexts)")

        // A script that reaches any key lists them all.
        _ = try await run(#"print count(keys), "keys""#, api)
        let last = try #require(await api.lists.last)
        #expect(!last.contains { if case .startsWith = $0 { true } else { false } })
        await api.fixture.close()
    }

    /// A chunk that reaches no key lists nothing (docs/repl.md, "The key cache").
    @Test func whatReachesNoKeyAtAll() throws {
        func reaches(_ source: String) throws -> Bool {
            let (program, diagnostics) = compile(source: source, file: "reach.kf")
            return KeyReach.reachesKeys(try #require(program, "does not compile: \(diagnostics.map(\.summary))"))
        }
        #expect(try !reaches(#"print "x""#))
        #expect(try !reaches("let n = 3\nprint n + 1"))
        #expect(try !reaches(#"ephemeral scopes [users.read] expire in 1h secret to stdout"#))
        #expect(try reaches("print count(keys)"))
        #expect(try reaches(#"show "a""#))
        #expect(try reaches(#"print exists("a")"#))
        #expect(try reaches(#"if exists("x") { print "y" }"#))
        #expect(try reaches("list"))
        #expect(try reaches(#"rotate "a" grace 1h"#))
        #expect(try reaches("for p in projects { print p.name }"))
    }
}
