import Foundation
import KeyflowBasics

/// Instants as the sandbox stores them: milliseconds since 1970-01-01T00:00:00Z, UTC.
/// Formatting and parsing are done by hand so that years 0000–9999 (all the server
/// accepts) work and no formatter sits on the hot path.
enum Timestamps {
    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    static func nowMicroseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down)) }

    /// `YYYY-MM-DDTHH:MM:SS.mmm+00:00`, the server's output format (docs/appwrite-api.md §5.5).
    static func format(_ ms: Int64) -> String { CivilCalendar.serverTimestamp(milliseconds: ms) }

    /// `YYYY-MM-DD HH:MM:SS.mmm`, the database format ephemeral keys carry in `$createdAt` (§5.3).
    static func formatDatabase(_ ms: Int64) -> String {
        let (days, msOfDay) = CivilCalendar.split(ms, perDay: 86_400_000)
        return CivilCalendar.dateTime(days: Int(days), secondOfDay: Int(msOfDay / 1000), separator: " ") + "."
            + CivilCalendar.padded(Int(msOfDay % 1000), 3)
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` from microseconds, the ephemeral `expire` format (§5.3).
    static func formatMicroseconds(_ us: Int64) -> String {
        let (days, usOfDay) = CivilCalendar.split(us, perDay: 86_400_000_000)
        return CivilCalendar.dateTime(days: Int(days), secondOfDay: Int(usOfDay / 1_000_000)) + "."
            + CivilCalendar.padded(Int(usOfDay % 1_000_000), 6) + "Z"
    }

    /// Parses the date/time strings the sandbox accepts for `expire` and date query values:
    /// `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM[:SS[.fraction]]`, and an
    /// optional zone `Z`, `±HH:MM`, `±HHMM` or `±HH`. Without a zone the time is UTC (the
    /// server's default time zone). Years 0000–9999. Returns milliseconds since the epoch.
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= b.count else { return nil }
            var v = 0
            for k in i..<i + width {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            i += width
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else { return nil }
        guard CivilCalendar.isValid(year: year, month: month, day: day) else { return nil }
        var seconds = 0
        var millis = 0
        var offset = 0
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") {
            i += 1
            guard let hour = number(2), expect(":"), let minute = number(2), hour < 24, minute < 60 else { return nil }
            seconds = hour * 3600 + minute * 60
            if expect(":") {
                guard let second = number(2), second < 60 else { return nil }
                seconds += second
                if expect(".") {
                    var digits = 0
                    var fraction = 0
                    while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                        if digits < 3 { fraction = fraction * 10 + Int(b[i] - 0x30) }
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in digits..<max(digits, 3) { fraction *= 10 }
                    millis = fraction
                }
            }
            if i < b.count {
                if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                    i += 1
                } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                    let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                    i += 1
                    guard let oh = number(2), oh <= 14 else { return nil }
                    var om = 0
                    if expect(":") {
                        guard let m = number(2) else { return nil }
                        om = m
                    } else if i < b.count {
                        guard let m = number(2) else { return nil }
                        om = m
                    }
                    guard om < 60 else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                }
            }
        }
        guard i == b.count else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        return (Int64(days) * 86_400 + Int64(seconds - offset)) * 1000 + Int64(millis)
    }
}
