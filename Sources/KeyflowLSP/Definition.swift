import KeyflowBasics
import KeyflowLanguage

/// `textDocument/definition`: where a `let`, `param`, loop variable or `as` binding used
/// at the cursor is defined, as the checker resolved it (`CheckResult.references`).
enum DefinitionFeature {
    static func definition(_ document: TextDocument, at offset: Int) -> SourceRange? {
        let references = document.analysis.checked.references
        if let found = references.first(where: { $0.use.start.offset <= offset && offset <= $0.use.end.offset }) {
            return found.definition
        }
        // On a definition itself: the definition.
        return references.first(where: { $0.definition.start.offset <= offset && offset <= $0.definition.end.offset })?.definition
    }

    static func locate(_ document: TextDocument, at position: Position) -> JSONValue {
        guard let range = definition(document, at: document.offset(of: position)) else { return .null }
        return .object([("uri", .string(document.uri)), ("range", document.rangeJSON(range))])
    }
}
