import Foundation
import KeyflowClient
import KeyflowLanguage
import Testing

@testable import KeyflowRuntime

/// The plan corpus: each `plans/*.kf` is planned over the keys its header declares, and the
/// plan's dump must be exactly its `# expect:` lines, in order. The way
/// `grammar/examples/errors/` covers diagnostics, this covers what scripts plan to do.
///
///     # key: "deploy" id=k-deploy scopes=users.read,databases.read expire=+30d
///     # key: "monitoring" id=k-m1 project=tenant-1   (a key of another project)
///     # project: tenant-1 "Tenant One"                (a project of the organization)
///     # param: stage=prod
///     grant "deploy" users.write
///     # expect: 3: grant → update "deploy" (k-deploy) scopes +users.write
///
/// Expectations are one of: a step's `Step.dump(now:)`; `output: TEXT` for `print`, `show`
/// and `list`; `up to date: STATEMENT "NAME"`; `warning: SUMMARY`; `error: SUMMARY` for the
/// diagnostic that stops the plan. Times are relative to the moment the plan runs (`+30d`, `now+90d`), and
/// a name retired by the plan's own rotation reads `NAME (rotated now)`.
/// A plan is the `Simulator` over a seeded key cache: the same code `keyflow plan` runs,
/// with the key list given instead of listed.
@Suite struct PlanCorpusTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("plans")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".kf") }.sorted()
    }

    @Test func theCorpusIsThere() {
        #expect(Self.files.count >= 8, "plans/ holds \(Self.files)")
    }

    @Test(arguments: files)
    func planMatchesItsExpectations(file: String) async throws {
        let text = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
        let now = Date()
        var keys: [Key] = []
        var others: [String: [Key]] = [:]
        var projects: [Project] = []
        var params: [String: String] = [:]
        var expected: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let spec = line.dropPrefix("# key: ") {
                let (key, project) = try Self.key(String(spec), now: now)
                if let project { others[project, default: []].append(key) } else { keys.append(key) }
            }
            if let spec = line.dropPrefix("# project: "), let space = spec.firstIndex(of: " ") {
                let name = spec[spec.index(after: space)...].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                projects.append(Project(id: String(spec[..<space]), name: name, createdAt: now, updatedAt: now))
            }
            if let spec = line.dropPrefix("# param: "), let eq = spec.firstIndex(of: "=") {
                params[String(spec[..<eq])] = String(spec[spec.index(after: eq)...])
            }
            if let e = line.dropPrefix("# expect: ") { expected.append(String(e)) }
        }
        #expect(!expected.isEmpty, "\(file) expects nothing")

        let (program, diagnostics) = compile(source: text, file: file, options: CheckOptions(parameters: Set(params.keys)))
        let compiled = try #require(program, "\(file) does not compile: \(diagnostics.map(\.summary))")
        let events = Collected()
        let interpreter = Interpreter(
            executor: Simulator(keys: KeyCache(seed: keys), listings: Listings(projects: projects, keys: others)), params: params, source: text,
            scriptDirectory: Self.folder.path)
        do {
            _ = try await interpreter.execute(compiled.statements, in: Environment(), emit: events.add)
        } catch {
            events.add(.diagnostic(error.diagnostic))
        }
        // A retired name carries the moment of its rotation: the plan's own is `now`.
        let actual = events.all.compactMap { Self.line($0, now: now) }.map {
            $0.replacingOccurrences(of: #"\(rotated [0-9T:-]+Z\)"#, with: "(rotated now)", options: .regularExpression)
        }
        let dump = actual.map { "# expect: " + $0 }.joined(separator: "\n")
        #expect(actual == expected, "\(file) plans:\n\(dump)")
    }

    static func line(_ event: Event, now: Date) -> String? {
        switch event {
        case .planned(let step): step.dump(now: now)
        case .output(let text, _, _): "output: " + text
        case .keys(let keys, _): "output: " + Render.table(keys)
        case .key(let key, _): "output: " + Render.show(key)
        case .upToDate(let statement, let name, _): "up to date: \(statement) \(Format.quoted(name))"
        case .diagnostic(let d): "\(d.severity.rawValue): " + d.summary
        default: nil
        }
    }

    /// `"name" id=ID scopes=a,b expire=+30d|never created=-10d project=ID`.
    static func key(_ spec: String, now: Date) throws -> (Key, project: String?) {
        guard spec.hasPrefix("\""), let close = spec.dropFirst().firstIndex(of: "\"") else {
            throw CorpusError(message: "a key spec starts with its quoted name: \(spec)")
        }
        let name = String(spec[spec.index(after: spec.startIndex)..<close])
        var id = KeyID.unique(), scopes: [String] = [], expire = Expiry.never, created = now.addingTimeInterval(-86400)
        var project: String?
        for field in spec[spec.index(after: close)...].split(separator: " ") {
            guard let eq = field.firstIndex(of: "=") else { continue }
            let value = String(field[field.index(after: eq)...])
            switch field[..<eq] {
            case "id": id = value
            case "scopes": scopes = value.split(separator: ",").map(String.init)
            case "expire": expire = value == "never" ? .never : .at(try offset(value, from: now))
            case "created": created = try offset(value, from: now)
            case "project": project = value
            default: throw CorpusError(message: "unknown key field \(field)")
            }
        }
        let key = Key(
            id: id, createdAt: created, updatedAt: created, name: name, expire: expire,
            scopes: scopes, secret: Secret("standard_corpus_\(id)"))
        return (key, project)
    }

    /// `+30d`, `-1h`: a moment relative to `now`.
    static func offset(_ text: String, from now: Date) throws -> Date {
        guard let sign = text.first, sign == "+" || sign == "-", let seconds = Params.durationSeconds(String(text.dropFirst())) else {
            throw CorpusError(message: "expected +DURATION or -DURATION, got \(text)")
        }
        return now.addingTimeInterval(TimeInterval(sign == "+" ? seconds : -seconds))
    }

    struct CorpusError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [Event] = []
        func add(_ e: Event) { lock.withLock { events.append(e) } }
        var all: [Event] { lock.withLock { events } }
    }
}

extension Substring {
    fileprivate func dropPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? dropFirst(prefix.count) : nil
    }
}
