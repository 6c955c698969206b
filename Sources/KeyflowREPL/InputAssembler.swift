import KeyflowLanguage

/// Gathers the physical lines of one chunk of REPL input. A chunk is complete when the
/// parser no longer reports it as incomplete (an open `{`, `[`, `(` or a clause that
/// continues) — the parser's typed outcome decides, never the wording of an error.
public struct InputAssembler: Sendable {
    public enum Outcome: Sendable {
        /// The input ended inside an open construct: read another line.
        case needsMore(Incompleteness)
        /// A chunk to run (or to report, when `parsed` has errors).
        case complete(source: String, parsed: ParseResult)
    }

    /// Name used for the chunk in diagnostics.
    public let file: String
    public private(set) var lines: [String] = []

    public init(file: String = "<repl>") {
        self.file = file
    }

    /// Whether no line of a chunk has been read yet (the primary prompt is due).
    public var isEmpty: Bool { lines.isEmpty }

    /// The source gathered so far.
    public var source: String { lines.joined(separator: "\n") }

    /// Adds one line; on `.complete` the assembler is empty again.
    public mutating func add(_ line: String) -> Outcome {
        lines.append(line)
        let source = self.source
        let parsed = Parser.parse(source: source, file: file)
        // Strings never span lines (docs/language.md §3.4): an open string is an error to report
        // now, not a reason to wait for more input.
        if let incomplete = parsed.incomplete, incomplete != .openString {
            return .needsMore(incomplete)
        }
        lines = []
        return .complete(source: source, parsed: parsed)
    }

    /// Drops a half-entered chunk (Ctrl-C at a continuation prompt).
    public mutating func reset() {
        lines = []
    }
}
