import Foundation
import KeyflowBasics
import KeyflowClient
import KeyflowLanguage

/// Plan or run.
public enum Mode: String, Sendable {
    /// Reads only; writes go to an in-memory copy of the key list; sinks are not touched.
    case plan
    /// Every step is executed.
    case run
}

/// Everything a plan or run reports, in order. Both renderers (text and `--json`) work
/// from these; none of them carries a secret (keys are rendered without theirs).
public enum Event: Sendable {
    /// The first event: where the steps go.
    case target(TargetDescription, mode: Mode)
    /// A step a plan would take.
    case planned(Step)
    /// A run is about to execute a step.
    case started(Step)
    /// A step succeeded.
    case finished(Step, StepResult, seconds: Double)
    /// A step failed; the run stops after it.
    case failed(Step, message: String, seconds: Double)
    /// A statement found nothing to change (`ensure` of a key that already matches).
    case upToDate(statement: String, name: String, range: SourceRange)
    /// `print`: its text, and the values it printed (for `--json`; a secret stays redacted).
    case output(String, values: [Value], range: SourceRange)
    /// `list`: the keys it found, in the order its table shows them (without their secrets).
    case keys([Key], range: SourceRange)
    /// `show`: one key (without its secret).
    case key(Key, range: SourceRange)
    /// A problem, with its source range: a runtime error, a failed assert, a warning.
    case diagnostic(Diagnostic)
    /// The last event.
    case summary(Summary)
}

/// The closing tally of a plan or run.
public struct Summary: Sendable, Hashable {
    public enum Status: String, Sendable {
        case ok
        /// A runtime failure (exit 1).
        case failed
        /// An `assert` failed (exit 3).
        case assertFailed = "assert_failed"
        /// Invalid script or command line (exit 2).
        case invalid
    }

    public var mode: Mode
    public var status: Status
    public var created = 0
    public var updated = 0
    public var deleted = 0
    public var ephemeral = 0
    public var delivered = 0
    public var rotated = 0
    public var upToDate = 0
    /// Steps planned beforehand that a failed run did not reach.
    public var notDone: [Step] = []
    public var seconds: Double = 0

    public init(mode: Mode, status: Status) {
        self.mode = mode
        self.status = status
    }

    public var changes: Int { created + updated + deleted + ephemeral + delivered + rotated }

    /// Seconds since `start`, for durations in reports.
    public static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// The changes of each project a script acted on, by project id.
    public var byProject: [String: Int] = [:]

    public mutating func count(_ step: Step) {
        switch step.action {
        case .create: created += 1
        case .update: updated += 1
        case .delete: deleted += 1
        case .ephemeral: ephemeral += 1
        case .deliver: delivered += 1
        case .rotate: rotated += 1
        }
        byProject[step.project, default: 0] += 1
    }

    public static func == (a: Summary, b: Summary) -> Bool {
        a.mode == b.mode && a.status == b.status && a.created == b.created && a.updated == b.updated
            && a.deleted == b.deleted && a.ephemeral == b.ephemeral && a.delivered == b.delivered
            && a.rotated == b.rotated && a.upToDate == b.upToDate && a.notDone.count == b.notDone.count
    }

    public func hash(into h: inout Hasher) {
        h.combine(mode)
        h.combine(status)
        h.combine(changes)
    }
}

/// `--json`: one object per line. The format is documented in docs/events.md.
public enum JSONEvents {
    public static func line(_ event: Event) -> String {
        var o: [String: Any]
        switch event {
        case .target(let t, let mode):
            o = ["event": "target", "mode": mode.rawValue, "endpoint": t.endpoint, "project": t.project, "sandbox": t.isSandbox]
            if let dir = t.sandboxDirectory { o["sandbox_dir"] = dir }
            o["credential"] = t.credential
            if let context = t.context { o["context"] = context }
        case .planned(let step):
            o = ["event": "step_planned", "step": stepObject(step)]
        case .started(let step):
            o = ["event": "step_started", "step": stepObject(step)]
        case .finished(let step, let result, let seconds):
            o = ["event": "step_finished", "step": stepObject(step), "status": "ok", "duration_ms": millis(seconds)]
            if let key = result.key { o["key"] = Format.keyObject(key) }
            if case .rotated(let outcome) = result, let retired = outcome.retired { o["retired"] = Format.keyObject(retired) }
        case .failed(let step, let message, let seconds):
            o = ["event": "step_finished", "step": stepObject(step), "status": "failed", "error": message, "duration_ms": millis(seconds)]
        case .upToDate(let statement, let name, let range):
            o = ["event": "up_to_date", "statement": statement, "name": name, "source": sourceObject(range)]
        case .output(let text, let values, let range):
            o = ["event": "output", "text": text, "values": values.map(\.jsonObject), "source": sourceObject(range)]
        case .keys(let keys, let range):
            o = ["event": "keys", "keys": keys.map(Format.keyObject), "source": sourceObject(range)]
        case .key(let key, let range):
            o = ["event": "key", "key": Format.keyObject(key), "source": sourceObject(range)]
        case .diagnostic(let d):
            return d.jsonEvent.encoded()  // the one shape of every command's diagnostics (KeyflowLanguage)
        case .summary(let s):
            o = [
                "event": "summary", "mode": s.mode.rawValue, "status": s.status.rawValue, "changes": s.changes,
                "created": s.created, "updated": s.updated, "deleted": s.deleted, "ephemeral": s.ephemeral,
                "delivered": s.delivered, "rotated": s.rotated, "up_to_date": s.upToDate,
                "duration_ms": millis(s.seconds),
            ]
            if !s.notDone.isEmpty { o["not_done"] = s.notDone.map(stepObject) }
            if s.byProject.count > 1 { o["projects"] = s.byProject }
        }
        return encode(o)
    }

