import Foundation
import KeyflowBasics
import KeyflowClient
import KeyflowLanguage

/// What an `expire` clause asks for. `in D` stays relative until the step runs
/// (docs/language.md §4.1: "`in 90d` means now + 90d at the moment the step runs").
public enum ExpirySpec: Sendable, Hashable {
    case never
    case at(Date)
    case within(seconds: Int)

    /// The absolute expiry this spec means at `now`.
    public func resolved(now: Date) -> Expiry {
        switch self {
        case .never: .never
        case .at(let date): .at(date)
        case .within(let seconds): .at(now.addingTimeInterval(TimeInterval(seconds)))
        }
    }

    /// As a diagnostic names it: `never`, `a time`, `in 2h`.
    public var phrase: String {
        switch self {
        case .never: "never"
        case .at: "a time"
        case .within(let seconds): "in \(Format.duration(seconds))"
        }
    }
}

/// A set of scopes in first-seen order (the order a key's scopes are sent in).
public struct ScopeSet: Sendable, Hashable, Sequence {
    public private(set) var scopes: [String]

    public init<S: Sequence>(_ scopes: S) where S.Element == String {
        var kept: [String] = []
        kept.reserveCapacity(scopes.underestimatedCount)
        for scope in scopes { kept.append(scope) }
        // A key holds a handful of scopes: a linear scan beats hashing them (this runs
        // for every key a `keys where scopes has …` looks at).
        if kept.count <= 32 {
            var unique: [String] = []
            unique.reserveCapacity(kept.count)
            for scope in kept where !unique.contains(scope) { unique.append(scope) }
            self.scopes = unique
        } else {
            var seen = Set<String>()
            self.scopes = kept.filter { seen.insert($0).inserted }
        }
    }

    /// Expands patterns (`users.*`, `*`) against the scope catalogue. A plain
    /// scope stays as written, even when the catalogue does not know it (the
    /// checker reports unknown scopes; the server has the last word).
    public static func expanding(_ patterns: [String]) -> ScopeSet {
        ScopeSet(patterns.flatMap(expand))
    }

    public static func expand(_ pattern: String) -> [String] {
        guard pattern.utf8.contains(UInt8(ascii: "*")) else { return [pattern] }
        return ScopeCatalogue.matching(pattern)
    }

    public var set: Set<String> { Set(scopes) }
    public func makeIterator() -> IndexingIterator<[String]> { scopes.makeIterator() }
    public func contains(_ scope: String) -> Bool { scopes.contains(scope) }
    public func union(_ other: ScopeSet) -> ScopeSet { ScopeSet(scopes + other.scopes) }
    public func subtracting(_ other: ScopeSet) -> ScopeSet {
        let drop = Self.membership(other.scopes)
        return ScopeSet(scopes.filter { !drop($0) })
    }
    /// Both hold no duplicates, so equal counts and one side inside the other mean equal sets.
    public func sameSet(as other: ScopeSet) -> Bool {
        scopes.count == other.scopes.count && scopes.allSatisfy(Self.membership(other.scopes))
    }

    /// Membership in a list of scopes: a linear scan for the handful a key holds (nothing
    /// hashed), a hash set for long lists.
    public static func membership(_ scopes: [String]) -> (String) -> Bool {
        if scopes.count <= 32 { return { scopes.contains($0) } }
        let set = Set(scopes)
        return { set.contains($0) }
    }
}

