import Foundation
import KeyflowClient

/// `NAME (rotated 2026-11-27T09:40:12Z)`: the name a retiring key carries.
public enum RetiredName {
    /// The retired form of `name` at `now`, the name cut so the whole fits the API's 128 characters.
    public static func make(_ name: String, at now: Date) -> String {
        let suffix = " (rotated \(stamp(now)))"
        let room = max(0, 128 - suffix.unicodeScalars.count)
        var kept = ""
        var used = 0
        for c in name {
            let n = c.unicodeScalars.count
            if used + n > room { break }
            kept.append(c)
            used += n
        }
        return kept + suffix
    }

    /// The original name (possibly cut) when `name` is a retired name; nil otherwise.
    public static func original(of name: String) -> String? {
        guard mayBeRetired(name), let range = name.range(of: pattern, options: .regularExpression) else { return nil }
        return String(name[..<range.lowerBound])
    }

    /// When the rotation that retired a key happened, from its name.
    public static func rotatedAt(_ name: String) -> Date? {
        guard mayBeRetired(name), let range = name.range(of: pattern, options: .regularExpression) else { return nil }
        let text = name[range].dropFirst(" (rotated ".count).dropLast()
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: String(text))
    }

    /// A cheap test that rules out almost every name before the regular expression runs
    /// (it runs for every key a run lists).
    private static func mayBeRetired(_ name: String) -> Bool {
        name.utf8.last == UInt8(ascii: ")") && name.utf8.count > 20 && name.contains(" (rotated ")
    }

    static let pattern = #" \(rotated [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z\)$"#

    static func stamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }
}

/// What a retiring key's description records for `rollback`: its original expiry and
/// description. Written at retirement; on servers without the `description` field it is
/// silently dropped, and rollback falls back (see Rollback).
public enum RetirementNote {
    static let prefix = "keyflow: rotated to "

    public static func make(successor: String, originalExpiry: Expiry, originalDescription: String) -> String {
        let expire: String
        switch originalExpiry {
        case .never: expire = "never"
        case .at(let d): expire = Format.isoTime(d)
        }
        let head = "\(prefix)\(successor); expire was \(expire)"
        if originalDescription.isEmpty { return head }
        // The API keeps 256 characters; the successor keeps the full original description anyway.
        return String((head + "; description was: " + originalDescription).prefix(256))
    }

    /// The expiry recorded in a retirement note; nil when `description` holds none.
    public static func originalExpiry(in description: String) -> Expiry? {
        guard description.hasPrefix(prefix),
            let range = description.range(of: #"; expire was [^;]+"#, options: .regularExpression)
        else { return nil }
        let value = String(description[range].dropFirst("; expire was ".count))
        if value == "never" { return .never }
        return Params.parseTime(value).map(Expiry.at)
    }

    /// The original description recorded in a note; nil when `description` is not a note.
    public static func originalDescription(in description: String) -> String? {
        guard description.hasPrefix(prefix) else { return nil }
        guard let range = description.range(of: "; description was: ") else { return "" }
        return String(description[range.upperBound...])
    }
}
