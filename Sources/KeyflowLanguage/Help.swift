import KeyflowBasics

/// The help text of the language, in one place: a topic for every statement, every clause
/// keyword and every builtin, and the topics that cut across them (`sinks`, `selectors`,
/// `expressions`, `credentials`, `exit-codes`, …). `keyflow help TOPIC`, the REPL's
/// `:help TOPIC` and the language server's hover all show this text; docs/language.md is
/// the long form, and each topic names its section there. Every example is a whole script
/// that `keyflow check` accepts (Tests/KeyflowLanguageTests/HelpTests.swift).
public enum Help {
    /// One help topic.
    public struct Topic: Sendable {
        /// The name `keyflow help` takes (`rotate`, `in project`, `exit-codes`).
        public let name: String
        /// One line: what it is or does.
        public let summary: String
        /// The syntax, when the topic is a form of the language.
        public let form: String?
        /// The explanation, in paragraphs separated by blank lines.
        public let body: String
        /// Whole scripts, each checking clean on its own.
        public let examples: [String]
        /// Other topics worth reading next.
        public let seeAlso: [String]
        /// Where docs/language.md describes it (`§7.6`).
        public let section: String
        /// Other words that lead here (`else` → `if`, `file` → `sinks`).
        public let aliases: [String]

        init(
            _ name: String, _ summary: String, form: String? = nil, body: String, examples: [String] = [],
            see: [String] = [], section: String, aliases: [String] = []
        ) {
            self.name = name
            self.summary = summary
            self.form = form
            self.body = body
            self.examples = examples
            self.seeAlso = see
            self.section = section
            self.aliases = aliases
        }

        /// The text people read: summary, form, body, examples, where to read more.
        public var text: String {
            var out = "\(name) — \(summary)\n"
            if let form { out += "\n" + form.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n" }
            out += "\n" + body.split(separator: "\n", omittingEmptySubsequences: false).map { Help.wrap(String($0)) }.joined(separator: "\n") + "\n"
            if !examples.isEmpty {
                out += "\nExample" + (examples.count > 1 ? "s" : "") + ":\n"
                out += examples.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") }
                    .joined(separator: examples.contains { $0.contains("\n") } ? "\n\n" : "\n") + "\n"
            }
            var more: [String] = []
            if !seeAlso.isEmpty { more.append("See also: " + seeAlso.joined(separator: ", ")) }
            more.append("Reference: docs/language.md \(section)")
            out += "\n" + more.joined(separator: ". ") + "\n"
            return out
        }
    }

    /// Every topic's name, in the order `keyflow help` lists them.
    public static let topics: [String] = all.map(\.name)

    /// The full text of a topic (by name or alias), nil when there is none.
    public static func text(_ topic: String) -> String? { self.topic(topic)?.text }

    /// A topic's one-line summary, for hovers and listings.
    public static func summary(_ topic: String) -> String? { self.topic(topic)?.summary }

    /// The topic a name or alias leads to.
    public static func topic(_ name: String) -> Topic? {
        let key = name.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        return byName[key]
    }

    /// The nearest topic name or alias to a misspelt one ("did you mean"), nil when none is close.
    public static func suggestion(for name: String) -> String? {
        let key = name.lowercased()
        if let prefixed = topics.first(where: { $0.hasPrefix(key) && key.count >= 3 }) { return prefixed }
        return nearest(key, in: Array(byName.keys)).flatMap { byName[$0]?.name }
    }

    /// The listing `keyflow help` prints: every topic with its summary, in groups.
    public static var index: String {
        let width = all.map(\.name.count).max() ?? 0
        var out = "keyflow help TOPIC shows one of these topics (docs/language.md is the full reference).\n"
        for (title, group) in groups {
            out += "\n\(title):\n"
            for name in group {
                guard let t = topic(name) else { continue }
                out += "  " + name + String(repeating: " ", count: width - name.count) + "  " + t.summary + "\n"
            }
        }
        return out
    }

    /// The topic names of each group of the index, in order.
    public static let groups: [(title: String, topics: [String])] = [
        ("Statements", Vocabulary.statementOpenings),
        ("Clauses", ["scopes", "expire", "description", "name", "id", "grace", "as", "where", "parallel", "project"]),
        ("Builtins", ["builtins"] + Vocabulary.builtins.filter { $0 != "env" } + ["env"]),
        ("Language", ["selectors", "sinks", "expressions", "types", "keys", "projects", "scope-catalogue", "syntax"]),
        ("Running", ["modes", "parameters", "credentials", "exit-codes"]),
    ]

    /// Terminal width of the text: lines are wrapped to it.
    public static let width = 88

