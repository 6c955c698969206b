import Foundation
import KeyflowClient
import KeyflowLanguage

/// One change against the Keys API (or one secret delivery), with the source range of the
/// statement that asked for it, so every failure can point at its line.
public struct Step: Sendable {
    public enum Action: Sendable {
        case create(id: String, fields: KeyFields)
        /// A patch: `fields` is the complete new state (the PUT replaces), `before` the old one.
        case update(before: Key, fields: KeyFields)
        case delete(Key)
        case ephemeral(scopes: [String], seconds: Int)
        case deliver(key: Key, sink: SecretSink)
        case rotate(Rotation.Request)
    }

    public var action: Action
    /// The statement that asked for the step.
    public var range: SourceRange
    /// That statement's keyword (`ensure`, `grant`, ...).
    public var statement: String
    /// The project the step acts on (the executor that performs it says).
    public var project: String = ""

    public init(_ action: Action, range: SourceRange, statement: String) {
        self.action = action
        self.range = range
        self.statement = statement
    }

    /// `create`, `update`, `delete`, `ephemeral`, `deliver`, `rotate`: the JSON `kind`.
    public var kind: String {
        switch action {
        case .create: "create"
        case .update: "update"
        case .delete: "delete"
        case .ephemeral: "ephemeral"
        case .deliver: "deliver"
        case .rotate: "rotate"
        }
    }

    /// Whether the step creates a standard key (which may need a console session, docs/language.md §13).
    public var createsKey: Bool {
        switch action {
        case .create, .rotate: true
        default: false
        }
    }

    /// The name of the key acted on, for reports ("" for an ephemeral key).
    public var keyName: String {
        switch action {
        case .create(_, let f): f.name
        case .update(let before, _): before.name
        case .delete(let k): k.name
        case .ephemeral: ""
        case .deliver(let k, _): k.name
        case .rotate(let r): r.old.name
        }
    }

    /// The id of the key acted on.
    public var keyID: String? {
        switch action {
        case .create(let id, _): id
        case .update(let before, _): before.id
        case .delete(let k): k.id
        case .ephemeral: nil
        case .deliver(let k, _): k.id
        case .rotate(let r): r.old.id
        }
    }

    /// The step on one stable line, for table tests and the plan corpus
    /// (Tests/KeyflowRuntimeTests/plans): `3: create "svc" scopes [users.read] expire now+90d`.
    /// Ids that a step makes up (a create's, an ephemeral key's) are left out; times are
    /// written relative to `now` (to the minute) when it is given, absolute otherwise.
    public func dump(now: Date? = nil) -> String {
        func expiry(_ e: Expiry) -> String {
            guard case .at(let d) = e, let now else { return Format.expiry(e) }
            let minutes = Int((d.timeIntervalSince(now) / 60).rounded())
            return minutes == 0 ? "now" : "now" + (minutes > 0 ? "+" : "") + Format.duration(minutes * 60)
        }
        func fields(_ f: KeyFields) -> String {
            "scopes \(Format.scopes(f.scopes)) expire \(expiry(f.expire))"
                + (f.description.map { " description \(Format.quoted($0))" } ?? "")
        }
        let text: String
        switch action {
        case .create(_, let f):
            text = "create \(Format.quoted(f.name)) " + fields(f)
        case .update(let before, let f):
            let changes = FieldChange.between(before, f).map { change -> String in
                switch change {
                case .expire(let from, let to): "expire \(expiry(from)) → \(expiry(to))"
                default: change.text
                }
            }
            text = "update \(Format.quoted(before.name)) (\(before.id)) " + changes.joined(separator: ", ")
        case .delete(let k):
            text = "delete \(Format.quoted(k.name)) (\(k.id))"
        case .ephemeral(let scopes, let seconds):
            text = "ephemeral scopes \(Format.scopes(scopes)) for \(Format.duration(seconds))"
        case .deliver(let k, let sink):
            text = "deliver \(k.name.isEmpty ? "ephemeral key" : Format.quoted(k.name)) to \(sink)"
        case .rotate(let r):
            let successor = r.existingSuccessor.map { "resume \($0.id)" } ?? "successor \(r.successorID)"
            text = "rotate \(Format.quoted(r.old.name)) (\(r.old.id)) grace \(Format.duration(r.grace)) \(successor)"
                + r.sinks.map { " to \($0)" }.joined()
        }
        let place = project.isEmpty ? "" : "[\(project)] "
        return "\(range.start.line): \(place)\(statement == kind ? "" : statement + " → ")\(text)"
    }

    /// Field-level differences of an update.
    public var changes: [FieldChange] {
        guard case .update(let before, let fields) = action else { return [] }
        return FieldChange.between(before, fields)
    }
}

/// One field an update changes.
public enum FieldChange: Sendable, Hashable {
    case name(from: String, to: String)
    case scopes(added: [String], removed: [String])
    case expire(from: Expiry, to: Expiry)
    case description(from: String, to: String)

    public static func between(_ before: Key, _ after: KeyFields) -> [FieldChange] {
        var out: [FieldChange] = []
        if before.name != after.name { out.append(.name(from: before.name, to: after.name)) }
        if before.scopes != after.scopes {
            let old = ScopeSet.membership(before.scopes), new = ScopeSet.membership(after.scopes)
            let added = after.scopes.filter { !old($0) }
            let removed = before.scopes.filter { !new($0) }
            if !added.isEmpty || !removed.isEmpty { out.append(.scopes(added: added, removed: removed)) }
        }
        if !sameExpiry(before.expire, after.expire) { out.append(.expire(from: before.expire, to: after.expire)) }
        if let d = after.description, d != before.description { out.append(.description(from: before.description, to: d)) }
        return out
    }

    /// Expiries are compared to the second: the server keeps milliseconds, scripts write seconds.
    public static func sameExpiry(_ a: Expiry, _ b: Expiry) -> Bool {
        switch (a, b) {
        case (.never, .never): true
        case (.at(let x), .at(let y)): abs(x.timeIntervalSince(y)) < 1
        default: false
        }
    }

    /// `scopes +users.write -databases.write`, `expire never → 2027-02-25T07:00Z`.
    public var text: String {
        switch self {
        case .name(let from, let to): "name \(Format.quoted(from)) → \(Format.quoted(to))"
        case .scopes(let added, let removed):
            "scopes " + (added.map { "+" + $0 } + removed.map { "-" + $0 }).joined(separator: " ")
        case .expire(let from, let to): "expire \(Format.expiry(from)) → \(Format.expiry(to))"
        case .description(let from, let to): "description \(Format.quoted(from)) → \(Format.quoted(to))"
        }
    }
}

/// What a step produced.
public enum StepResult: Sendable {
    /// The key as the server returned it after a create, update or ephemeral mint.
    case key(Key)
    case deleted
    case delivered
    case rotated(Rotation.Outcome)

    public var key: Key? {
        switch self {
        case .key(let k): k
        case .rotated(let o): o.successor
        default: nil
        }
    }
}