    static func stepObject(_ step: Step) -> [String: Any] {
        var o: [String: Any] = ["kind": step.kind, "statement": step.statement, "source": sourceObject(step.range)]
        if !step.project.isEmpty { o["project"] = step.project }
        switch step.action {
        case .create(let id, let f):
            o["id"] = id
            o["name"] = f.name
            o["scopes"] = f.scopes
            o["expire"] = expiryText(f.expire)
            if let d = f.description { o["description"] = d }
        case .update(let before, _):
            o["id"] = before.id
            o["name"] = before.name
            o["changes"] = step.changes.map(changeObject)
        case .delete(let k):
            o["id"] = k.id
            o["name"] = k.name
        case .ephemeral(let scopes, let seconds):
            o["scopes"] = scopes
            o["duration_s"] = seconds
        case .deliver(let k, let sink):
            o["id"] = k.id
            o["name"] = k.name
            o["sink"] = sinkObject(sink)
        case .rotate(let r):
            o["id"] = r.old.id
            o["name"] = r.old.name
            o["grace_s"] = r.grace
            o["sinks"] = r.sinks.map(sinkObject)
        }
        return o
    }

    static func changeObject(_ c: FieldChange) -> [String: Any] {
        switch c {
        case .name(let from, let to): ["field": "name", "from": from, "to": to]
        case .scopes(let added, let removed): ["field": "scopes", "added": added, "removed": removed]
        case .expire(let from, let to): ["field": "expire", "from": expiryText(from), "to": expiryText(to)]
        case .description(let from, let to): ["field": "description", "from": from, "to": to]
        }
    }

    static func sinkObject(_ s: SecretSink) -> [String: Any] {
        switch s {
        case .file(let path): ["kind": "file", "path": path]
        case .env(let variable, let path): ["kind": "env", "variable": variable, "path": path]
        case .run(let command): ["kind": "run", "command": command]
        case .stdout: ["kind": "stdout"]
        }
    }

    static func sourceObject(_ r: SourceRange) -> JSONValue { r.jsonSource }

    static func expiryText(_ e: Expiry) -> String {
        switch e {
        case .never: "never"
        case .at(let d): Format.isoTime(d)
        }
    }

    static func millis(_ seconds: Double) -> Double { (seconds * 10_000).rounded() / 10 }

    /// Compact JSON with `event` first, then the other fields in sorted order.
    package static func encode(_ o: [String: Any]) -> String {
        var rest = o
        let name = rest.removeValue(forKey: "event") as? String ?? "unknown"
        var w = JSONWriter(capacity: 256)
        w.raw("{")
        w.key("event", first: true)
        w.string(name)
        for key in rest.keys.sorted() {
            w.key(key)
            write(rest[key]!, into: &w)
        }
        w.raw("}")
        return w.text
    }

    /// One field's value: strings, booleans, numbers, and lists and objects of them (keys sorted).
    private static func write(_ value: Any, into w: inout JSONWriter) {
        switch value {
        case let s as String: w.string(s)
        case let v as JSONValue: w.value(v)
        case let b as Bool: w.raw(b ? "true" : "false")
        case let n as Int: w.raw(String(n))
        case let d as Double: w.number(d)
        case let strings as [String]: w.strings(strings)
        case let items as [Any]:
            w.raw("[")
            for (n, item) in items.enumerated() {
                if n > 0 { w.raw(",") }
                write(item, into: &w)
            }
            w.raw("]")
        case let object as [String: Any]:
            w.raw("{")
            for (n, key) in object.keys.sorted().enumerated() {
                w.key(key, first: n == 0)
                write(object[key]!, into: &w)
            }
            w.raw("}")
        default: w.raw("null")
        }
    }
}
