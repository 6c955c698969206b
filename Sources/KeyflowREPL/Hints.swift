import KeyflowBasics
import KeyflowLanguage

/// Help that fits a person typing at the prompt better than a script's: an undefined
/// name that is a mistyped statement (`lst`), or a key's name written without quotes
/// (`rotate ci`). Only the diagnostic's help changes; its place and summary stay.
enum Hints {
    static func adjusted(_ d: Diagnostic, source: String, keyNames: [String]) -> Diagnostic {
        guard d.id == "undefined-name" else { return d }
        let bytes = Array(source.utf8)
        let start = d.range.start.offset, end = d.range.end.offset
        guard start >= 0, end <= bytes.count, start < end else { return d }
        let name = String(decoding: bytes[start..<end], as: UTF8.self)
        let before = String(decoding: bytes[..<start], as: UTF8.self)
        let previous = before.split(whereSeparator: { !($0.isLetter || $0 == "_") }).last.map(String.init)
        let atStart = before.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == ";" }
        let statements = Set(Vocabulary.statementKeywords.filter { $0 != "else" })
        var help: String?
        if atStart, let statement = mistypedStatement(name, statements) {
            help = "`\(name)` is not a statement: did you mean `\(statement)`? (:help lists every statement)"
        } else if let previous, namingStatements.contains(previous) || previous == "all" {
            let key = keyNames.first { $0 == name } ?? keyNames.first { $0.lowercased() == name.lowercased() }
            let quoted = "\"" + (key ?? name) + "\""
            help = key != nil
                ? "a key's name is a string: `\(previous) \(quoted)`"
                : "a key's name is a string (`\(previous) \(quoted)`); `list` shows the keys, Tab inside quotes completes their names"
        }
        guard let help else { return d }
        return Diagnostic(d.severity, id: d.id, summary: d.summary, detail: d.detail, help: help, range: d.range, notes: d.notes)
    }

    /// Statements whose first argument names a key.
    static let namingStatements: Set<String> = [
        "create", "ensure", "update", "grant", "revoke", "delete", "rotate", "rollback", "secret", "show",
    ]

    /// For a chunk that is neither a statement nor an expression: when its first word is
    /// no variable or builtin but looks like a mistyped statement (`rot "ci"`), says so.
    static func mistypedFirstWord(_ source: String, variables: Set<String>) -> String? {
        let word = String(source.drop { $0 == " " || $0 == "\t" }.prefix { $0.isLetter || $0 == "_" })
        guard !word.isEmpty, !variables.contains(word), !Vocabulary.builtins.contains(word), word != "keys" else { return nil }
        let statements = Set(Vocabulary.statementKeywords.filter { $0 != "else" })
        guard !statements.contains(word), let statement = mistypedStatement(word, statements) else { return nil }
        return "`\(word)` is not a statement: did you mean `\(statement)`? (:help lists every statement)"
    }

    /// The statement a word was probably meant to be: one it abbreviates (`lst`, `rot`),
    /// else the nearest by edit distance.
    static func mistypedStatement(_ word: String, _ statements: Set<String>) -> String? {
        func abbreviates(_ keyword: String) -> Bool {
            guard word.count >= 2, word.first == keyword.first else { return false }
            var rest = Substring(keyword)
            for c in word {
                guard let i = rest.firstIndex(of: c) else { return false }
                rest = rest[rest.index(after: i)...]
            }
            return true
        }
        return statements.sorted().first(where: abbreviates) ?? nearest(word, in: statements)
    }
}
