// The front end's promises on any input, as functions: the libFuzzer targets in
// Tests/Fuzz call them on every generated input, and the regression tests call them on
// every input a fuzzer ever found (docs/fuzzing.md). Whatever they return, they must
// return quickly: a hang or a crash here is the bug.

public enum FrontEndInvariants {
    /// Lexes, parses, checks and renders the diagnostics of `bytes`, as `keyflow check` does.
    /// Returns the rendered diagnostics so the work cannot be optimised away.
    @discardableResult
    public static func frontEnd(_ bytes: [UInt8]) -> Int {
        let file = "fuzz.kf"
        let (_, diagnostics) = compile(bytes: bytes, file: file)
        let renderer = DiagnosticRenderer(sources: [file: bytes])
        return renderer.render(diagnostics).utf8.count + diagnostics.map { $0.jsonEvent.encoded().utf8.count }.reduce(0, +)
    }

    /// The formatter's contract on `bytes`, nil when it holds: formatting is idempotent
    /// (`fmt(fmt(x)) == fmt(x)`), and the formatted program has the same syntax tree and
    /// the same diagnostics (severity, id, summary; not ranges, which move) as the source.
    public static func formatViolation(_ bytes: [UInt8]) -> String? {
        let file = "fuzz.kf"
        let parsed = Parser.parse(bytes: bytes, file: file)
        guard !parsed.hasErrors else { return nil }
        let once = Formatter.format(parsed.program)
        let reparsed = Parser.parse(source: once, file: file)
        // At the nesting limit a parenthesis the layout adds is one level too many: then
        // `format(bytes:)`, what `fmt` and the editor call, must refuse the script.
        if reparsed.hasErrors && reparsed.diagnostics.allSatisfy({ !$0.isError || $0.id == "nesting-too-deep" }) {
            return Formatter.format(bytes: bytes, file: file).0 == nil ? nil : "fmt wrote a layout that is nested too deep"
        }
        if reparsed.hasErrors {
            return "the formatted program has syntax errors: \(reparsed.diagnostics.map(\.id))"
        }
        if reparsed.program.dump != parsed.program.dump { return "formatting changed the syntax tree" }
        let before = meaning(parsed.diagnostics + Checker.check(parsed.program).diagnostics)
        let after = meaning(reparsed.diagnostics + Checker.check(reparsed.program).diagnostics)
        if before != after { return "formatting changed the diagnostics: \(before) became \(after)" }
        if Formatter.format(reparsed.program) != once { return "formatting is not idempotent" }
        return nil
    }

    /// The diagnostics without their ranges, in a fixed order: they are listed by position,
    /// and positions move (dropped parentheses put two diagnostics at one column).
    static func meaning(_ diagnostics: [Diagnostic]) -> [String] {
        diagnostics.map { "\($0.severity.rawValue) \($0.id): \($0.summary)" }.sorted()
    }
}
