import Foundation

/// Key ids as the SDKs' `ID.unique()` makes them: 8 hex digits of seconds, 5 of the
/// sub-second part, 7 random — 20 lowercase hex characters.
public enum KeyID {
    public static func unique() -> String {
        let now = Date().timeIntervalSince1970
        let seconds = UInt64(now)
        let micros = UInt64((now - Double(seconds)) * 1_000_000) & 0xFFFFF
        let random = UInt64.random(in: 0..<0x1000_0000)
        return String(seconds, radix: 16).leftPadded(8) + String(micros, radix: 16).leftPadded(5)
            + String(random, radix: 16).leftPadded(7)
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String {
        count >= n ? String(suffix(n)) : String(repeating: "0", count: n - count) + self
    }
}
