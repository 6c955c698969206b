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
    static func parse(_ text: String) -> Int64? { ASCIIScanner.scanning(text, parse) }

    private static func parse(_ scanner: ASCIIScanner) -> Int64? {
        var s = scanner
        guard let (year, month, day) = s.date() else { return nil }
        var seconds = 0
        var millis = 0
        var offset = 0
        if s.take("T") || s.take("t") || s.take(" ") {
            guard let hour = s.number(digits: 2), s.take(":"), let minute = s.number(digits: 2), hour < 24, minute < 60 else { return nil }
            seconds = hour * 3600 + minute * 60
            if s.take(":") {
                guard let second = s.number(digits: 2), second < 60 else { return nil }
                seconds += second
                if s.take(".") {
                    var digits = 0
                    var fraction = 0
                    while let d = s.digit() {
                        if digits < 3 { fraction = fraction * 10 + d }
                        digits += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in digits..<max(digits, 3) { fraction *= 10 }
                    millis = fraction
                }
            }
            if !s.take("Z"), !s.take("z"), let sign = s.take("+") ? 1 : s.take("-") ? -1 : nil {
                guard let oh = s.number(digits: 2), oh <= 14 else { return nil }
                var om = 0
                if s.take(":") || !s.atEnd {
                    guard let m = s.number(digits: 2) else { return nil }
                    om = m
                }
                guard om < 60 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard s.atEnd else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        return (Int64(days) * 86_400 + Int64(seconds - offset)) * 1000 + Int64(millis)
    }
}
