/// A position in a source file. `offset` is the byte offset into the UTF-8 text;
/// `line` and `column` are 1-based, and `column` counts bytes from the line start.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let offset: Int
    public let line: Int
    public let column: Int

    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool { lhs.offset < rhs.offset }

    public var description: String { "\(line):\(column)" }
}

/// A half-open range `[start, end)` of a source file. Every token and AST node has one.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let start: SourceLocation
    public let end: SourceLocation

    public init(file: String, start: SourceLocation, end: SourceLocation) {
        self.file = file
        self.start = start
        self.end = end
    }

    /// Length in bytes.
    public var length: Int { end.offset - start.offset }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(file: file, start: min(start, other.start), end: max(end, other.end))
    }

    /// `file:line:col-line:col`, used by the text dumps.
    public var description: String { "\(start)-\(end)" }
}
