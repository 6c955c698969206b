import KeyflowLanguage

/// `:help [topic]`: every statement with an example, and the REPL's own commands.
public enum Help {
    /// One entry per statement: its form and an example.
    static let statements: [(name: String, form: String, example: String)] = [
        ("create", "create \"NAME\" [scopes S] [expire E] [description D] [id \"ID\"] [as VAR] [secret to SINK]",
         "create \"ci\" scopes [databases.read] expire in 90d as ci"),
        ("ensure", "ensure \"NAME\" [scopes S] [expire E] [description D] [as VAR] [secret to SINK]",
         "ensure \"svc-billing\" scopes [users.read] expire in 90d"),
        ("update", "update SEL [name \"N\"] [scopes S] [expire E] [description D]",
         "update \"ci\" expire in 30d description \"CI runners\""),
        ("grant", "grant SEL SCOPES", "grant \"ci\" [users.read, teams.read]"),
        ("revoke", "revoke SEL SCOPES", "revoke keys where name ~ \"svc-*\" users.write"),
        ("delete", "delete SEL", "delete keys where expire < now"),
        ("rotate", "rotate SEL [grace D] [expire E] [as VAR] [secret to SINK]",
         "rotate \"Deployment Key\" grace 1h secret to file \"deploy.key\""),
        ("rollback", "rollback SEL", "rollback \"Deployment Key\""),
        ("secret", "secret SEL to SINK", "secret \"ci\" to env \"APPWRITE_KEY\" in \".env\""),
        ("ephemeral", "ephemeral scopes S expire in DURATION [as VAR] [secret to SINK]",
         "ephemeral scopes [databases.read] expire in 15m secret to stdout"),
        ("show", "show SEL", "show \"ci\""),
        ("list", "list [where COND]", "list where scopes has keys.write"),
        ("print", "print EXPR, ...", "print count(keys), now + 7d"),
        ("let", "let NAME = EXPR", "let old = keys where expire < now + 7d"),
        ("param", "param NAME [= EXPR]", "param lifetime = 90d"),
        ("use", "use endpoint \"URL\" project \"ID\"", "use endpoint \"https://cloud.appwrite.io/v1\" project \"demo\""),
        ("assert", "assert COND [, \"message\"]", "assert count(keys where scopes has keys.write) <= 2, \"too many admin keys\""),
        ("for", "for NAME in EXPR [parallel N] { ... }", "for t in [\"a\", \"b\"] { ensure \"tenant-${t}\" scopes [users.read] }"),
        ("if", "if COND { ... } [else if COND { ... }] [else { ... }]", "if exists(\"ci\") { show \"ci\" } else { print \"no ci key\" }"),
        ("in project", "in project PROJECT-OR-ID { ... }", "for p in projects where name ~ \"prod-*\" { in project p { list } }"),
    ]

    /// The first things to try: list, create, inspect, rotate, and get a secret out.
    static let starters: [(line: String, meaning: String)] = [
        ("list", "the project's keys"),
        ("create \"ci\" scopes [databases.read] as ci", "a new key, also held in the variable ci"),
        ("show \"ci\"", "one key in full (never its secret)"),
        ("ci.scopes", "a field of a key held in a variable"),
        ("rotate \"ci\" grace 1h", "a new key takes the name; the old one expires in 1h"),
        ("secret \"ci\" to stdout", "print its secret (only sinks reveal secrets)"),
    ]

    static let topics: [(name: String, text: String)] = [
        ("selectors", """
            A selector names the keys a statement acts on:
              "Deployment Key"        the active key with exactly this name
              all "Deployment Key"    every key with this name (bulk statements)
              id "6650c1..."          the key with this id
              k                       a key held in a variable
              keys where COND         every key for which COND holds
            Example: grant keys where name ~ "tenant-*" users.write
            """),
        ("expressions", """
            Operators: and or not, == != < <= > >=, + - (time ± duration), ~ (glob), has (scope), in (list).
            Builtins: count(list), len(x), env("NAME" [, "default"]), lines("file"), exists(SEL).
            Values: "text ${interpolated}", 3, true, 90d, 1h30m, now, never, 2026-12-31, [users.read, teams.*].
            Key fields: id name scopes expire created updated accessed description secret.
            `projects` lists the organization's projects (fields: id name created updated): projects where name ~ "prod-*".
            A line that is just an expression prints its value: k.scopes, count(keys).
            """),
        ("sinks", """
            Secrets leave only through sinks, after `secret to`:
              file "PATH"             the secret and a newline, mode 0600
              env "VAR" in "PATH"     insert or replace VAR=secret in a dotenv file
              run "COMMAND ARGS"      the secret on the command's standard input
              stdout                  print it (interactive use)
            Example: create "ci" scopes [databases.read] secret to file "ci.key"
            """),
        ("scopes", """
            Scopes come from the catalogue; `*` matches a whole segment: users.*, *.
            Type a group and a dot, then Tab, to list its scopes: databases.<Tab>
            """),
        ("keys", """
            `keys` is the list of every key of the project: count(keys), keys where expire < now + 7d.
            Inside a string, Tab completes the names of the project's keys: show "Dep<Tab>
            """),
    ]

    /// The text for `:help` (no topic) or `:help TOPIC`; nil for an unknown topic.
    public static func text(topic: String?) -> String? {
        guard let topic else { return overview }
        if topic == "meta" || topic == "commands" { return meta }
        if let s = statements.first(where: { $0.name == topic || $0.name.hasPrefix(topic + " ") }) {
            return "\(s.form)\n  example: \(s.example)"
        }
        return topics.first { $0.name == topic }?.text
    }

    /// Every topic name, for the error on an unknown one and for completion.
    public static var topicNames: [String] { statements.map(\.name) + topics.map(\.name) + ["meta"] }

    static var overview: String {
        let width = statements.map(\.name.count).max() ?? 0
        var lines = [
            "Statements run as you enter them against the project :target names; a line that is an",
            "expression prints its value. Key names are strings in quotes; Tab inside the quotes completes them.",
            "",
            "Start here:",
        ]
        let startWidth = starters.map(\.line.count).max() ?? 0
        for s in starters {
            lines.append("  " + s.line.padding(toLength: startWidth, withPad: " ", startingAt: 0) + "  " + s.meaning)
        }
        lines += ["", "Every statement (:help NAME for its form):"]
        for s in statements {
            lines.append("  " + s.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + s.example)
        }
        lines.append("")
        lines.append("More: :help STATEMENT, :help selectors, :help expressions, :help sinks, :help scopes, :help keys")
        lines.append("")
        lines.append(meta)
        return lines.joined(separator: "\n")
    }

    static var meta: String {
        let width = MetaCommand.usage.map(\.command.count).max() ?? 0
        var lines = ["Commands:"]
        for u in MetaCommand.usage {
            lines.append("  " + u.command.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + u.meaning)
        }
        lines.append("Keys: Tab completes, Up recalls, Ctrl-C cancels a statement or clears the line, Ctrl-D leaves.")
        return lines.joined(separator: "\n")
    }
}
