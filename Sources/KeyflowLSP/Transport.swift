import Foundation
import Glibc

/// The base protocol's framing (LSP 3.17 "Base Protocol"): a header part of
/// `Name: value\r\n` lines ended by an empty line, then exactly `Content-Length` bytes of
/// UTF-8 JSON. Reads from and writes to file descriptors (standard input and output).
public enum Frame: Equatable, Sendable {
    /// One message body.
    case message([UInt8])
    /// A header part that is not valid: the bytes up to its empty line are skipped, so the
    /// next message can still be read.
    case badHeader(String)
    /// The input ended (between messages or inside one).
    case end
}

/// Reads frames from a file descriptor, buffering what it has read past the current one.
public final class FrameReader {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var position = 0
    private var ended = false
    /// The largest body accepted (a larger one is refused as a bad header, unread bodies skipped).
    public static let maximumLength = 64 << 20

    public init(descriptor: Int32 = 0) {
        self.descriptor = descriptor
    }

    /// The next frame; blocks until one is complete or the input ends.
    public func next() -> Frame {
        var headers: [String] = []
        while true {
            guard let line = readLine() else { return .end }
            if line.isEmpty { break }
            headers.append(line)
        }
        var length: Int?
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else { return .badHeader("header without a colon: \(header.prefix(80))") }
            let name = header[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" {
                guard let n = Int(value), n >= 0 else { return .badHeader("Content-Length is not a number: \(value.prefix(40))") }
                length = n
            }
        }
        guard let length else { return .badHeader("no Content-Length header") }
        guard length <= Self.maximumLength else { return .badHeader("Content-Length \(length) exceeds \(Self.maximumLength)") }
        guard let body = read(count: length) else { return .end }
        return .message(body)
    }

    /// One header line without its `\r\n` (a bare `\n` is accepted too); nil at the end of input.
    private func readLine() -> String? {
        var line: [UInt8] = []
        while true {
            guard let byte = readByte() else { return nil }
            if byte == UInt8(ascii: "\n") {
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            line.append(byte)
            if line.count > 8192 { return String(decoding: line, as: UTF8.self) }
        }
    }

    private func readByte() -> UInt8? {
        if position == buffer.count && !fill() { return nil }
        defer { position += 1 }
        return buffer[position]
    }

    private func read(count: Int) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            if position == buffer.count && !fill() { return nil }
            let take = min(count - out.count, buffer.count - position)
            out += buffer[position..<(position + take)]
            position += take
        }
        return out
    }

    /// Reads what is available; false at the end of input or on an error.
    private func fill() -> Bool {
        if ended { return false }
        buffer.removeAll(keepingCapacity: true)
        position = 0
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer += chunk[0..<n]
                return true
            }
            if n < 0 && errno == EINTR { continue }
            ended = true
            return false
        }
    }
}

/// Writes frames to a file descriptor; safe to call from several threads (one frame at a time).
public final class FrameWriter: @unchecked Sendable {
    private let descriptor: Int32
    private let lock = NSLock()

    public init(descriptor: Int32 = 1) {
        self.descriptor = descriptor
    }

    public func write(_ body: String) {
        let bytes = Array("Content-Length: \(body.utf8.count)\r\n\r\n".utf8) + Array(body.utf8)
        lock.withLock {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }  // the client went away; the reader will see the end
                offset += n
            }
        }
    }
}
