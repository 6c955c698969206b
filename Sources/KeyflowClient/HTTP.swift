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
/// Headers arrive as raw bytes and are parsed only when asked for.
struct HTTPResponse: Sendable {
    var status: Int
    var body: [UInt8]
    private var parsedHeaders: [HTTPHeader]?
    private var rawHeaders: [UInt8]

    init(status: Int, headers: [HTTPHeader], body: [UInt8]) {
        self.status = status
        self.body = body
        self.parsedHeaders = headers
        self.rawHeaders = []
    }

    init(status: Int, rawHeaders: [UInt8], body: [UInt8]) {
        self.status = status
        self.body = body
        self.parsedHeaders = nil
        self.rawHeaders = rawHeaders
    }

    var headers: [HTTPHeader] { parsedHeaders ?? Self.parse(rawHeaders) }

    /// The first header of that name (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every header of that name (case-insensitive), in order.
    func headers(named name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var isSuccess: Bool { (200..<300).contains(status) }

    /// `Name: value` lines (CRLF or LF), the status line skipped.
    static func parse(_ raw: [UInt8]) -> [HTTPHeader] {
        var headers: [HTTPHeader] = []
        for line in raw.split(separator: UInt8(ascii: "\n")) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            func trimmed(_ part: ArraySlice<UInt8>) -> String {
                let isSpace: (UInt8) -> Bool = { $0 == 32 || $0 == 9 || $0 == 13 }
                guard let first = part.firstIndex(where: { !isSpace($0) }), let last = part.lastIndex(where: { !isSpace($0) })
                else { return "" }
                return String(decoding: part[first...last], as: UTF8.self)
            }
            headers.append(HTTPHeader(name: trimmed(line[..<colon]), value: trimmed(line[(colon + 1)...])))
        }
        return headers
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a tiny positive duration stays positive.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
