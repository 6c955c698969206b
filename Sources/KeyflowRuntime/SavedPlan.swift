import Crypto
import Foundation
import KeyflowBasics
import KeyflowClient
import KeyflowLanguage

/// A plan saved by `keyflow plan -o FILE`, for `keyflow run FILE` to execute exactly
/// (docs/saved-plans.md describes the format, version 1). It holds the steps, never a
/// secret: every key in it is written without its secret, and a run takes each key's
/// secret from the server's listing (or from the step of the same run that made it). It
/// also holds the target, the script's SHA-256 and parameters, and the id and `$updatedAt`
/// of every key the plan read, so that a run refuses when any of them changed since.
public struct SavedPlan: Sendable {
    public static let format = "keyflow-plan"
    /// The only version this keyflow reads and writes.
    public static let version = 1

    /// Where the steps go.
    public struct Target: Sendable, Hashable {
        public var endpoint: String
        public var project: String
        /// `api key`, `session`, `api key + session`, … (`TargetDescription.credential`).
        public var credential: String
        public var sandbox: Bool
    }

    /// The script the plan was made from.
    public struct Script: Sendable, Hashable {
        public var file: String
        /// Hex SHA-256 of the script's bytes.
        public var sha256: String
        public var parameters: [String: String]

        public init(file: String, bytes: [UInt8], parameters: [String: String]) {
            self.file = file
            sha256 = SavedPlan.sha256(bytes)
            self.parameters = parameters
        }

        init(file: String, sha256: String, parameters: [String: String]) {
            self.file = file
            self.sha256 = sha256
            self.parameters = parameters
        }
    }

    /// One key the plan read: what identifies its state.
    public struct Fingerprint: Sendable, Hashable {
        public var id: String
        public var name: String
        /// `$updatedAt`, as `Format.isoTime` writes it (to the millisecond).
        public var updated: String

        init(_ key: Key) {
            id = key.id
            name = key.name
            updated = Format.isoTime(key.updatedAt)
        }

        init(id: String, name: String, updated: String) {
            self.id = id
            self.name = name
            self.updated = updated
        }
    }

    /// The listing of one project the plan read.
    public struct Read: Sendable, Hashable {
        public var project: String
        /// The listing was narrowed to names with this prefix (`KeyReach`); nil: every key.
        public var namePrefix: String?
        public var keys: [Fingerprint]
    }

    public var created: Date
    public var target: Target
    public var script: Script
    public var reads: [Read]
    /// The organization's project ids, when the plan listed them (`projects`).
    public var organizationProjects: [String]?
    /// The steps, in order; keys carry no secret. A delivery of an ephemeral key names no
    /// key (its id is ""): it delivers the key the latest ephemeral step before it minted.
    public var steps: [Step]

    /// The projects the steps act on, the target's first.
    public var projects: [String] {
        var seen = [target.project]
        for step in steps where !step.project.isEmpty && !seen.contains(step.project) { seen.append(step.project) }
        return seen
    }

    /// The plan as `plan` reported it: the target, each step, the summary (`show-plan`).
    public var events: [Event] {
        let description = TargetDescription(
            endpoint: target.endpoint, project: target.project, isSandbox: target.sandbox, credential: target.credential)
        var summary = Summary(mode: .plan, status: .ok)
        for step in steps { summary.count(step) }
        return [.target(description, mode: .plan)] + steps.map(Event.planned) + [.summary(summary)]
    }

    // MARK: - Checks before a run

    /// Why this plan may not run against `target`; nil when it may.
    public func targetMismatch(_ target: TargetDescription) -> String? {
        var differences: [String] = []
        if target.endpoint != self.target.endpoint {
            differences.append("endpoint \(self.target.endpoint) → \(target.endpoint)")
        }
        if target.project != self.target.project {
            differences.append("project \(Format.quoted(self.target.project)) → \(Format.quoted(target.project))")
        }
        if target.credential != self.target.credential {
            differences.append("credential \(self.target.credential) → \(target.credential)")
        }
        return differences.isEmpty ? nil : differences.joined(separator: ", ")
    }

