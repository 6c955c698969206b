import KeyflowLanguage

/// `:help [topic]`. A topic's text is the language's (`KeyflowLanguage/Help.swift`, the same
/// as `keyflow help TOPIC`); this adds only what belongs to the REPL: the overview that
/// `:help` alone prints and the meta-commands.
public enum REPLHelp {
    /// The first things to try: list, create, inspect, rotate, and get a secret out.
    static let starters: [(line: String, meaning: String)] = [
        ("list", "the project's keys"),
        ("create \"ci\" scopes [databases.read] as ci", "a new key, also held in the variable ci"),
        ("show \"ci\"", "one key in full (never its secret)"),
        ("ci.scopes", "a field of a key held in a variable"),
        ("rotate \"ci\" grace 1h", "a new key takes the name; the old one expires in 1h"),
        ("secret \"ci\" to stdout", "print its secret (only sinks reveal secrets)"),
    ]

    /// The REPL's own topics, besides the language's.
    static let ownTopics = ["meta", "commands"]

    /// The text for `:help` (no topic) or `:help TOPIC`; nil for an unknown topic.
    public static func text(topic: String?) -> String? {
        guard let topic else { return overview }
        if ownTopics.contains(topic) { return meta }
        return Help.text(topic).map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }
    }

    /// Every topic name, for completion.
    public static var topicNames: [String] { Help.topics + ["meta"] }

    /// The error for an unknown topic, with the near miss.
    public static func unknownTopic(_ topic: String) -> String {
        "no help topic `\(topic)`" + (Help.suggestion(for: topic).map { " — did you mean `:help \($0)`?" } ?? "")
            + "; `:help` lists the topics"
    }

    static func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }

    static var overview: String {
        let statements = Vocabulary.statementOpenings.compactMap(Help.topic)
        let width = statements.map(\.name.count).max() ?? 0
        var lines = [
            "Statements run as you enter them against the project :target names; a line that is an",
            "expression prints its value. Key names are strings in quotes; Tab inside the quotes completes them.",
            "",
            "Start here:",
        ]
        let startWidth = starters.map(\.line.count).max() ?? 0
        for s in starters { lines.append("  " + pad(s.line, startWidth) + "  " + s.meaning) }
        lines += ["", "Every statement (:help NAME for its form and examples):"]
        for s in statements { lines.append("  " + pad(s.name, width) + "  " + s.summary) }
        lines.append("")
        lines.append("More: :help selectors, sinks, expressions, types, keys, builtins, credentials, exit-codes (`keyflow help` lists every topic)")
        lines.append("")
        lines.append(meta)
        return lines.joined(separator: "\n")
    }

    static var meta: String {
        let width = MetaCommand.usage.map(\.command.count).max() ?? 0
        var lines = ["Commands:"]
        for u in MetaCommand.usage { lines.append("  " + pad(u.command, width) + "  " + u.meaning) }
        lines.append("Keys: Tab completes, Up recalls, Ctrl-C cancels a statement or clears the line, Ctrl-D leaves.")
        return lines.joined(separator: "\n")
    }
}