/// A runtime value (docs/language.md §4). Every textual form is safe to print: a secret
/// renders as `«secret»`, and a key never shows its secret.
public enum Value: Sendable, Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    /// Seconds.
    case duration(Int)
    case time(Date)
    case expiry(ExpirySpec)
    case scopes(ScopeSet)
    case list([Value])
    case key(Key)
    case secret(Secret)
    /// A project of the organization (`projects`).
    case project(Project)

    /// `string`, `list`, `key`, …: the checker's name for the type (a list's without its items').
    public var typeName: String {
        if case .list = self { return "list" }
        return valueType.description
    }

    /// The text `print` shows and interpolation inserts.
    public var displayText: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .bool(let b): b ? "true" : "false"
        case .duration(let s): Format.duration(s)
        case .time(let d): Format.time(d)
        case .expiry(let e): Format.expirySpec(e)
        case .scopes(let s): Format.scopes(s.scopes)
        case .list(let items): "[" + items.map(\.literalText).joined(separator: ", ") + "]"
        case .key(let k): "key \(Format.quoted(k.name)) (id \(k.id))"
        case .secret: "«secret»"
        case .project(let p): "project \(Format.quoted(p.name)) (id \(p.id))"
        }
    }

    /// Like `displayText`, but strings quoted (inside lists).
    public var literalText: String {
        if case .string(let s) = self { return Format.quoted(s) }
        return displayText
    }

    /// Plain data for JSON events (secrets redacted, keys without their secret).
    public var jsonObject: Any {
        switch self {
        case .string(let s): s
        case .int(let i): i
        case .bool(let b): b
        case .duration(let s): Format.duration(s)
        case .time(let d): Format.isoTime(d)
        case .expiry(let e): Format.expirySpec(e)
        case .scopes(let s): s.scopes
        case .list(let items): items.map(\.jsonObject)
        case .key(let k): Format.keyObject(k)
        case .secret: "«secret»"
        case .project(let p):
            ["id": p.id, "name": p.name, "created": Format.isoTime(p.createdAt), "updated": Format.isoTime(p.updatedAt)] as [String: Any]
        }
    }
}

/// Text forms shared by plans, run reports, `print` and events.
public enum Format {
    public static func quoted(_ s: String) -> String { KeyflowLanguage.quoted(s) }

    /// `16 MiB`, `512 KiB`, `300 bytes`.
    public static func bytes(_ n: Int) -> String {
        if n >= 1 << 30, n % (1 << 30) == 0 { return "\(n >> 30) GiB" }
        if n >= 1 << 20 { return n % (1 << 20) == 0 ? "\(n >> 20) MiB" : String(format: "%.1f MiB", Double(n) / Double(1 << 20)) }
        if n >= 1 << 10, n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
        return "\(n) bytes"
    }

    /// `1h30m`, `90d`, `2w`, `0s`.
    public static func duration(_ seconds: Int) -> String {
        if seconds == 0 { return "0s" }
        var rest = abs(seconds)
        var out = seconds < 0 ? "-" : ""
        for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            if unit == "w", rest % size != 0 { continue }  // 10d reads better than 1w3d
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }

    /// `2027-02-25T07:00Z`, with seconds only when they are not zero.
    public static func time(_ date: Date) -> String {
        let (days, second) = CivilCalendar.split(Int64(date.timeIntervalSince1970.rounded(.down)), perDay: 86_400)
        let text = CivilCalendar.dateTime(days: Int(days), secondOfDay: Int(second))
        return (second % 60 == 0 ? String(text.dropLast(3)) : text) + "Z"
    }

    /// Full ISO-8601 with milliseconds, for JSON.
    public static func isoTime(_ date: Date) -> String {
        let (days, ms) = CivilCalendar.split(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)), perDay: 86_400_000)
        return CivilCalendar.dateTime(days: Int(days), secondOfDay: Int(ms / 1000)) + "." + CivilCalendar.padded(Int(ms % 1000), 3) + "Z"
    }

    public static func expiry(_ e: Expiry) -> String {
        switch e {
        case .never: "never"
        case .at(let d): time(d)
        }
    }

    public static func expirySpec(_ e: ExpirySpec) -> String {
        switch e {
        case .never: "never"
        case .at(let d): time(d)
        case .within(let s): "in " + duration(s)
        }
    }

    public static func scopes(_ scopes: [String]) -> String { "[" + scopes.joined(separator: ", ") + "]" }

    /// A key as plain data, without its secret.
    public static func keyObject(_ k: Key) -> [String: Any] {
        var o: [String: Any] = [
            "id": k.id, "name": k.name, "scopes": k.scopes, "created": isoTime(k.createdAt),
            "updated": isoTime(k.updatedAt), "description": k.description,
        ]
        switch k.expire {
        case .never: o["expire"] = "never"
        case .at(let d): o["expire"] = isoTime(d)
        }
        o["accessed"] = k.accessedAt.map(isoTime) ?? "never"
        return o
    }
}
