import KeyflowBasics
import KeyflowLanguage

/// The language's `Diagnostic` as LSP's (3.17 `Diagnostic`): the same problems `keyflow
/// check` reports, their ranges in UTF-16 positions, the stable id as the code, the help
/// line in the message, the notes as related information.
enum Diagnostics {
    static func publishParams(_ document: TextDocument) -> JSONValue {
        .object([
            ("uri", .string(document.uri)), ("version", .integer(Int64(document.version))),
            ("diagnostics", .array(document.diagnostics.map { lsp($0, in: document) })),
        ])
    }

    static func lsp(_ d: Diagnostic, in document: TextDocument) -> JSONValue {
        var message = d.summary
        if let detail = d.detail { message += "\n" + detail }
        if let help = d.help { message += "\nhelp: " + help }
        var members: [(String, JSONValue)] = [
            ("range", document.rangeJSON(d.range)),
            ("severity", .integer(severity(d.severity))),
            ("code", .string(d.id)),
            ("source", .string("keyflow")),
            ("message", .string(message)),
        ]
        let related: [JSONValue] = d.notes.compactMap { note in
            guard let range = note.range, range.file == document.file else { return nil }
            return .object([
                ("location", .object([("uri", .string(document.uri)), ("range", document.rangeJSON(range))])),
                ("message", .string(note.message)),
            ])
        }
        if !related.isEmpty { members.append(("relatedInformation", .array(related))) }
        return .object(members)
    }

    /// DiagnosticSeverity: 1 error, 2 warning, 3 information.
    static func severity(_ s: Diagnostic.Severity) -> Int64 {
        switch s {
        case .error: 1
        case .warning: 2
        case .note: 3
        }
    }
}
