import KeyflowBasics
import KeyflowCLI
import KeyflowClient
import KeyflowLanguage
import KeyflowREPL

/// `textDocument/completion`: the REPL's completer (`Completer`, one owner of what may
/// follow what) over the cursor's line, each candidate with its kind and description —
/// scopes described from the catalogue, builtins with their arguments, keywords with the
/// first line of their help — and inside strings the target's live key names, or its
/// projects after `project`.
enum CompletionFeature {
    /// CompletionItemKind values (LSP 3.17).
    enum Kind: Int64 {
        case function = 3, field = 5, variable = 6, value = 12, keyword = 14, enumMember = 20, module = 9
    }

    /// How long completion waits for a first listing of the target before answering without it.
    static let liveWait: Duration = .seconds(3)

    static func complete(_ document: TextDocument, at position: Position, live: LiveNames) async -> JSONValue {
        let offset = document.offset(of: position)
        let (line, lineStart) = document.linePrefix(upTo: offset)
        let parsed = document.analysis.parsed
        let script = Invocation.useStatement(parsed.program)

        var context = CompletionContext(variables: variables(parsed.program))
        if let quote = openString(line) {
            let before = line[..<quote].split(whereSeparator: { $0 == " " || $0 == "\t" })
            if before.last == "project" {
                let typed = String(line[line.index(after: quote)...])
                let projects = await live.projects(script: script, wait: liveWait)
                let start = lineStart + line[...quote].utf8.count
                let items = projects.filter { $0.id.hasPrefix(typed) || $0.name.hasPrefix(typed) }.map { p in
                    item(p.id, kind: .module, detail: "project \(p.name)", filter: p.id + " " + p.name,
                         edit: p.id + "\"", document: document, start: start, end: offset)
                }
                return .object([("isIncomplete", .bool(false)), ("items", .array(items))])
            }
            if line[..<quote].contains("projects where") {
                let projects = await live.projects(script: script, wait: liveWait)
                context.keyNames = projects.map(\.name)
            } else {
                context.keyNames = await live.keyNames(script: script, wait: liveWait)
            }
        }
        let completion = Completer.complete(line: line, cursor: line.utf8.count, context: context)
        let start = lineStart + completion.start
        let items = completion.candidates.map { candidate in
            let (kind, detail, documentation) = describe(candidate, context: context)
            let label = candidate.hasSuffix("\"") ? String(candidate.dropLast()) : candidate
            return item(label, kind: kind, detail: detail, documentation: documentation, edit: candidate,
                        document: document, start: start, end: offset)
        }
        return .object([("isIncomplete", .bool(false)), ("items", .array(items))])
    }

    static func item(
        _ label: String, kind: Kind, detail: String?, documentation: String? = nil, filter: String? = nil, edit: String,
        document: TextDocument, start: Int, end: Int
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [("label", .string(label)), ("kind", .integer(kind.rawValue))]
        if let detail { members.append(("detail", .string(detail))) }
        if let documentation {
            members.append(("documentation", .object([("kind", .string("markdown")), ("value", .string(documentation))])))
        }
        if let filter { members.append(("filterText", .string(filter))) }
        members.append(("textEdit", .object([("range", document.rangeJSON(startOffset: start, endOffset: end)), ("newText", .string(edit))])))
        return .object(members)
    }

    /// A candidate's kind, one-line detail and longer documentation.
    static func describe(_ candidate: String, context: CompletionContext) -> (Kind, String?, String?) {
        if candidate.hasSuffix("\"") { return (.value, context.keyNames.isEmpty ? nil : "key", nil) }
        if let description = ScopeCatalogue.describe(candidate) { return (.enumMember, "scope: " + description, nil) }
        if Vocabulary.builtins.contains(candidate) {
            return (.function, "\(candidate)(\(Vocabulary.builtinArguments[candidate] ?? "…"))", HoverFeature.helpText(candidate).map(HoverFeature.markdown))
        }
        if Vocabulary.keywords.contains(candidate) || candidate == "in project" {
            return (.keyword, Help.summary(candidate), HoverFeature.helpText(candidate).map(HoverFeature.markdown))
        }
        if context.variables[candidate] != nil { return (.variable, "variable", nil) }
        if candidate.contains(".") { return (.field, "field", nil) }
        if Vocabulary.keyFields.contains(candidate) || Vocabulary.projectFields.contains(candidate) { return (.field, "field", nil) }
        return (.keyword, nil, nil)
    }

    /// The index of the quote that opens a string still open at the end of the line, if any
    /// (the lexer's verdict, so escapes and comments count as they do in a script).
    static func openString(_ line: String) -> String.Index? {
        var lexer = Lexer(source: line, file: "")
        while lexer.next().kind != .eof {}
        guard lexer.endedInsideString else { return nil }
        return line.lastIndex(of: "\"")
    }

    /// The variables the document defines, with what they hold as far as completion cares.
    static func variables(_ program: Program) -> [String: CompletionContext.VariableKind] {
        var out: [String: CompletionContext.VariableKind] = [:]
        var pending = program.statements
        while let s = pending.popLast() {
            for clause in s.clauses {
                if case .as(let id) = clause.kind { out[id.name] = .key }
            }
            switch s.kind {
            case .let(let name, let value): out[name.name] = kind(of: value)
            case .param(let name, _): out[name.name] = .other
            case .for(let variable, let sequence, _, let body):
                out[variable.name] = elementKind(of: sequence)
                pending += body.statements
            case .if(let branches, let elseBlock):
                pending += branches.flatMap(\.body.statements) + (elseBlock?.statements ?? [])
            case .inProject(_, let body): pending += body.statements
            default: break
            }
        }
        return out
    }

    static func kind(of e: Expr) -> CompletionContext.VariableKind {
        if case .selector = e.kind { return .key }
        return .other
    }

    static func elementKind(of e: Expr) -> CompletionContext.VariableKind {
        switch e.kind {
        case .keys, .keysWhere: .key
        case .projects, .projectsWhere: .project
        default: .other
        }
    }
}