    /// A line wrapped at spaces to `width`. Continuation lines hang under the text after a
    /// leading label (`file     the secret…`, a label and two or more spaces), else under the
    /// line's own indentation.
    static func wrap(_ line: String) -> String {
        guard line.count > width else { return line }
        let chars = Array(line)
        var indent = chars.prefix { $0 == " " }.count
        var i = indent
        while i < chars.count && chars[i] != " " { i += 1 }
        while i + 1 < chars.count && !(chars[i] == " " && chars[i + 1] == " ") && i < 30 {
            i += 1
            while i < chars.count && chars[i] != " " { i += 1 }
        }
        if i + 1 < chars.count && i < 30 && chars[i] == " " && chars[i + 1] == " " {
            while i < chars.count && chars[i] == " " { i += 1 }
            indent = i
        }
        var lines: [String] = []
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count > width && current.contains(where: { $0 != " " }) {
                lines.append(current)
                current = String(repeating: " ", count: indent) + word
            } else {
                current += " " + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }

    static let byName: [String: Topic] = {
        var map: [String: Topic] = [:]
        for t in all {
            map[t.name] = t
            for a in t.aliases where map[a] == nil { map[a] = t }
        }
        return map
    }()

    // MARK: - The topics

    static let all: [Topic] = statements + clauses + builtins + language + running

    static let statements: [Topic] = [
        Topic(
            "create", "make a new key, every time it runs",
            form: "create NAME [scopes S] [expire E] [description D] [id ID] [as VAR] [secret to SINK]…",
            body: """
                Adds a key with the given name each time the statement runs, so a second run makes a second key \
                of the same name (keyflow warns about that). Without `scopes` the key has no scopes, without \
                `expire` it never expires, and without `id` keyflow picks a random one. If a `secret to` sink \
                fails, the new key is deleted again, so no key is left whose secret reached nobody.

                To make sure a key exists without adding another each run, use `ensure`. On current Appwrite \
                servers creating keys needs an organization key or a console session (see `credentials`).
                """,
            examples: [
                "create \"ci-deploy\" scopes [databases.read, functions.*] expire in 30d as ci\nprint ci.id",
                "create \"reports\" description \"nightly reports\" secret to file \"secrets/reports.key\"",
            ],
            see: ["ensure", "scopes", "expire", "sinks"], section: "§7.1"),
        Topic(
            "ensure", "make sure one key with this name exists and looks as described",
            form: "ensure NAME [scopes S] [expire E] [description D] [as VAR] [secret to SINK]…",
            body: """
                Converges instead of adding: when no active key has the name it is created; when one does, only \
                what differs is changed (scopes compare as sets); when several do, it is an error. Running it \
                again changes nothing. `expire in D` moves the expiry only when the key never expires or expires \
                later than now + D, so a daily run does not keep pushing the expiry forward.

                A `secret to file` or `secret to env` sink is written when it does not already hold the key's \
                secret; `run` and `stdout` sinks deliver only when the key was just created.
                """,
            examples: [
                "ensure \"svc-billing\" scopes [databases.read, users.read] expire in 90d",
                "param services = [\"billing\", \"search\"]\nfor svc in services {\n  ensure \"svc-${svc}\"\n    scopes [users.read]\n    expire in 90d\n    secret to file \"secrets/${svc}.key\"\n}",
            ],
            see: ["create", "update", "for"], section: "§7.2"),
        Topic(
            "update", "change some fields of the selected keys and keep the rest",
            form: "update SELECTOR [name N] [scopes S] [expire E] [description D]",
            body: """
                Sets the given fields on every key the selector names; fields not mentioned keep their values. \
                A key that already has the requested values is reported as up to date and not sent.
                """,
            examples: [
                "update \"reporting\" description \"reports v2\" expire in 60d",
                "update \"reporting\" name \"reporting-v2\"",
                "update keys where name ~ \"tmp-*\" expire now + 1h",
            ],
            see: ["selectors", "grant", "ensure"], section: "§7.3"),
        Topic(
            "grant", "add scopes to the selected keys",
            form: "grant SELECTOR SCOPES",
            body: """
                Adds the scopes to every selected key, keeping those it has. SCOPES is a list `[a.read, b.*]`, \
                a single pattern, or an expression holding scopes; patterns are expanded against the catalogue.
                """,
            examples: [
                "grant \"reporting\" [users.read, teams.read]",
                "grant keys where name ~ \"tenant-*\" users.write",
            ],
            see: ["revoke", "scopes", "scope-catalogue"], section: "§7.4"),
        Topic(
            "revoke", "remove scopes from the selected keys",
            form: "revoke SELECTOR SCOPES",
            body: """
                Takes the scopes away from every selected key and keeps the others. `revoke SEL [*]` removes \
                every scope.
                """,
            examples: [
                "revoke \"reporting\" teams.read",
                "revoke all \"legacy\" [*]",
            ],
            see: ["grant", "scopes"], section: "§7.4"),
        Topic(
            "delete", "delete the selected keys",
            form: "delete SELECTOR",
            body: """
                Deletes every key the selector names; their secrets stop working at once. With `keys where`, \
                finding no key is not an error. To replace a key without a gap, use `rotate`.
                """,
            examples: [
                "delete \"old-key\"",
                "delete keys where expire < now",
                "delete keys where expire < now and name ~ \"tmp-*\"",
            ],
            see: ["selectors", "rotate"], section: "§7.5"),
        Topic(
            "rotate", "replace keys by successors without a moment without a working key",
            form: "rotate SELECTOR [grace D] [expire E] [as VAR] [secret to SINK]…",
            body: """
                For each selected key: create a successor with the same name, scopes and description; deliver \
                its secret to every `secret to` sink; then retire the old key, which is renamed \
                `NAME (rotated TIME)` and keeps working for the grace period (default 1h; `grace 0` deletes it). \
                Without `expire` the successor gets the old key's lifetime from now.

                Rotating twice is rotating once: a key whose predecessor is still in its grace period counts as \
                rotated already. A run killed half-way is finished by the next run, without a third key. \
                Inside the clauses, `key` is the successor.
                """,
            examples: [
                "rotate \"Deployment Key\" grace 1h secret to file \"secrets/deploy.key\"",
                "rotate keys where name ~ \"svc-*\" and expire < now + 7d grace 1h\n  secret to file \"secrets/${key.name}.key\"",
                "rotate \"db-backup\" grace 0 expire in 30d as fresh\nprint fresh.id",
            ],
            see: ["rollback", "grace", "sinks"], section: "§7.6, §10", aliases: ["rotation"]),
        Topic(
            "rollback", "undo a rotation while the old key still works",
            form: "rollback SELECTOR [as VAR] [secret to SINK]…",
            body: """
                Gives the old key of a rotation its name, expiry and description back, delivers its secret to \
                the `secret to` sinks, then deletes the successor. It works while the grace period is not over; \
                the selector may name either key of the pair. Naming a key with no rotation to undo is an error \
                (a `keys where` selector skips such keys).
                """,
            examples: [
                "rollback \"Deployment Key\" secret to file \"secrets/deploy.key\"",
                "rollback keys where name ~ \"svc-*\"",
            ],
            see: ["rotate"], section: "§7.7, §10.4"),
        Topic(
            "secret", "deliver the secret of existing keys to sinks",
            form: "secret SELECTOR to SINK [secret to SINK]…\nSTATEMENT … secret to SINK      (the clause)",
            body: """
                The statement delivers the current secret of each selected key. A file or dotenv line that \
                already holds it is left alone; `run` and `stdout` deliver every time.

                `secret to SINK` is also a clause of `create`, `ensure`, `rotate`, `rollback` and `ephemeral`, \
                and it may be given several times to deliver to several sinks: each sink has its own \
                `secret to` (`secret to file "a.key" secret to stdout`).
                """,
            examples: [
                "secret \"Deployment Key\" to file \"secrets/deploy.key\"",
                "secret \"ci\" to env \"APPWRITE_API_KEY\" in \"config/.env\"\n    secret to stdout",
                "secret keys where name ~ \"svc-*\" to file \"out/${key.name}.key\"",
            ],
            see: ["sinks", "selectors"], section: "§7.8, §11", aliases: ["secret to", "to"]),
        Topic(
            "ephemeral", "mint a short-lived key (1 second to 1 hour) for a job",
            form: "ephemeral scopes S expire in DURATION [as VAR] [secret to SINK]…",
            body: """
                An ephemeral key is a signed token: it is not stored, cannot be listed or revoked, and stops \
                working when it expires. `scopes` and `expire in` are required, and the lifetime must be 1s to 1h.
                """,
            examples: [
                "ephemeral scopes [databases.read, functions.read] expire in 15m as job\n    secret to env \"APPWRITE_KEY\" in \".env.ci\"",
            ],
            see: ["create", "sinks"], section: "§7.9"),
        Topic(
            "show", "print the selected keys in full (never their secrets)",
            form: "show SELECTOR",
            body: "Prints each selected key: id, name, scopes, expiry, times and description.",
            examples: ["show \"Deployment Key\"", "show keys where name ~ \"svc-*\""],
            see: ["list", "selectors"], section: "§7.10"),
        Topic(
            "list", "print a table of the project's keys",
            form: "list [where COND]",
            body: """
                One row per key (name, id, scopes, expiry, last access), sorted by name, then id. With `where`, \
                only the keys for which the condition holds; inside it the key's fields are bare names.
                """,
            examples: ["list", "list where expire < now + 30d", "list where scopes has keys.write or accessed == never"],
            see: ["where", "keys", "show"], section: "§7.11"),
        Topic(
            "print", "print values, separated by spaces",
            form: "print EXPR, …",
            body: """
                Prints each value in its printed form: keys as `key "NAME" (id ID)`, scopes as `[a.read, b.write]`, \
                durations as `1h30m`, times in ISO-8601 UTC. A secret always prints as `«secret»`.
                """,
            examples: ["print \"hello\", 1, true, 90s, now, never", "print count(keys), \"keys\""],
            see: ["expressions", "types"], section: "§7.12"),
        Topic(
            "let", "bind a name to a value",
            form: "let NAME = EXPR",
            body: """
                Variables live until the end of their block and cannot be reassigned, reused in the same block, \
                or shadow a name of an enclosing block. Keywords (`env`, `list`, `name`, …) cannot be variable names.
                """,
            examples: ["let team = \"payments\"\nlet prefix = \"svc-${team}-\"\nprint prefix", "let admins = keys where scopes has keys.write\nprint count(admins)"],
            see: ["param", "syntax"], section: "§7.13"),
        Topic(
            "param", "a script parameter, set on the command line as name=value",
            form: "param NAME [= DEFAULT]",
            body: """
                Values come after the script: `keyflow run s.kf tenant=acme lifetime=30d`. Without a default the \
                parameter is required. The default's type decides how the text is read: an int, a bool \
                (true/false/yes/no/1/0), a duration (30d), a time, an expiry (never, in 30d, 30d), scopes or a list \
                (a,b,c); anything else is a string. `param` must be at the top level of the script.
                """,
            examples: ["param tenant\nparam lifetime = 30d\nensure \"tenant-${tenant}\" scopes [databases.read] expire in lifetime", "param tenants = [\"acme\", \"hooli\"]\nprint len(tenants)"],
            see: ["parameters", "let"], section: "§7.14"),
        Topic(
            "use", "name the script's default endpoint and project",
            form: "use endpoint URL [project ID]\nuse project ID [endpoint URL]",
            body: """
                Flags, the environment and a named context override it (keyflow warns when they do). Credentials \
                are never read from a script. `use` must be at the top level; the first one counts.
                """,
            examples: ["use endpoint \"https://cloud.appwrite.io/v1\" project \"6650c1f2a9\"\nlist"],
            see: ["credentials", "project"], section: "§7.15", aliases: ["endpoint"]),
        Topic(
            "assert", "stop with exit code 3 unless a condition holds",
            form: "assert COND [, MESSAGE]",
            body: """
                Because a run plans the whole script first, an assertion that fails on the planned state stops \
                the run before anything is changed. The message, or else the condition's text, is reported.
                """,
            examples: ["assert count(keys where scopes has keys.write) <= 2, \"too many admin keys\"", "assert exists(\"Deployment Key\")"],
            see: ["exit-codes", "expressions"], section: "§7.16"),
        Topic(
            "for", "run a block once per item of a list",
            form: "for NAME in EXPR [parallel N] { … }",
            body: """
                NAME is bound to each item in turn. The list can be a literal, a parameter, `keys where …`, \
                `projects`, or `lines("file")`. `parallel N` (1 to 64) runs up to N iterations at once; their \
                output is still reported in list order.
                """,
            examples: [
                "for tenant in [\"a\", \"b\", \"c\"] {\n  ensure \"tenant-${tenant}\" scopes [databases.read]\n}",
                "for k in keys where name ~ \"svc-*\" parallel 8 {\n  rotate k grace 1h\n}",
            ],
            see: ["parallel", "if", "lines"], section: "§7.17"),
        Topic(
            "if", "run the first block whose condition holds",
            form: "if COND { … } [else if COND { … }]… [else { … }]",
            body: "`else` may start the line after the closing `}`.",
            examples: ["if exists(\"ci\") {\n  show \"ci\"\n} else if count(keys) > 10 {\n  print \"many keys\"\n} else {\n  print \"no ci key\"\n}"],
            see: ["expressions", "for"], section: "§7.18", aliases: ["else"]),
        Topic(
            "in project", "run a block against another project of the organization",
            form: "in project PROJECT { … }",
            body: """
                Every statement of the block acts on that project's keys. PROJECT is a project value (an item of \
                `projects`) or a project id (a string). Blocks nest and may stand inside `for` and `if`. \
                Plans and runs need an organization credential for it (see `credentials`).
                """,
            examples: [
                "in project \"6650c1f2a9\" {\n  ensure \"reporting\" scopes [databases.read] expire in 90d\n}",
                "for p in projects where name ~ \"prod-*\" parallel 4 {\n  in project p {\n    rotate \"Deployment Key\" grace 1h\n  }\n}",
            ],
            see: ["projects", "credentials"], section: "§7.19", aliases: ["in"]),
    ]

    static let clauses: [Topic] = [
        Topic(
            "scopes", "the scopes a key has (a clause)",
            form: "scopes [PATTERN, …]  ·  scopes PATTERN  ·  scopes EXPR",
            body: """
                A clause of `create`, `ensure`, `update` and `ephemeral`. A pattern is a dotted scope name \
                (`databases.read`), a wildcard (`users.*`) or `*`; an item without a dot is a variable holding \
                scopes. Every pattern is checked against the scope catalogue, and a typo gets a suggestion. \
                The word is `scopes`, with an s.
                """,
            examples: ["ensure \"reader\" scopes [databases.read, users.*]", "let readers = [databases.read, users.read]\nensure \"combined\" scopes [readers, keys.read]"],
            see: ["scope-catalogue", "grant", "revoke"], section: "§6, §3.7", aliases: ["scope"]),
        Topic(
            "expire", "when a key expires (a clause)",
            form: "expire never  ·  expire TIME  ·  expire in DURATION",
            body: """
                A clause of `create`, `ensure`, `update`, `rotate` and `ephemeral`. `in 90d` means 90 days after \
                the step runs. A time works too: `expire 2027-01-01`, `expire now + 30d`. Durations are a number \
                glued to a unit: `s`, `m`, `h`, `d`, `w` (`90d`, `1h30m`).
                """,
            examples: ["ensure \"ci\" expire in 90d", "update \"ci\" expire never", "create \"demo\" expire 2027-01-01"],
            see: ["types", "ensure", "ephemeral"], section: "§6, §4.1", aliases: ["expires", "expiry", "never"]),
        Topic(
            "description", "a key's free-text description (a clause)",
            form: "description STRING",
            body: "A clause of `create`, `ensure` and `update`. Keys without one have `\"\"`.",
            examples: ["ensure \"reporting\" description \"nightly reports\""],
            see: ["update"], section: "§6"),
        Topic(
            "name", "a key's new name (an `update` clause), or the name field",
            form: "update SELECTOR name STRING",
            body: """
                As a clause, `name` renames the keys `update` selects. Inside `keys where`, `list where` and \
                `projects where`, `name` is the item's name field (`where name ~ "svc-*"`), and `k.name` is \
                the field of a key held in a variable.
                """,
            examples: ["update \"reporting\" name \"reporting-v2\"", "list where name ~ \"svc-*\""],
            see: ["update", "keys"], section: "§6, §4.2"),
        Topic(
            "id", "a new key's id (a `create` clause), the id selector, or the id field",
            form: "create NAME id STRING  ·  id STRING (a selector)",
            body: """
                As a clause of `create`, it chooses the id: 1 to 36 of A-Z a-z 0-9 . _ - (without it keyflow \
                picks one). As a selector, `id "…"` names the key with that id. Inside `where`, `id` is the \
                key's id field.
                """,
            examples: ["create \"ci-deploy\" id \"ci-deploy-1\"", "show id \"6650c1f2a9\"", "delete keys where id in [\"a\", \"b\"]"],
            see: ["create", "selectors"], section: "§6, §5"),
        Topic(
            "grace", "how long a rotated key keeps working (a `rotate` clause)",
            form: "rotate SELECTOR grace DURATION",
            body: """
                After a rotation the old key keeps working for the grace period (default 1h), so jobs still \
                holding it can finish. `grace 0` deletes it at once. Durations are written `1h`, `30m`, `2h30m`.
                """,
            examples: ["rotate \"deploy\" grace 2h", "rotate \"db-backup\" grace 0"],
            see: ["rotate"], section: "§6, §10", aliases: ["grace_period"]),
        Topic(
            "as", "hold the resulting key in a variable (a clause)",
            form: "STATEMENT … as NAME",
            body: """
                A clause of `create`, `ensure`, `rotate`, `rollback` and `ephemeral` that names one key. It is \
                refused on a statement that may act on many keys: use `key` in the clauses, or \
                `for k in keys where …`.
                """,
            examples: ["create \"ci\" scopes [databases.read] as ci\nprint ci.id, ci.scopes"],
            see: ["let", "selectors"], section: "§6"),
        Topic(
            "where", "a condition over keys (in `list` and `keys where`) or projects",
            form: "list where COND  ·  keys where COND  ·  projects where COND",
            body: """
                Inside the condition, the fields are bare names: for keys `id`, `name`, `scopes`, `expire`, \
                `created`, `updated`, `accessed`, `description`; for projects `id`, `name`, `created`, `updated`. \
                Variables are visible too.
                """,
            examples: ["list where expire < now + 30d", "let stale = keys where accessed == never or accessed < now - 90d\nprint count(stale)"],
            see: ["keys", "expressions", "selectors"], section: "§8.3"),
        Topic(
            "parallel", "how many iterations of a `for` run at once",
            form: "for NAME in EXPR parallel N { … }",
            body: """
                N is 1 to 64. Output is still reported in list order. Bulk statements (`keys where`) run their \
                requests concurrently on their own, up to `--parallel` (default 8).
                """,
            examples: ["for k in keys where name ~ \"svc-*\" parallel 8 {\n  rotate k grace 1h\n}"],
            see: ["for"], section: "§7.17"),
        Topic(
            "project", "a project: in `use project ID` and `in project P { … }`",
            form: "use project ID  ·  in project PROJECT { … }",
            body: """
                `use project` names the script's default project. `in project` runs a block against another \
                project of the organization. `projects` (with an s) is the list of the organization's projects.
                """,
            examples: ["use project \"6650c1f2a9\"", "in project \"billing\" {\n  list\n}"],
            see: ["use", "in project", "projects"], section: "§7.15, §7.19"),
    ]

    static let builtins: [Topic] = [
        Topic(
            "builtins", "the functions: count, len, env, lines, exists",
            body: """
                count(list)                  the number of items (of a list or a scopes value)
                len(x)                       the length of a string (in characters), a list or scopes
                env("NAME" [, "default"])    an environment variable; unset without a default is an error
                lines("path")                a file's lines, trimmed, without blank lines and # comments
                exists(SELECTOR)             whether the selector finds a key
                """,
            examples: ["print count(keys), len(\"abc\"), env(\"REGION\", \"eu-central-1\")", "print exists(\"Deployment Key\"), exists(id \"x\")"],
            see: ["count", "len", "env", "lines", "exists"], section: "§9", aliases: ["functions"]),
        Topic(
            "count", "the number of items of a list", form: "count(LIST)",
            body: "Works on lists (`keys`, `keys where …`, `projects`, literals) and scopes values.",
            examples: ["assert count(keys where scopes has keys.write) <= 2"], see: ["len", "builtins"], section: "§9"),
        Topic(
            "len", "the length of a string, a list or a scopes value", form: "len(X)",
            body: "A string's length is counted in characters.",
            examples: ["print len(\"abc\"), len([\"a\", \"b\"])"], see: ["count", "builtins"], section: "§9"),
        Topic(
            "lines", "the lines of a file, as a list of strings", form: "lines(PATH)",
            body: """
                Each line is trimmed; blank lines and lines starting with # are left out. A relative path is \
                relative to the script's folder. At most 16 MiB, regular files only.
                """,
            examples: ["for tenant in lines(\"tenants.txt\") {\n  ensure \"tenant-${tenant}\" scopes [databases.read]\n}"],
            see: ["for", "builtins"], section: "§9"),
        Topic(
            "exists", "whether a selector finds a key", form: "exists(SELECTOR)",
            body: """
                True for an active key with the name, a key with the id, or any key of `keys where …`. Finding \
                nothing is not an error here.
                """,
            examples: ["if not exists(\"ci\") {\n  create \"ci\" scopes [databases.read]\n}"],
            see: ["selectors", "builtins"], section: "§9"),
        Topic(
            "env", "an environment variable (a builtin), or the dotenv sink",
            form: "env(\"NAME\" [, \"default\"])  ·  secret to env \"VAR\" in \"PATH\"",
            body: """
                As a function, `env("NAME")` is the variable's value; unset and without a default it is a \
                runtime error. As a sink, `env "VAR" in "PATH"` writes the line VAR=secret into a dotenv file. \
                `env` is a keyword, so it cannot name a variable.
                """,
            examples: ["print env(\"HOME\"), env(\"REGION\", \"eu-central-1\")", "secret \"ci\" to env \"APPWRITE_KEY\" in \".env\""],
            see: ["sinks", "builtins"], section: "§9, §11"),
    ]

    static let language: [Topic] = [
        Topic(
            "selectors", "how a statement names the keys it acts on",
            body: """
                "NAME"            the active (not expired) key with exactly this name; none or several is an error
                all "NAME"        every key with this name, expired ones included
                id "ID"           the key with this id
                k                 a key held in a variable (`as`, `for`)
                keys where COND   every key for which COND holds; none is not an error

                `update`, `grant`, `revoke`, `delete`, `rotate`, `rollback`, `secret` and `show` take every \
                selector. A bulk selector acts on its keys concurrently and reports them by name, then id. Inside \
                a statement's clauses, `key` is the key being acted on (for `rotate`, the successor).
                """,
            examples: ["show \"Deployment Key\"\ndelete all \"duplicate-name\"\nshow id \"6650c1f2a9\"", "secret keys where name ~ \"svc-*\" to file \"out/${key.name}.key\""],
            see: ["keys", "where"], section: "§5", aliases: ["selector", "all", "key"]),
        Topic(
            "sinks", "where secrets may go: the only way a secret leaves keyflow",
            form: "secret to file \"PATH\"\nsecret to env \"VAR\" in \"PATH\"\nsecret to run \"COMMAND ARGS\"\nsecret to stdout",
            body: """
                file     the secret and a newline in a file of mode 0600, written atomically
                env      the line VAR=secret in a dotenv file: lines defining VAR are replaced, the rest kept
                run      the command gets the secret on its standard input (no shell; 30 s limit)
                stdout   printed, for interactive use

                Secrets never appear in printed output, plans, errors, JSON events or history: a secret prints \
                as «secret» and cannot be put in a string. Paths and commands may interpolate (`${key.name}`).
                """,
            examples: ["create \"svc\" as svc\n    secret to file \"out/svc.key\"\n    secret to env \"SVC_KEY\" in \"out/.env\"\n    secret to run \"deploy-secrets update --name '${key.name}'\"\n    secret to stdout"],
            see: ["secret", "env"], section: "§11", aliases: ["sink", "file", "run", "stdout", "secrets"]),
        Topic(
            "expressions", "operators, precedence, strings and interpolation",
            body: """
                From loosest to tightest: or; and; not; comparisons (== != < <= > >= ~ in has, which do not \
                chain); + and -; unary -; member access (k.name). Parentheses group.

                ~ matches a glob (`name ~ "svc-*"`); `has` tests scopes (`scopes has keys.write`); `in` tests \
                membership. + and - work on ints, durations, and times with durations; they do not join strings: \
                use interpolation, "svc-${name}". A line of the REPL that is an expression prints its value.
                """,
            examples: ["let x = 3\nassert x == 3 and not (x > 4)\nassert \"svc-a\" ~ \"svc-*\" and \"a\" in [\"a\", \"b\"]", "assert [users.read, users.write] has users.*\nassert now + 7d > now"],
            see: ["types", "builtins", "where"], section: "§8", aliases: ["operators", "and", "or", "not", "has", "interpolation", "strings"]),
        Topic(
            "types", "the values: strings, numbers, durations, times, expiries, scopes, lists, keys",
            body: """
                string     "svc-${name}"              int       3, -7             bool   true, false
                duration   90s, 15m, 1h30m, 7d, 2w    time      now, 2026-12-31, 2026-12-31T23:59:59Z
                expiry     never, a time, in 90d      scopes    [databases.read, users.*]
                list       ["a", "b"], keys           key       create … as k   (fields: see `keys`)
                project    an item of projects        secret    k.secret, printed as «secret»

                Units are glued to the number and are single letters: s m h d w (not "days" or "hours"). \
                Timestamps are written bare, without quotes. time − time is a duration; time ± duration is a time.
                """,
            examples: ["let lifetime = 1h30m\nassert lifetime > 15m and 7d < 2w\nprint 2026-12-31T23:59:59Z - 2026-12-31"],
            see: ["expressions", "expire"], section: "§4, §3.5, §3.6",
            aliases: ["values", "durations", "duration", "timestamps", "time", "now", "true", "false", "units"]),
        Topic(
            "keys", "the project's keys, as a list; a key's fields",
            form: "keys  ·  keys where COND  ·  k.FIELD",
            body: """
                `keys` is every key of the project (expired and retiring ones included), sorted by name then id. \
                A key's fields: id, name, scopes, expire, created, updated, accessed (a time, or never), \
                description and secret (opaque). Inside `keys where`, the fields are bare names.
                """,
            examples: ["let soon = keys where expire < now + 7d\nprint count(soon), count(keys)", "create \"inspect\" scopes [users.read] as k\nprint k.id, k.name, k.scopes, k.expire, k.accessed"],
            see: ["where", "selectors"], section: "§8.3, §4.2", aliases: ["fields"]),
        Topic(
            "projects", "the organization's projects, as a list",
            form: "projects  ·  projects where COND  ·  p.FIELD",
            body: """
                Each project has the fields id, name, created and updated. Plans and runs list them with an \
                organization credential; use them with `in project`.
                """,
            examples: ["for p in projects where name ~ \"prod-*\" {\n  print p.id, p.name\n}"],
            see: ["in project", "credentials"], section: "§8.4, §4.5"),
        Topic(
            "scope-catalogue", "which scopes exist, and patterns over them",
            body: """
                The catalogue holds the 125 scopes of the official SDK, grouped by their first word \
                (databases, users, keys, functions, …). A pattern ending in `.*` stands for a whole group and \
                `*` for every scope; a pattern must match at least one scope. In the REPL, type a group and a \
                dot, then Tab, to list its scopes.
                """,
            examples: ["list where scopes has keys.write or scopes has users.*"],
            see: ["scopes", "grant"], section: "§3.7"),
        Topic(
            "syntax", "comments, line ends, names and reserved words",
            body: """
                `#` starts a comment. A statement ends at a newline or `;`, but continues inside ( ) and [ ], \
                after an operator or a comma, and when the next line starts with a clause keyword, so a long \
                statement is written one clause per line, indented.

                Names are letters, digits and _ (no hyphens: a key name with a hyphen is a string, "svc-e"). \
                Keywords are reserved and cannot name variables: create ensure update grant revoke delete rotate \
                rollback secret ephemeral show list print let param use assert for if else scopes expire \
                description name id grace as where to parallel endpoint project all keys projects file env run \
                stdout and or not has in true false now never.
                """,
            examples: ["ensure \"reporting\"\n    scopes [databases.read]\n    # a comment between clauses\n    expire in 90d\nprint \"a\"; print \"b\""],
            see: ["let", "types"], section: "§3", aliases: ["keywords", "reserved", "comments", "lexical"]),
    ]

    static let running: [Topic] = [
        Topic(
            "modes", "check, fmt, plan, run and the REPL",
            body: """
                keyflow check FILE…     syntax, names, types and scopes; no network
                keyflow fmt FILE…       rewrite in the canonical layout (--check lists files that differ)
                keyflow plan FILE       read the project's keys and print the steps a run would take
                keyflow run FILE        plan the whole script, then take its steps
                keyflow repl            run statements one at a time as you type them

                A run evaluates the whole script as a plan before its first write, so a failing assert or a \
                selector that finds nothing stops it before anything changes. --json prints one JSON object per \
                event.
                """,
            see: ["parameters", "exit-codes", "credentials"], section: "§12", aliases: ["check", "plan", "fmt", "repl"]),
        Topic(
            "parameters", "passing name=value to a script on the command line",
            body: """
                Parameters come after the script: `keyflow run onboard.kf services=billing,mailer lifetime=30d`. \
                Options (--json, --project …) may come anywhere, but name=value pairs follow the file. The text is \
                read according to the default's type: a duration needs its unit (lifetime=30d), a list is \
                comma-separated (a,b,c), a bool is true/false/yes/no/1/0. A missing required parameter or an \
                unknown name is an error (exit 2).
                """,
            examples: ["param services = [\"billing\", \"search\"]\nparam lifetime = 90d\nfor svc in services {\n  ensure \"svc-${svc}\" expire in lifetime\n}"],
            see: ["param"], section: "§7.14", aliases: ["params", "arguments"]),
        Topic(
            "credentials", "which server and project, and with which credential",
            body: """
                The target comes from, highest first: flags (--endpoint, --project, --key-file), the environment \
                (APPWRITE_ENDPOINT, APPWRITE_PROJECT_ID, APPWRITE_API_KEY, APPWRITE_SESSION, \
                APPWRITE_ORGANIZATION_KEY, APPWRITE_ORGANIZATION_ID), the named context (--context, \
                KEYFLOW_CONTEXT, config.toml), then the script's `use`. Credentials are never read from a script.

                project API key      reads, updates, deletes and ephemeral keys in its own project; current \
                servers refuse it creating keys
                organization key     everything in every project of the organization, creating keys included \
                (needs --organization)
                console session      everything (`keyflow login`, or APPWRITE_SESSION)

                With no endpoint anywhere and a person at the terminal, keyflow uses its embedded sandbox; \
                without a terminal it refuses unless --sandbox is given. `keyflow doctor` says where each part \
                came from.
                """,
            see: ["use", "modes"], section: "§13", aliases: ["target", "contexts", "context", "login", "sandbox"]),
        Topic(
            "exit-codes", "what keyflow's exit status means",
            body: """
                0   success (for plan: the plan was made)
                1   runtime failure: an API error, a sink failure, an unreachable target (fmt --check: files to reformat)
                2   invalid script or command line: nothing was sent to the API
                3   an assert failed
                4   plan --detailed-exitcode found changes to make

                The codes are the same with and without --json.
                """,
            see: ["assert", "modes"], section: "§12.7", aliases: ["exit", "exit-code", "status"]),
    ]
}