    /// What changed in `current` (each read project's listing now) since the plan read it:
    /// one line per key changed, deleted or new, in the plan's order.
    public func changes(since current: [String: [Key]]) -> [String] {
        var out: [String] = []
        for read in reads {
            let now = current[read.project] ?? []
            let byID = Dictionary(now.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let planned = Set(read.keys.map(\.id))
            let place = read.project == target.project ? "" : " in project \(Format.quoted(read.project))"
            for print in read.keys {
                guard let key = byID[print.id] else {
                    out.append("key \(Format.quoted(print.name)) (\(print.id))\(place) was deleted")
                    continue
                }
                let updated = Format.isoTime(key.updatedAt)
                if updated != print.updated {
                    out.append("key \(Format.quoted(key.name)) (\(key.id))\(place) changed (updated \(print.updated) → \(updated))")
                }
            }
            for key in now where !planned.contains(key.id) {
                out.append("key \(Format.quoted(key.name)) (\(key.id))\(place) is new")
            }
        }
        return out
    }

    // MARK: - Reading and writing

    /// Whether `bytes` are meant as a saved plan rather than a script: a JSON object (no
    /// script begins with `{`). Whether it is a valid one is `decode`'s to say.
    public static func looksSaved(_ bytes: [UInt8]) -> Bool {
        bytes.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) } == UInt8(ascii: "{")
    }

    /// Why a file is not a plan this keyflow can run.
    public enum Problem: Error, Sendable, CustomStringConvertible {
        /// Not JSON, cut short, or not the shape of a saved plan.
        case malformed(String)
        /// The content does not match its checksum: edited by hand, or damaged.
        case tampered
        /// A format version this keyflow does not know.
        case unknownVersion(Int64)

        public var description: String {
            switch self {
            case .malformed(let why): "not a valid saved plan: \(why)"
            case .tampered: "the saved plan does not match its checksum: it was edited or damaged after `keyflow plan -o` wrote it"
            case .unknownVersion(let v):
                "the saved plan has format version \(v); this keyflow runs version \(SavedPlan.version) only"
            }
        }
    }

    /// The file's text: the envelope (format, version, checksum) and the plan, one step a line.
    public func encoded() -> String {
        let body = planObject()
        guard case .object(let members) = body else { return "" }
        var text = "{\n  \"format\": \"\(Self.format)\",\n  \"version\": \(Self.version),\n"
        text += "  \"checksum\": \"sha256:\(Self.sha256(Array(body.encoded().utf8)))\",\n  \"plan\": {\n"
        for (n, (name, value)) in members.enumerated() {
            text += "    " + JSONValue.string(name).encoded() + ": "
            if case .array(let items) = value, !items.isEmpty, ["reads", "steps"].contains(name) {
                text += "[\n" + items.map { "      " + $0.encoded() }.joined(separator: ",\n") + "\n    ]"
            } else {
                text += value.encoded()
            }
            text += n == members.count - 1 ? "\n" : ",\n"
        }
        return text + "  }\n}\n"
    }

    /// Writes the file atomically (a temporary file, then a rename), mode 0600.
    public func write(to path: String) throws(SinkError) {
        try SinkWriter().writeAtomically(Data(encoded().utf8), to: path, sink: .file(path: path))
    }

    /// Reads a saved plan, checking its format, version and checksum.
    public static func decode(_ bytes: [UInt8]) throws(Problem) -> SavedPlan {
        guard let document = JSONValue.parse(bytes) else {
            throw .malformed("the file is not complete JSON (cut short, or not a plan file)")
        }
        guard case .object = document, document["format"]?.stringValue == format else {
            throw .malformed("it has no \"format\": \"\(format)\"")
        }
        guard let version = document["version"]?.integerValue else { throw .malformed("it has no \"version\"") }
        guard version == Int64(Self.version) else { throw .unknownVersion(version) }
        guard let body = document["plan"], case .object = body else { throw .malformed("it has no \"plan\" object") }
        guard let checksum = document["checksum"]?.stringValue, checksum == "sha256:" + sha256(Array(body.encoded().utf8)) else {
            throw .tampered
        }
        do {
            return try SavedPlan(body)
        } catch {
            throw .malformed(error.description)
        }
    }

    /// Hex SHA-256.
    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - The plan object

    func planObject() -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("created", .string(Format.isoTime(created))),
            ("keyflow", .string(AppwriteClient.sdkVersion)),
            (
                "target",
                .object([
                    ("endpoint", .string(target.endpoint)), ("project", .string(target.project)),
                    ("credential", .string(target.credential)), ("sandbox", .bool(target.sandbox)),
                ])
            ),
            ("projects", .array(projects.map(JSONValue.string))),
            (
                "script",
                .object([
                    ("file", .string(script.file)), ("sha256", .string(script.sha256)),
                    ("parameters", .object(script.parameters.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                ])
            ),
            (
                "reads",
                .array(
                    reads.map { read in
                        .object([
                            ("project", .string(read.project)), ("name_prefix", read.namePrefix.map(JSONValue.string) ?? .null),
                            (
                                "keys",
                                .array(
                                    read.keys.map {
                                        .object([("id", .string($0.id)), ("name", .string($0.name)), ("updated", .string($0.updated))])
                                    })
                            ),
                        ])
                    })
            ),
        ]
        if let organizationProjects { members.append(("organization_projects", .array(organizationProjects.map(JSONValue.string)))) }
        members.append(("steps", .array(steps.map(Self.stepValue))))
        return .object(members)
    }

    init(created: Date, target: Target, script: Script, reads: [Read], organizationProjects: [String]?, steps: [Step]) {
        self.created = created
        self.target = target
        self.script = script
        self.reads = reads
        self.organizationProjects = organizationProjects
        self.steps = steps
    }

    init(_ body: JSONValue) throws(Field.Missing) {
        let b = Field(body, "plan")
        guard let created = WireDate.parse(try b.string("created")) else { throw Field.Missing(path: "plan.created", wanted: "a time") }
        self.created = created
        let t = try b.object("target")
        target = Target(
            endpoint: try t.string("endpoint"), project: try t.string("project"), credential: try t.string("credential"),
            sandbox: try t.bool("sandbox"))
        let s = try b.object("script")
        var parameters: [String: String] = [:]
        for (name, value) in try s.object("parameters").members() { parameters[name] = try value.text() }
        script = Script(file: try s.string("file"), sha256: try s.string("sha256"), parameters: parameters)
        reads = try b.array("reads").map { r throws(Field.Missing) in
            Read(
                project: try r.string("project"), namePrefix: try r.optionalString("name_prefix"),
                keys: try r.array("keys").map { k throws(Field.Missing) in
                    Fingerprint(id: try k.string("id"), name: try k.string("name"), updated: try k.string("updated"))
                })
        }
        organizationProjects = try b.has("organization_projects") ? b.strings("organization_projects") : nil
        steps = try b.array("steps").map { v throws(Field.Missing) in try Self.step(v) }
    }

    // MARK: - Steps

    static func stepValue(_ step: Step) -> JSONValue {
        var m: [(String, JSONValue)] = [
            ("kind", .string(step.kind)), ("statement", .string(step.statement)), ("project", .string(step.project)),
            ("source", rangeValue(step.range)),
        ]
        switch step.action {
        case .create(let id, let fields):
            m += [("id", .string(id)), ("fields", fieldsValue(fields))]
        case .update(let before, let fields):
            m += [("key", keyValue(before)), ("fields", fieldsValue(fields))]
        case .delete(let key):
            m += [("key", keyValue(key))]
        case .ephemeral(let scopes, let seconds):
            m += [("scopes", .array(scopes.map(JSONValue.string))), ("seconds", .integer(Int64(seconds)))]
        case .deliver(let key, let sink):
            m += [("key", key.id.isEmpty ? .null : keyValue(key)), ("sink", sinkValue(sink))]
        case .rotate(let r):
            m += [
                ("key", keyValue(r.old)), ("grace", .integer(Int64(r.grace))), ("expire", r.expire.map(specValue) ?? .null),
                ("sinks", .array(r.sinks.map(sinkValue))), ("successor", r.existingSuccessor.map(keyValue) ?? .null),
            ]
        }
        return .object(m)
    }

    static func step(_ f: Field) throws(Field.Missing) -> Step {
        let action: Step.Action
        switch try f.string("kind") {
        case "create": action = .create(id: try f.string("id"), fields: try fields(f.object("fields")))
        case "update": action = .update(before: try key(f.object("key")), fields: try fields(f.object("fields")))
        case "delete": action = .delete(try key(f.object("key")))
        case "ephemeral": action = .ephemeral(scopes: try f.strings("scopes"), seconds: Int(try f.integer("seconds")))
        case "deliver":
            let k = try f.isNull("key") ? Key("", fields: KeyFields(name: "", scopes: []), now: Date(timeIntervalSince1970: 0)) : key(f.object("key"))
            action = .deliver(key: k, sink: try sink(f.object("sink")))
        case "rotate":
            action = .rotate(
                Rotation.Request(
                    old: try key(f.object("key")), grace: Int(try f.integer("grace")),
                    expire: try f.isNull("expire") ? nil : spec(f.object("expire")),
                    sinks: try f.array("sinks").map { s throws(Field.Missing) in try sink(s) },
                    existingSuccessor: try f.isNull("successor") ? nil : key(f.object("successor"))))
        case let other: throw Field.Missing(path: f.path + ".kind", wanted: "a step kind (not \(Format.quoted(other)))")
        }
        var step = Step(action, range: try range(f.object("source")), statement: try f.string("statement"))
        step.project = try f.string("project")
        return step
    }

    static func keyValue(_ k: Key) -> JSONValue {
        .object([
            ("id", .string(k.id)), ("name", .string(k.name)), ("description", .string(k.description)),
            ("scopes", .array(k.scopes.map(JSONValue.string))), ("expire", expiryValue(k.expire)),
            ("created", .string(Format.isoTime(k.createdAt))), ("updated", .string(Format.isoTime(k.updatedAt))),
        ])
    }

    /// A key as the plan saw it, without a secret (a run takes the secret from the server).
    static func key(_ f: Field) throws(Field.Missing) -> Key {
        Key(
            id: try f.string("id"), createdAt: try f.time("created"), updatedAt: try f.time("updated"), name: try f.string("name"),
            description: try f.string("description"), expire: try expiry(f, "expire"), scopes: try f.strings("scopes"), secret: Secret(""))
    }

    static func fieldsValue(_ f: KeyFields) -> JSONValue {
        var m: [(String, JSONValue)] = [
            ("name", .string(f.name)), ("scopes", .array(f.scopes.map(JSONValue.string))), ("expire", expiryValue(f.expire)),
        ]
        if let d = f.description { m.append(("description", .string(d))) }
        return .object(m)
    }

    static func fields(_ f: Field) throws(Field.Missing) -> KeyFields {
        KeyFields(
            name: try f.string("name"), scopes: try f.strings("scopes"), expire: try expiry(f, "expire"),
            description: try f.has("description") ? f.string("description") : nil)
    }

    static func expiryValue(_ e: Expiry) -> JSONValue {
        switch e {
        case .never: .string("never")
        case .at(let d): .string(Format.isoTime(d))
        }
    }

    static func expiry(_ f: Field, _ name: String) throws(Field.Missing) -> Expiry {
        let text = try f.string(name)
        if text == "never" { return .never }
        guard let d = WireDate.parse(text) else { throw Field.Missing(path: f.path + "." + name, wanted: "\"never\" or a time") }
        return .at(d)
    }

    static func specValue(_ e: ExpirySpec) -> JSONValue {
        switch e {
        case .never: .object([("kind", .string("never"))])
        case .at(let d): .object([("kind", .string("at")), ("at", .string(Format.isoTime(d)))])
        case .within(let seconds): .object([("kind", .string("within")), ("seconds", .integer(Int64(seconds)))])
        }
    }

    static func spec(_ f: Field) throws(Field.Missing) -> ExpirySpec {
        switch try f.string("kind") {
        case "never": return .never
        case "at": return .at(try f.time("at"))
        case "within": return .within(seconds: Int(try f.integer("seconds")))
        default: throw Field.Missing(path: f.path + ".kind", wanted: "never, at or within")
        }
    }

    static func sinkValue(_ s: SecretSink) -> JSONValue {
        switch s {
        case .file(let path): .object([("kind", .string("file")), ("path", .string(path))])
        case .env(let variable, let path): .object([("kind", .string("env")), ("variable", .string(variable)), ("path", .string(path))])
        case .run(let command): .object([("kind", .string("run")), ("command", .string(command))])
        case .stdout: .object([("kind", .string("stdout"))])
        }
    }

    static func sink(_ f: Field) throws(Field.Missing) -> SecretSink {
        switch try f.string("kind") {
        case "file": return .file(path: try f.string("path"))
        case "env": return .env(variable: try f.string("variable"), path: try f.string("path"))
        case "run": return .run(command: try f.string("command"))
        case "stdout": return .stdout
        default: throw Field.Missing(path: f.path + ".kind", wanted: "file, env, run or stdout")
        }
    }

    static func rangeValue(_ r: SourceRange) -> JSONValue {
        func at(_ l: SourceLocation) -> JSONValue {
            .array([.integer(Int64(l.line)), .integer(Int64(l.column)), .integer(Int64(l.offset))])
        }
        return .object([("file", .string(r.file)), ("start", at(r.start)), ("end", at(r.end))])
    }

    static func range(_ f: Field) throws(Field.Missing) -> SourceRange {
        func at(_ name: String) throws(Field.Missing) -> SourceLocation {
            let n = try f.array(name).map { v throws(Field.Missing) in try v.integer() }
            guard n.count == 3 else { throw Field.Missing(path: f.path + "." + name, wanted: "[line, column, offset]") }
            return SourceLocation(offset: Int(n[2]), line: Int(n[0]), column: Int(n[1]))
        }
        return SourceRange(file: try f.string("file"), start: try at("start"), end: try at("end"))
    }
}

