import Foundation

/// When and how long to wait before trying a call again: on connection errors and on
/// 429/500/502/503/504, with exponential backoff and full jitter, honouring `Retry-After`.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included. 1 means no retry.
    public var maxAttempts: Int
    /// The backoff before the second attempt; it doubles for each further one.
    public var baseDelay: Duration
    /// No computed backoff is longer than this.
    public var maxDelay: Duration
    /// A server's `Retry-After` longer than this is cut to it.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200),
                maxDelay: Duration = .seconds(5), maxRetryAfter: Duration = .seconds(60)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    public static let standard = RetryPolicy()
    public static let none = RetryPolicy(maxAttempts: 1)

    public static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// curl codes that are worth another attempt: the connection failed, broke or timed out.
    /// 5 proxy, 6 DNS: not retried beyond the policy either — they can be transient too.
    static let retryableTransportCodes: Set<Int> = [5, 6, 7, 16, 18, 28, 35, 52, 55, 56]
    /// curl codes for failures before the request left the machine (nothing can have been
    /// committed); 2 is libcurl that could not be loaded or set up.
    static let notSentTransportCodes: Set<Int> = [2, 5, 6, 7, 35]

    /// The wait before attempt `attempt + 1` (attempt counts from 1): the server's
    /// `Retry-After` when it gave one, else a random duration in [0, min(maxDelay, base·2^(attempt-1))].
    func delay(afterAttempt attempt: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, maxRetryAfter) }
        let cap = min(maxDelay.seconds, baseDelay.seconds * pow(2, Double(attempt - 1)))
        return .milliseconds(Int(Double.random(in: 0...cap) * 1000))
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(max(0, Int(date.timeIntervalSince(now) * 1000)))
    }
}
