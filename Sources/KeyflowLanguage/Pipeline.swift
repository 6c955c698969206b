// The small public pipeline: every stage is callable alone (Lexer, Parser, Checker,
// Formatter); `compile` runs the front end in order.

/// Parses and checks a script. The program is nil when there are errors.
public func compile(source: String, file: String) -> (Program?, [Diagnostic]) {
    compile(bytes: Array(source.utf8), file: file)
}

/// Same, for raw bytes as read from a file (invalid UTF-8 is diagnosed, not replaced).
public func compile(bytes: [UInt8], file: String) -> (Program?, [Diagnostic]) {
    let parsed = Parser.parse(bytes: bytes, file: file)
    let diagnostics = parsed.diagnostics
    return (diagnostics.contains { $0.isError } ? nil : parsed.program, diagnostics)
}
