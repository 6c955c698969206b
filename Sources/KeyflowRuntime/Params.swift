import Foundation
import KeyflowLanguage

/// Typed `name=value` parameters: the default's type decides how the text is read.
public enum Params {
    public static func parse(_ text: String, like example: Value?) -> Value? {
        switch example {
        case nil, .string?: return .string(text)
        case .int?: return Int(text).map(Value.int)
        case .bool?:
            switch text.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: return nil
            }
        case .duration?: return durationSeconds(text).map(Value.duration)
        case .time?: return parseTime(text).map(Value.time)
        case .expiry?:
            if text == "never" { return .expiry(.never) }
            if text.hasPrefix("in ") { return durationSeconds(String(text.dropFirst(3))).map { .expiry(.within(seconds: $0)) } }
            if let s = durationSeconds(text) { return .expiry(.within(seconds: s)) }
            return parseTime(text).map { .expiry(.at($0)) }
        case .scopes?:
            return .scopes(ScopeSet.expanding(words(text)))
        case .list(let items)?:
            let parts = words(text)
            if let first = items.first, case .string = first { return .list(parts.map(Value.string)) }
            if items.isEmpty { return .list(parts.map(Value.string)) }
            var out: [Value] = []
            for p in parts {
                guard let v = parse(p, like: items[0]) else { return nil }
                out.append(v)
            }
            return .list(out)
        case .key?, .secret?, .project?: return nil
        }
    }

    /// A value of the same type as `value`, as it is written after the script.
    /// An example for a text that was not of the value's type: the same number with its unit
    /// when a unit was left out (`30` → `30d`), else `example(like:)`.
    public static func example(like value: Value, given text: String) -> String? {
        let digits = !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
        switch value {
        case .duration, .expiry: if digits { return text + "d" }
        default: break
        }
        return example(like: value)
    }

    public static func example(like value: Value) -> String? {
        switch value {
        case .string: "text"
        case .int: "30"
        case .bool: "true"
        case .duration: "90d"
        case .time: "2026-12-31"
        case .expiry: "90d"
        case .scopes: "users.read,databases.read"
        case .list: "a,b,c"
        case .key, .secret, .project: nil
        }
    }

    /// `a,b,c` or `[a, b, c]` or `["a", "b"]`.
    static func words(_ text: String) -> [String] {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("[") && t.hasSuffix("]") { t = String(t.dropFirst().dropLast()) }
        return t.split(separator: ",").map {
            var w = $0.trimmingCharacters(in: .whitespaces)
            if w.count >= 2 && w.hasPrefix("\"") && w.hasSuffix("\"") { w = String(w.dropFirst().dropLast()) }
            return w
        }.filter { !$0.isEmpty }
    }

    /// `90s`, `15m`, `1h30m`, `7d`, `2w`.
    public static func durationSeconds(_ text: String) -> Int? {
        var total = 0, number = 0, digits = 0
        for c in text {
            if let d = c.wholeNumberValue, c.isASCII {
                number = number * 10 + d
                digits += 1
                if number > 1_000_000_000 { return nil }
            } else {
                guard digits > 0, let unit = Vocabulary.durationUnits.first(where: { $0.unit == c }) else { return nil }
                total += number * unit.seconds
                number = 0
                digits = 0
            }
        }
        return digits == 0 && total > 0 ? total : (text == "0s" ? 0 : nil)
    }

    /// `2026-12-31`, `2026-12-31T23:59:59Z`, `2026-12-31T23:59:59.000+00:00`.
    public static func parseTime(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withFullDate]
        return f.date(from: text)
    }
}
