import Foundation

/// One HTTP request as the transport sends it. Header values may hold secrets:
/// an `HTTPRequest` is never printed or logged.
struct HTTPRequest: Sendable {
    enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", delete = "DELETE"
    }

    var method: Method
    var url: String
    /// `name: value` lines in the order they are sent. `name;` sends the header with an empty value.
    var headers: [String]
    var body: [UInt8]?
    var connectTimeout: Duration
    var totalTimeout: Duration
    var insecure: Bool
}

/// One response header, as received.
struct HTTPHeader: Sendable, Hashable {
    var name: String
    var value: String
}

/// A complete response: status, headers (of the final response only) and body.
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [HTTPHeader]
    var body: [UInt8]

    /// The first header of that name (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every header of that name (case-insensitive), in order.
    func headers(named name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    var isSuccess: Bool { (200..<300).contains(status) }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a tiny positive duration stays positive.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
