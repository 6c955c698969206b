import KeyflowBasics

/// A REPL command that is not a statement: a line starting with `:`.
public enum MetaCommand: Sendable, Equatable {
    /// `:help [topic]`.
    case help(topic: String?)
    /// `:plan on|off`; nil shows the current setting.
    case plan(on: Bool?)
    /// `:target`: where statements go.
    case target
    /// `:vars`: the variables bound so far.
    case vars
    /// `:history [N]`: the last N lines (default 20).
    case history(count: Int?)
    /// `:quit` (also `:exit`).
    case quit

    /// Every meta-command as typed, for completion and `:help`.
    public static let names = [":help", ":plan", ":target", ":vars", ":history", ":quit"]

    /// One line of usage for each, in `names` order.
    public static let usage: [(command: String, meaning: String)] = [
        (":help [topic]", "show help; a topic is a statement, a clause, a builtin, `sinks`, `selectors`, `expressions`, … or `meta`"),
        (":plan on|off", "plan statements instead of running them (reads only, nothing is written)"),
        (":target", "show the endpoint and project statements go to"),
        (":vars", "list the variables bound so far"),
        (":history [N]", "show the last N lines entered (default 20)"),
        (":quit", "leave (Ctrl-D does too)"),
    ]

    /// Whether a line (outside a multi-line chunk) is a meta-command rather than a statement.
    public static func isMetaCommand(_ line: String) -> Bool {
        line.drop { $0 == " " || $0 == "\t" }.first == ":"
    }

    /// Parses a line for which `isMetaCommand` holds.
    public static func parse(_ line: String) -> Result<MetaCommand, MetaCommandError> {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let name = words.first else { return .failure(.unknown(line, suggestion: nil)) }
        let args = Array(words.dropFirst())
        switch name {
        case ":help", ":h", ":?":
            return .success(.help(topic: args.isEmpty ? nil : args.joined(separator: " ")))
        case ":plan":
            switch args {
            case []: return .success(.plan(on: nil))
            case ["on"]: return .success(.plan(on: true))
            case ["off"]: return .success(.plan(on: false))
            default: return .failure(.badArguments(":plan", usage: ":plan on|off"))
            }
        case ":target", ":vars", ":quit", ":exit", ":q":
            guard args.isEmpty else { return .failure(.badArguments(name, usage: name)) }
            switch name {
            case ":target": return .success(.target)
            case ":vars": return .success(.vars)
            default: return .success(.quit)
            }
        case ":history":
            switch args.count {
            case 0: return .success(.history(count: nil))
            case 1:
                guard let n = Int(args[0]), n > 0 else { return .failure(.badArguments(":history", usage: ":history [N]")) }
                return .success(.history(count: n))
            default: return .failure(.badArguments(":history", usage: ":history [N]"))
            }
        default:
            // A prefix of a command (`:hist`), else a near miss (`:hsitory`).
            return .failure(.unknown(name, suggestion: names.first { $0.hasPrefix(name) && name.count > 1 } ?? nearest(name, in: names)))
        }
    }
}

/// Why a `:` line is not a meta-command.
public enum MetaCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknown(String, suggestion: String?)
    case badArguments(String, usage: String)

    public var description: String {
        switch self {
        case .unknown(let name, let suggestion):
            "unknown command \(name)" + (suggestion.map { " — did you mean \($0)?" } ?? "")
                + "; commands are " + MetaCommand.names.joined(separator: ", ")
        case .badArguments(let name, let usage):
            "wrong arguments for \(name); usage: \(usage)"
        }
    }
}
