import Foundation
import KeyflowBasics

/// Timestamps on the wire (docs/appwrite-api.md §5.5). Parsing is lenient, as servers differ:
/// `T` or a space between date and time; `Z`, `±HH:MM`, `±HHMM` or nothing (UTC) after it;
/// any number of fractional digits (3 and 6 are seen); or a date alone (midnight UTC).
/// Formatting writes what the server itself emits: `2030-01-01T00:00:00.000+00:00`.
public enum WireDate {
    public static func parse(_ text: String) -> Date? {
        // A native string's bytes are read in place: a key list holds three dates a key.
        ASCIIScanner.scanning(text, parse)
    }

    /// The same, over UTF-8 bytes where they lie (a response body being read).
    public static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        parse(ASCIIScanner(bytes))
    }

    private static func parse(_ scanner: ASCIIScanner) -> Date? {
        var scanner = scanner
        guard let (year, month, day) = scanner.date() else { return nil }
        var seconds = Double(CivilCalendar.daysFromCivil(year: year, month: month, day: day)) * 86_400
        if scanner.atEnd { return Date(timeIntervalSince1970: seconds) }

        guard scanner.take("T") || scanner.take("t") || scanner.take(" "),
            let hour = scanner.number(digits: 2), scanner.take(":"),
            let minute = scanner.number(digits: 2), hour < 24, minute < 60
        else { return nil }
        var second = 0
        var fraction = 0.0
        if scanner.take(":") {
            guard let s = scanner.number(digits: 2), s < 61 else { return nil }
            second = s
            if scanner.take(".") || scanner.take(",") {
                var scale = 0.1
                var any = false
                while let d = scanner.digit() {
                    fraction += Double(d) * scale
                    scale /= 10
                    any = true
                }
                guard any else { return nil }
            }
        }
        seconds += Double(hour * 3600 + minute * 60 + second) + fraction

        if scanner.atEnd || scanner.take("Z") || scanner.take("z") {
            return scanner.atEnd ? Date(timeIntervalSince1970: seconds) : nil
        }
        let sign: Double
        if scanner.take("+") { sign = 1 } else if scanner.take("-") { sign = -1 } else { return nil }
        guard let offsetHours = scanner.number(digits: 2) else { return nil }
        _ = scanner.take(":")
        let offsetMinutes = scanner.number(digits: 2) ?? 0
        guard scanner.atEnd, offsetHours < 24, offsetMinutes < 60 else { return nil }
        seconds -= sign * Double(offsetHours * 3600 + offsetMinutes * 60)
        return Date(timeIntervalSince1970: seconds)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmm+00:00`, in UTC, milliseconds truncated.
    public static func format(_ date: Date) -> String {
        CivilCalendar.serverTimestamp(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
