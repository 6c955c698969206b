/// The proleptic Gregorian calendar in UTC, by Howard Hinnant's civil-calendar
/// algorithms: days since 1970-01-01 to and from a year, month and day, and the pieces of
/// ISO-8601 text the language, the client and the sandbox write and read. No Foundation:
/// instants are counted in whole units (seconds, milliseconds, microseconds) by the caller.
public enum CivilCalendar {
    /// Days since 1970-01-01 of a date (month 1–12, day 1–31).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
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

    public static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// True when `year-month-day` names a real date.
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
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
