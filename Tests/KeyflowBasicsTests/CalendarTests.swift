import Foundation
import KeyflowBasics
import KeyflowRuntime
import Testing

@Suite struct CalendarTests {
    @Test(arguments: [
        (1970, 1, 1, 0), (2000, 3, 1, 11_017), (1969, 12, 31, -1), (0, 1, 1, -719_528), (9999, 12, 31, 2_932_896),
        (2024, 2, 29, 19_782),
    ])
    func daysRoundTrip(_ year: Int, _ month: Int, _ day: Int, _ days: Int) {
        #expect(CivilCalendar.daysFromCivil(year: year, month: month, day: day) == days)
        let civil = CivilCalendar.civilFromDays(days)
        #expect(civil.year == year && civil.month == month && civil.day == day)
    }

    @Test func validDates() {
        #expect(CivilCalendar.isValid(year: 2024, month: 2, day: 29))
        #expect(!CivilCalendar.isValid(year: 2023, month: 2, day: 29))
        #expect(!CivilCalendar.isValid(year: 1900, month: 2, day: 29))
        #expect(CivilCalendar.isValid(year: 2000, month: 2, day: 29))
        #expect(!CivilCalendar.isValid(year: 2024, month: 13, day: 1))
        #expect(!CivilCalendar.isValid(year: 2024, month: 4, day: 31))
        #expect(!CivilCalendar.isValid(year: 2024, month: 1, day: 0))
    }

    @Test func serverTimestamps() {
        #expect(CivilCalendar.serverTimestamp(milliseconds: 0) == "1970-01-01T00:00:00.000+00:00")
        #expect(CivilCalendar.serverTimestamp(milliseconds: 1_893_456_000_123) == "2030-01-01T00:00:00.123+00:00")
        #expect(CivilCalendar.serverTimestamp(milliseconds: -1) == "1969-12-31T23:59:59.999+00:00")
        #expect(CivilCalendar.dateTime(days: 0, secondOfDay: 3_723, separator: " ") == "1970-01-01 01:02:03")
        #expect(CivilCalendar.padded(7, 3) == "007" && CivilCalendar.padded(12_345, 3) == "12345")
    }

    /// The runtime's text forms of an instant are built on the same calendar.
    @Test func runtimeTimes() {
        #expect(Format.time(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00Z")
        #expect(Format.time(Date(timeIntervalSince1970: 1.5)) == "1970-01-01T00:00:01Z")
        #expect(Format.time(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(Format.time(Date(timeIntervalSince1970: 1_803_456_000)) == "2027-02-24T08:00Z")
        #expect(Format.isoTime(Date(timeIntervalSince1970: 0.5)) == "1970-01-01T00:00:00.500Z")
        #expect(Format.isoTime(Date(timeIntervalSince1970: -0.25)) == "1969-12-31T23:59:59.750Z")
    }
}
