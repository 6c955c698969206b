import KeyflowBasics
import KeyflowLanguage

/// What the completer knows about the session: its variables and the project's key names.
public struct CompletionContext: Sendable {
    /// What a variable holds, as far as completion cares.
    public enum VariableKind: Sendable, Hashable {
        /// A key: `k.` completes its fields.
        case key
        /// A project (`for p in projects`): `p.` completes its fields.
        case project
        /// Anything else.
        case other
    }

    public var variables: [String: VariableKind]
    /// Names of the project's keys, for completion inside a string.
    public var keyNames: [String]

    public init(variables: [String: VariableKind] = [:], keyNames: [String] = []) {
        self.variables = variables
        self.keyNames = keyNames
    }
}

/// The candidates for the word before the cursor: replace the bytes from `start` to the
/// cursor with one of them.
public struct Completion: Sendable, Equatable {
    /// UTF-8 offset in the line where the completed word begins.
    public let start: Int
    /// Sorted, without duplicates.
    public let candidates: [String]

    public init(start: Int, candidates: [String]) {
        self.start = start
        self.candidates = candidates
    }

    /// The longest prefix every candidate shares.
    public var commonPrefix: String {
        guard var prefix = candidates.first.map(Array.init) else { return "" }
        for candidate in candidates.dropFirst() {
            let c = Array(candidate)
            var n = 0
            while n < prefix.count, n < c.count, prefix[n] == c[n] { n += 1 }
            prefix = Array(prefix.prefix(n))
        }
        return String(prefix)
    }
}

/// Tab completion: statement and clause keywords, scopes from the catalogue, key names
/// inside strings, variables and their fields, meta-commands.
public enum Completer {

    public static func complete(line: String, cursor: Int, context: CompletionContext) -> Completion {
        let bytes = Array(line.utf8.prefix(cursor))
        let prefix = String(decoding: bytes, as: UTF8.self)

        // Meta-commands and their arguments.
        if MetaCommand.isMetaCommand(prefix) {
            return completeMeta(prefix, bytes: bytes)
        }

        // Inside a string: the project's key names, closed with a quote.
        if let quote = openQuote(bytes) {
            let typed = String(decoding: bytes[(quote + 1)...], as: UTF8.self)
            if isSinkArgument(before: Array(bytes[..<quote])) { return Completion(start: quote + 1, candidates: []) }
            let names = context.keyNames.filter { $0.hasPrefix(typed) }.map { $0 + "\"" }
            return Completion(start: quote + 1, candidates: sortedUnique(names))
        }

        var start = bytes.count
        while start > 0, isWordByte(bytes[start - 1]) { start -= 1 }
        let word = String(decoding: bytes[start...], as: UTF8.self)
        let before = Array(bytes[..<start])
        let previous = previousWords(before)

        if let dot = word.firstIndex(of: ".") {
            let head = String(word[..<dot])
            if let kind = context.variables[head] {
                let fields = kind == .key ? Vocabulary.keyFields : kind == .project ? Vocabulary.projectFields : []
                return Completion(start: start, candidates: sortedUnique(fields.map { "\(head).\($0)" }.filter { $0.hasPrefix(word) }))
            }
            return Completion(start: start, candidates: scopes(matching: word))
        }

        var candidates: [String] = []
        if previous.last == "to" && previous.dropLast().last == "secret" {
            candidates = Vocabulary.sinks
        } else if atStatementStart(before) {
            candidates = Vocabulary.statementKeywords + ["in project"] + Array(context.variables.keys) + Vocabulary.builtins
                + ["keys", "projects"]
        } else {
            candidates = Vocabulary.clauseKeywords + Vocabulary.otherKeywords + Vocabulary.builtins
                + Vocabulary.keyFields + Vocabulary.projectFields + Array(context.variables.keys)
            if !word.isEmpty { candidates += scopes(matching: word) }
        }
        return Completion(start: start, candidates: sortedUnique(candidates.filter { $0.hasPrefix(word) }))
    }

    static func completeMeta(_ prefix: String, bytes: [UInt8]) -> Completion {
        var start = bytes.count
        while start > 0, bytes[start - 1] != UInt8(ascii: " "), bytes[start - 1] != UInt8(ascii: "\t") { start -= 1 }
        let word = String(decoding: bytes[start...], as: UTF8.self)
        let words = prefix.split(whereSeparator: { $0 == " " || $0 == "\t" })
        let completingFirst = !prefix.drop(while: { $0 == " " || $0 == "\t" }).contains(where: { $0 == " " || $0 == "\t" })
        let options: [String]
        if completingFirst {
            options = MetaCommand.names
        } else {
            switch words.first {
            case ":help": options = REPLHelp.topicNames.filter { !$0.contains(" ") } + ["in"]
            case ":plan": options = ["on", "off"]
            default: options = []
            }
        }
        return Completion(start: start, candidates: sortedUnique(options.filter { $0.hasPrefix(word) }))
    }

    /// Scopes of the catalogue that start with `prefix`.
    static func scopes(matching prefix: String) -> [String] {
        ScopeCatalogue.all.filter { $0.hasPrefix(prefix) }
    }

    /// Offset of the quote that opens a string still open at the end of `bytes`, if any.
    static func openQuote(_ bytes: [UInt8]) -> Int? {
        var open: Int? = nil
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "#"), open == nil { return nil }
            if c == UInt8(ascii: "\\"), open != nil {
                i += 2
                continue
            }
            if c == UInt8(ascii: "\"") { open = open == nil ? i : nil }
            i += 1
        }
        return open
    }

    /// Whether a string starting here is a sink's argument (a path, a variable, a command).
    static func isSinkArgument(before: [UInt8]) -> Bool {
        let words = previousWords(before)
        guard let last = words.last else { return false }
        return last == "file" || last == "run" || last == "env" || (last == "in" && words.dropLast().contains("env"))
            || last == "endpoint" || last == "project" || last == "lines"
    }

    static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
            || c == UInt8(ascii: ".") || c == UInt8(ascii: "*")
    }

    /// The words before the cursor on this line, ignoring punctuation.
    static func previousWords(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self)
            .split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "*") })
            .map(String.init)
    }

    /// Whether only blanks, `{`, `}` or `;` precede the word: a statement begins here.
    static func atStatementStart(_ bytes: [UInt8]) -> Bool {
        for c in bytes.reversed() {
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"): continue
            case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ";"), UInt8(ascii: "\n"): return true
            default: return false
            }
        }
        return true
    }

    static func sortedUnique(_ words: [String]) -> [String] {
        Array(Set(words)).sorted()
    }
}
