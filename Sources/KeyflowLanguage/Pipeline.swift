// The small public pipeline: every stage is callable alone (Lexer, Parser, Checker,
// Formatter, DiagnosticRenderer); `compile` runs the front end in order.

/// Parses and checks a script. The program is nil when there are errors.
public func compile(source: String, file: String, options: CheckOptions = CheckOptions()) -> (Program?, [Diagnostic]) {
    compile(bytes: Array(source.utf8), file: file, options: options)
}

/// Same, for raw bytes as read from a file (invalid UTF-8 is diagnosed, not replaced).
public func compile(bytes: [UInt8], file: String, options: CheckOptions = CheckOptions()) -> (Program?, [Diagnostic]) {
    let parsed = Parser.parse(bytes: bytes, file: file)
    if parsed.hasErrors { return (nil, parsed.diagnostics) }
    let checked = Checker.check(parsed.program, options: options)
    let diagnostics = Diagnostic.limited(parsed.diagnostics + checked.diagnostics)
    return (checked.hasErrors ? nil : parsed.program, diagnostics)
}