/// A member of the saved plan's JSON being read, with its path for the error that names
/// what is missing or of the wrong kind.
struct Field {
    struct Missing: Error, CustomStringConvertible {
        var path: String
        var wanted: String
        var description: String { "\(path) should be \(wanted)" }
    }

    let value: JSONValue
    let path: String

    init(_ value: JSONValue, _ path: String) {
        self.value = value
        self.path = path
    }

    func has(_ name: String) -> Bool { value[name] != nil && value[name] != .null }
    func isNull(_ name: String) throws(Missing) -> Bool {
        guard let v = value[name] else { throw Missing(path: path + "." + name, wanted: "present") }
        return v == .null
    }
    func member(_ name: String) throws(Missing) -> Field {
        guard let v = value[name] else { throw Missing(path: path + "." + name, wanted: "present") }
        return Field(v, path + "." + name)
    }
    func string(_ name: String) throws(Missing) -> String { try member(name).text() }
    func optionalString(_ name: String) throws(Missing) -> String? { has(name) ? try string(name) : nil }
    func integer(_ name: String) throws(Missing) -> Int64 { try member(name).integer() }
    func bool(_ name: String) throws(Missing) -> Bool {
        guard case .bool(let b) = try member(name).value else { throw Missing(path: path + "." + name, wanted: "true or false") }
        return b
    }
    func time(_ name: String) throws(Missing) -> Date {
        guard let d = WireDate.parse(try string(name)) else { throw Missing(path: path + "." + name, wanted: "a time") }
        return d
    }
    func strings(_ name: String) throws(Missing) -> [String] {
        guard let s = try member(name).value.stringsValue else { throw Missing(path: path + "." + name, wanted: "a list of strings") }
        return s
    }
    func object(_ name: String) throws(Missing) -> Field {
        let m = try member(name)
        guard case .object = m.value else { throw Missing(path: m.path, wanted: "an object") }
        return m
    }
    func array(_ name: String) throws(Missing) -> [Field] {
        let m = try member(name)
        guard case .array(let items) = m.value else { throw Missing(path: m.path, wanted: "a list") }
        return items.enumerated().map { Field($1, "\(m.path)[\($0)]") }
    }
    func members() throws(Missing) -> [(String, Field)] {
        guard case .object(let ms) = value else { throw Missing(path: path, wanted: "an object") }
        return ms.map { ($0.0, Field($0.1, path + "." + $0.0)) }
    }
    func text() throws(Missing) -> String {
        guard let s = value.stringValue else { throw Missing(path: path, wanted: "a string") }
        return s
    }
    func integer() throws(Missing) -> Int64 {
        guard let n = value.integerValue else { throw Missing(path: path, wanted: "a whole number") }
        return n
    }
}
