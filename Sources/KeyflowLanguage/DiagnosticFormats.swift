import KeyflowBasics

/// The machine-readable forms of a diagnostic, beside the text form of `DiagnosticRenderer`:
/// the `diagnostic` event of docs/events.md (the one JSON shape of `check`, `plan`, `run` and
/// `doctor`) and a GitHub Actions workflow annotation (`--format github`).
extension SourceRange {
    /// The name ranges carry for a problem of the command line, not of a script's text.
    public static let commandLineFile = "keyflow"

    /// A problem of the command line or the environment: no file, no excerpt.
    public static var commandLine: SourceRange {
        let start = SourceLocation(offset: 0, line: 1, column: 1)
        return SourceRange(file: commandLineFile, start: start, end: start)
    }

    public var isCommandLine: Bool { file == Self.commandLineFile }

    /// `{"file", "line", "column", "end_line", "end_column"}` (docs/events.md), members sorted.
    public var jsonSource: JSONValue {
        .object([
            ("column", .integer(Int64(start.column))), ("end_column", .integer(Int64(end.column))),
            ("end_line", .integer(Int64(end.line))), ("file", .string(file)), ("line", .integer(Int64(start.line))),
        ])
    }
}

extension Diagnostic {
    /// The `diagnostic` event: `event` first, then the members in sorted order; `source` only
    /// when the problem is in a script, `detail`, `help` and `notes` only when there are some.
    public var jsonEvent: JSONValue {
        var members: [(String, JSONValue)] = [("event", .string("diagnostic"))]
        if let detail { members.append(("detail", .string(detail))) }
        if let help { members.append(("help", .string(help))) }
        members.append(("id", .string(id)))
        members.append(("message", .string(summary)))
        if !notes.isEmpty {
            members.append((
                "notes",
                .array(notes.map { note in
                    .object([("message", .string(note.message))] + (note.range.map { [("source", $0.jsonSource)] } ?? []))
                })))
        }
        members.append(("severity", .string(severity.rawValue)))
        if !range.isCommandLine { members.append(("source", range.jsonSource)) }
        return .object(members)
    }

    /// A GitHub Actions workflow command that annotates the range in the pull request:
    /// `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=keyflow ID::summary` (help and
    /// notes on further lines of the message). Without a file (a command-line problem,
    /// standard input), the annotation names none.
    public var githubAnnotation: String {
        let command = switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "notice"
        }
        var properties: [(String, String)] = []
        if !range.isCommandLine && range.file != "<stdin>" {
            properties += [
                ("file", range.file), ("line", String(range.start.line)), ("col", String(range.start.column)),
                ("endLine", String(range.end.line)), ("endColumn", String(range.end.column)),
            ]
        }
        properties.append(("title", "keyflow \(id)"))
        var message = summary
        if let detail { message += "\n" + detail }
        if let help { message += "\nhelp: " + help }
        for note in notes {
            message += "\nnote: " + note.message + (note.range.map { " (\($0.file):\($0.start.line):\($0.start.column))" } ?? "")
        }
        let fields = properties.map { "\($0.0)=\(GitHubAnnotation.escapeProperty($0.1))" }.joined(separator: ",")
        return "::\(command) \(fields)::\(GitHubAnnotation.escapeData(message))"
    }
}

/// The escaping of workflow commands (GitHub's runner decodes them in this order).
public enum GitHubAnnotation {
    /// A command's message: `%`, CR and LF.
    public static func escapeData(_ text: String) -> String { escape(text, property: false) }

    /// A property's value: also `:` and `,`, which end a property.
    public static func escapeProperty(_ text: String) -> String { escape(text, property: true) }

    static func escape(_ text: String, property: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            case ":" where property: out += "%3A"
            case "," where property: out += "%2C"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
