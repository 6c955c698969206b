import Foundation
import KeyflowBasics
import KeyflowLanguage
import Testing

@testable import KeyflowLSP

/// LSP positions count UTF-16 code units; the language counts bytes. Both ways, on lines
/// with two-byte, three-byte and four-byte (surrogate pair) characters and every line break.
struct PositionTests {
    let text = "let a = \"é\"\r\nprint \"€ 🎉\", b\rlet c = 1\nx"

    @Test func byteOffsetsToUTF16Positions() {
        let d = TextDocument(uri: "file:///t.kf", version: 1, text: text)
        let bytes = Array(text.utf8)
        func offset(of needle: String, from: Int = 0) -> Int {
            let n = Array(needle.utf8)
            return (from...(bytes.count - n.count)).first { Array(bytes[$0..<($0 + n.count)]) == n }!
        }
        #expect(d.position(ofOffset: 0) == Position(line: 0, character: 0))
        // after `"é"` the line has 11 characters but 12 bytes
        #expect(d.position(ofOffset: offset(of: "\r\n")) == Position(line: 0, character: 11))
        // `b` after `€` (3 bytes, 1 unit) and 🎉 (4 bytes, 2 units)
        #expect(d.position(ofOffset: offset(of: "b")) == Position(line: 1, character: 14))
        #expect(d.position(ofOffset: offset(of: "let c")) == Position(line: 2, character: 0))
        #expect(d.position(ofOffset: bytes.count) == Position(line: 3, character: 1))
    }

    @Test func utf16PositionsToByteOffsets() {
        let d = TextDocument(uri: "file:///t.kf", version: 1, text: text)
        let line1 = Array("print \"€ 🎉\", b".utf8)
        let start1 = Array("let a = \"é\"\r\n".utf8).count
        #expect(d.offset(of: Position(line: 1, character: 14)) == start1 + line1.count - 1)
        // inside the surrogate pair: the emoji's first byte
        #expect(d.offset(of: Position(line: 1, character: 10)) == start1 + 11)
        #expect(d.offset(of: Position(line: 1, character: 9)) == start1 + 11)
        // past the end of a line: its end, before the `\r`
        #expect(d.offset(of: Position(line: 1, character: 99)) == start1 + line1.count)
        #expect(d.offset(of: Position(line: 9, character: 0)) == Array(text.utf8).count)
        for line in 0..<4 {
            for character in 0..<16 {
                let o = d.offset(of: Position(line: line, character: character))
                let back = d.position(ofOffset: o)
                #expect(back.line == line && back.character <= character)
            }
        }
    }

    @Test func diagnosticsAreCheckDiagnosticsAtUTF16Ranges() {
        let source = "print \"naïve 🎉\", missing\n"
        let d = TextDocument(uri: "file:///a%20b/t.kf", version: 3, text: source)
        #expect(d.file == "/a b/t.kf")
        let params = Diagnostics.publishParams(d)
        let first = params["diagnostics"]?.arrayValue?.first
        #expect(first?["code"]?.stringValue == "undefined-name")
        let start = "print \"naïve 🎉\", ".utf16.count
        #expect(first?["range"]?["start"]?["character"]?.integerValue == Int64(start))
        #expect(first?["range"]?["end"]?["character"]?.integerValue == Int64(start + 7))
        #expect(compile(source: source, file: d.file).1.count == params["diagnostics"]?.arrayValue?.count)
    }
}

/// The base protocol's framing, from a pipe.
struct FrameTests {
    func frames(_ input: String) -> [Frame] {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        let bytes = Array(input.utf8)
        _ = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        let reader = FrameReader(descriptor: fds[0])
        var out: [Frame] = []
        while true {
            let f = reader.next()
            out.append(f)
            if f == .end { break }
        }
        close(fds[0])
        return out
    }

    @Test func readsMessagesAndSkipsBadHeaders() {
        let got = frames("Content-Length: 2\r\n\r\n{}content-length:8\r\nContent-Type: x\r\n\r\n[1,\"é\"]X-Bad\r\n\r\nContent-Length: 5\r\n\r\n{")
        #expect(got == [
            .message(Array("{}".utf8)), .message(Array("[1,\"é\"]".utf8)), .badHeader("header without a colon: X-Bad"), .end,
        ])
    }

    @Test func decodesRequestsNotificationsAndErrors() {
        #expect(RPCMessage.decode(Array(#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#.utf8)) == .success(.request(id: .integer(1), method: "shutdown", params: nil)))
        #expect(RPCMessage.decode(Array(#"{"jsonrpc":"2.0","method":"exit"}"#.utf8)) == .success(.notification(method: "exit", params: nil)))
        #expect(RPCMessage.decode(Array("{oops".utf8)) == .failure(.parseError("the message is not valid JSON")))
        guard case .failure(let e) = RPCMessage.decode(Array(#"{"id":true,"method":"x"}"#.utf8)) else { return #expect(Bool(false)) }
        #expect(e.code == -32600)
    }
}
