/// The proleptic Gregorian calendar in UTC, by Howard Hinnant's civil-calendar
/// algorithms: days since 1970-01-01 to and from a year, month and day, and the pieces of
/// ISO-8601 text the language, the client and the sandbox write and read. No Foundation:
/// instants are counted in whole units (seconds, milliseconds, microseconds) by the caller.
public enum CivilCalendar {
    /// Days since 1970-01-01 of a date (month 1–12, day 1–31).
    @inlinable public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    @inlinable public static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    @inlinable public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// True when `year-month-day` names a real date.
    @inlinable public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1 && day <= daysIn(month: month, year: year)
    }

    /// Splits a count of `unit`s-per-day since the epoch into whole days and the rest of
    /// the day, flooring (an instant before 1970 lies in the day before).
    public static func split(_ value: Int64, perDay unit: Int64) -> (days: Int64, ofDay: Int64) {
        var days = value / unit
        var rest = value % unit
        if rest < 0 {
            rest += unit
            days -= 1
        }
        return (days, rest)
    }

    /// `value` in decimal, zero-padded to `width` digits.
    public static func padded(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `YYYY-MM-DD` followed by `separator` and `HH:MM:SS`.
    public static func dateTime(days: Int, secondOfDay: Int, separator: String = "T") -> String {
        let (y, m, d) = civilFromDays(days)
        return padded(y, 4) + "-" + padded(m, 2) + "-" + padded(d, 2) + separator
            + padded(secondOfDay / 3600, 2) + ":" + padded(secondOfDay / 60 % 60, 2) + ":" + padded(secondOfDay % 60, 2)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmm+00:00` from milliseconds since the epoch: the form the
    /// Appwrite server writes its timestamps in (docs/appwrite-api.md §5.5).
    public static func serverTimestamp(milliseconds ms: Int64) -> String {
        let (days, msOfDay) = split(ms, perDay: 86_400_000)
        return dateTime(days: Int(days), secondOfDay: Int(msOfDay / 1000)) + "." + padded(Int(msOfDay % 1000), 3) + "+00:00"
    }
}

/// Reads ASCII digits and punctuation from UTF-8 bytes where they lie: the pieces the
/// date/time parsers of the client and the sandbox are built from (each keeps its own rules).
public struct ASCIIScanner {
    public let bytes: UnsafeBufferPointer<UInt8>
    public var index = 0

    @inlinable public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    @inlinable public var atEnd: Bool { index == bytes.count }

    /// True (and consumed) when the next byte is `ascii`.
    @inlinable public mutating func take(_ ascii: Unicode.Scalar) -> Bool {
        guard !atEnd, bytes[index] == UInt8(ascii: ascii) else { return false }
        index += 1
        return true
    }

    /// The next byte's value when it is a digit (consumed).
    @inlinable public mutating func digit() -> Int? {
        guard !atEnd, (48...57).contains(bytes[index]) else { return nil }
        defer { index += 1 }
        return Int(bytes[index] - 48)
    }

    /// Exactly `digits` digits as a number, or nil.
    @inlinable public mutating func number(digits: Int) -> Int? {
        var value = 0
        for _ in 0..<digits {
            guard let d = digit() else { return nil }
            value = value * 10 + d
        }
        return value
    }

    /// `YYYY-MM-DD` naming a real date.
    @inlinable public mutating func date() -> (year: Int, month: Int, day: Int)? {
        guard let year = number(digits: 4), take("-"), let month = number(digits: 2), take("-"), let day = number(digits: 2),
            CivilCalendar.isValid(year: year, month: month, day: day)
        else { return nil }
        return (year, month, day)
    }

    /// Runs `body` over the UTF-8 bytes of `text` in place (copied only when they are not contiguous).
    @inlinable public static func scanning<T>(_ text: String, _ body: (ASCIIScanner) -> T) -> T {
        if let result = text.utf8.withContiguousStorageIfAvailable({ body(ASCIIScanner($0)) }) { return result }
        return Array(text.utf8).withUnsafeBufferPointer { body(ASCIIScanner($0)) }
    }
}
