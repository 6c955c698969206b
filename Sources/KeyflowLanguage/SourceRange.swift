import Synchronization

/// A position in a source file. `offset` is the byte offset into the UTF-8 text;
/// `line` and `column` are 1-based, and `column` counts bytes from the line start.
/// The front end's bound on input size, checked by the parser (so every way in, the
/// command line, the REPL and the editor, has it) and by the script reader, which stops
/// reading there (a device or a pipe that never ends cannot fill memory).
public enum SourceLimits {
    /// 64 MiB: about 1.3 million statements (`keyflow check` of 1,000,000 takes seconds).
    public static let maxScriptBytes = 64 << 20
}

/// Stored in 32 bits each (a script is at most `SourceLimits.maxScriptBytes`), so a token's
/// range takes 28 bytes; larger values are clamped.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    private let storedOffset: UInt32
    private let storedLine: UInt32
    private let storedColumn: UInt32

    public var offset: Int { Int(storedOffset) }
    public var line: Int { Int(storedLine) }
    public var column: Int { Int(storedColumn) }

    public init(offset: Int, line: Int, column: Int) {
        storedOffset = UInt32(clamping: offset)
        storedLine = UInt32(clamping: line)
        storedColumn = UInt32(clamping: column)
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool { lhs.storedOffset < rhs.storedOffset }

    public var description: String { "\(line):\(column)" }
}

/// A source file's name, interned: a range carries this four-byte handle rather than a
/// String, so the millions of ranges of a large script are copied without reference
/// counting. Names are kept for the life of the process (a process reads few files).
public struct SourceFile: Sendable, Hashable {
    let index: UInt32

    public init(_ name: String) {
        index = SourceFile.table.withLock { table in
            if let known = table.ids[name] { return known }
            let new = UInt32(table.names.count)
            table.names.append(name)
            table.ids[name] = new
            return new
        }
    }

    public var name: String { SourceFile.table.withLock { $0.names[Int(index)] } }

    private static let table = Mutex<(names: [String], ids: [String: UInt32])>(([], [:]))
}

/// A half-open range `[start, end)` of a source file. Every token and AST node has one.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
    public let source: SourceFile
    public let start: SourceLocation
    public let end: SourceLocation

    public init(file: String, start: SourceLocation, end: SourceLocation) {
        self.init(source: SourceFile(file), start: start, end: end)
    }

    public init(source: SourceFile, start: SourceLocation, end: SourceLocation) {
        self.source = source
        self.start = start
        self.end = end
    }

    /// The file's name, as given to the lexer.
    public var file: String { source.name }

    /// Length in bytes.
    public var length: Int { end.offset - start.offset }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(source: source, start: min(start, other.start), end: max(end, other.end))
    }

    /// `file:line:col-line:col`, used by the text dumps.
    public var description: String { "\(start)-\(end)" }
}
