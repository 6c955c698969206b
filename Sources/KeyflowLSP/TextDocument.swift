import KeyflowBasics
import KeyflowLanguage

/// A position as LSP counts it: 0-based line, and the character offset in UTF-16 code units
/// (the protocol's default `positionEncoding`, the only one this server offers).
public struct Position: Sendable, Hashable, Comparable {
    public let line: Int
    public let character: Int

    public init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }

    public static func < (a: Position, b: Position) -> Bool { (a.line, a.character) < (b.line, b.character) }

    var json: JSONValue { .object([("line", .integer(Int64(line))), ("character", .integer(Int64(character)))]) }

    init?(_ value: JSONValue?) {
        guard let line = value?["line"]?.integerValue, let character = value?["character"]?.integerValue, line >= 0, character >= 0
        else { return nil }
        self.init(line: Int(line), character: Int(character))
    }
}

/// An open document: its text as the client last sent it, the line index that converts
/// between the language's byte offsets and LSP positions, and the front end's results.
public struct TextDocument: Sendable {
    public let uri: String
    public let version: Int
    public let bytes: [UInt8]
    /// The name diagnostics and source ranges carry (the path of a `file:` URI).
    public let file: String
    /// Byte offset where each line begins; a line ends at `\n`, `\r\n` or `\r` (LSP 3.17 "Text Documents").
    let lineStarts: [Int]

    public init(uri: String, version: Int, text: String) {
        self.uri = uri
        self.version = version
        bytes = Array(text.utf8)
        file = Self.path(of: uri)
        var starts = [0]
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                starts.append(i + 1)
            } else if bytes[i] == UInt8(ascii: "\r") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        lineStarts = starts
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// `file:///a/b%20c.kf` → `/a/b c.kf`; any other URI as it is.
    static func path(of uri: String) -> String {
        guard uri.hasPrefix("file://") else { return uri }
        let rest = Array(uri.utf8.dropFirst(7))
        var out: [UInt8] = []
        var i = 0
        while i < rest.count {
            if rest[i] == UInt8(ascii: "%"), i + 2 < rest.count, let h = hexDigit(rest[i + 1]), let l = hexDigit(rest[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(rest[i])
                i += 1
            }
        }
        let path = String(decoding: out, as: UTF8.self)
        // `file://host/path`: keep the path.
        if !path.hasPrefix("/"), let slash = path.firstIndex(of: "/") { return String(path[slash...]) }
        return path
    }

    // MARK: - Positions

    /// The line holding a byte offset (0-based).
    func line(ofOffset offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// Where line `n`'s text ends (before its line break).
    func lineEnd(_ n: Int) -> Int {
        var end = n + 1 < lineStarts.count ? lineStarts[n + 1] : bytes.count
        if end > lineStarts[n], bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        if end > lineStarts[n], bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return end
    }

    /// The LSP position of a byte offset: its line and the UTF-16 length of the text before it on that line.
    public func position(ofOffset offset: Int) -> Position {
        let offset = max(0, min(offset, bytes.count))
        let line = line(ofOffset: offset)
        let before = String(decoding: bytes[lineStarts[line]..<offset], as: UTF8.self)
        return Position(line: line, character: before.utf16.count)
    }

    /// The byte offset of an LSP position; a character past the line's end means its end, a
    /// line past the last means the end of the text, and a position inside a surrogate pair
    /// means the start of its character.
    public func offset(of position: Position) -> Int {
        guard position.line < lineStarts.count else { return bytes.count }
        let start = lineStarts[position.line], end = lineEnd(position.line)
        var units = 0
        var i = start
        while i < end {
            let width = Self.scalarWidth(bytes[i])
            let scalarEnd = min(i + width, end)
            let scalar = String(decoding: bytes[i..<scalarEnd], as: UTF8.self)
            let size = scalar.utf16.count
            if units + size > position.character { return i }
            units += size
            i = scalarEnd
        }
        return end
    }

    /// Bytes in the UTF-8 sequence a lead byte begins (1 for a stray continuation byte).
    static func scalarWidth(_ lead: UInt8) -> Int {
        lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }

    public func lspRange(_ range: SourceRange) -> (start: Position, end: Position) {
        (position(ofOffset: range.start.offset), position(ofOffset: range.end.offset))
    }

    func rangeJSON(_ range: SourceRange) -> JSONValue {
        rangeJSON(startOffset: range.start.offset, endOffset: range.end.offset)
    }

    func rangeJSON(startOffset: Int, endOffset: Int) -> JSONValue {
        .object([("start", position(ofOffset: startOffset).json), ("end", position(ofOffset: endOffset).json)])
    }

    /// The range of the whole text.
    var wholeRange: JSONValue { rangeJSON(startOffset: 0, endOffset: bytes.count) }

    /// The text of line `n` up to a byte offset on it.
    func linePrefix(upTo offset: Int) -> (text: String, lineStart: Int) {
        let line = line(ofOffset: offset)
        return (String(decoding: bytes[lineStarts[line]..<offset], as: UTF8.self), lineStarts[line])
    }

    // MARK: - The front end

    /// What `keyflow check` reports for this text: the same `compile`.
    public var diagnostics: [Diagnostic] { compile(bytes: bytes, file: file).1 }

    /// The parse, recovered past errors, and the checker's view of it (names, references).
    public var analysis: (parsed: ParseResult, checked: CheckResult) {
        let parsed = Parser.parse(bytes: bytes, file: file)
        return (parsed, Checker.check(parsed.program))
    }
}
