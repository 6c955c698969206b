import KeyflowBasics
import KeyflowLanguage

/// `textDocument/formatting`: `keyflow fmt`'s `Formatter`, as one edit replacing the whole
/// text; a document the formatter refuses (syntax errors) is refused with the first error.
enum FormattingFeature {
    static func format(_ document: TextDocument, id: JSONValue) -> Result<JSONValue, RPCError> {
        let (formatted, diagnostics) = Formatter.format(bytes: document.bytes, file: document.file)
        guard let formatted else {
            let errors = diagnostics.filter(\.isError)
            let first = errors.first.map { " (first: \($0.range.start.line):\($0.range.start.column) \($0.summary))" } ?? ""
            return .failure(.requestFailed(
                "cannot format a document with \(errors.count) syntax error\(errors.count == 1 ? "" : "s")\(first): fix it first", id: id))
        }
        if Array(formatted.utf8) == document.bytes { return .success(.array([])) }
        return .success(.array([.object([("range", document.wholeRange), ("newText", .string(formatted))])]))
    }
}
