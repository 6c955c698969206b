import Foundation
import KeyflowTestSupport
import Testing

/// End to end: the real `keyflow repl` in a real terminal — a tmux pane on a private tmux
/// server — against a real sandbox (`keyflow serve`), keys sent with `send-keys` (Tab, Up,
/// Ctrl-C, Ctrl-D) and the screen read with `capture-pane`. Each test ends by comparing
/// the whole transcript, normalized (ports, ids, times, durations), with a golden file
/// under golden/repl/; `KEYFLOW_RECORD_GOLDEN=1` rewrites the goldens instead (and fails).
///
/// tmux must not hold any pipe this process waits on: every tmux command runs with
/// standard input from /dev/null and output to a temporary file, the server is started
/// through a shell that closes every inherited descriptor above 2, and it is killed in a
/// `defer`. Waits poll the screen until a condition holds, with a generous deadline.
@Suite(.serialized) struct ReplTerminalTests {
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("golden/repl")
    static var binary: String { TestPaths.keyflowBinary }
    static let deadline: Duration = .seconds(60)

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: - The sandbox

    /// `keyflow serve --port 0` over a fresh folder, project `demo`, optionally with `--chaos`.
    static func server(chaos: String? = nil) throws -> ServeProcess { try ServeProcess(project: "demo", chaos: chaos, seed: 7) }

    // MARK: - The terminal

    /// One tmux server on a private socket, with one session running a command.
    final class Terminal {
        let socket = "kf-repl-\(getpid())-\(UUID().uuidString.prefix(8))"
        let width: Int
        var started = false

        init(width: Int = 120) { self.width = width }

        deinit { kill() }

        /// Runs a tmux command; answers its output (stdout and stderr, through a file).
        @discardableResult
        func tmux(_ arguments: [String]) throws -> String {
            let (status, output) = try ReplTerminalTests.run("/usr/bin/tmux", ["-L", socket, "-f", "/dev/null"] + arguments)
            guard status == 0 else { throw Failure("tmux \(arguments.first ?? "") failed (\(status)): \(output)") }
            return output
        }

        /// Starts `keyflow ARGS` (or another program) in a fresh pane with exactly `env`, in
        /// `directory` if given; when it exits, the pane shows `[exited with status N]`.
        func start(
            _ arguments: [String], env: [String: String], program: String = ReplTerminalTests.binary, directory: String? = nil
        ) throws {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
                throw Failure("tmux is not installed (scripts/bootstrap installs it): the REPL terminal tests need it")
            }
            let assignments = env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            let command = (["env", "-i"] + assignments + [program] + arguments).map(ReplTerminalTests.shellQuoted)
                .joined(separator: " ")
            let pane = "\(command); echo \"[exited with status $?]\"; exec sleep 600"
            // The shell closes every descriptor above 2 before it becomes the tmux client
            // that forks the server, so the server holds no pipe of this process.
            let script = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-"; done 2>/dev/null; exec "$@""#
            let (status, output) = try ReplTerminalTests.run(
                "/bin/bash",
                ["-c", script, "bash", "/usr/bin/tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "repl",
                 "-x", String(width), "-y", "40"] + (directory.map { ["-c", $0] } ?? []) + [pane])
            guard status == 0 else { throw Failure("tmux new-session failed (\(status)): \(output)") }
            started = true
        }

        /// Ends the tmux server and everything in its pane. `kill-server` alone was seen to
        /// leave the server and the pane's processes running after the test, so the pane's
        /// process group and the server are also killed outright.
        func kill() {
            guard started else { return }
            started = false
            let pids = (try? tmux(["display-message", "-p", "-t", "repl", "#{pid} #{pane_pid}"]))?
                .split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) } ?? []
            _ = try? ReplTerminalTests.run("/usr/bin/tmux", ["-L", socket, "-f", "/dev/null", "kill-server"])
            if pids.count == 2 {
                _ = Foundation.kill(-pids[1], SIGKILL)  // the pane's shell and keyflow (one process group)
                _ = Foundation.kill(pids[0], SIGKILL)  // the tmux server
            }
            let folder = ProcessInfo.processInfo.environment["TMUX_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            unlink("\(folder)/tmux-\(getuid())/\(socket)")  // a killed server leaves its socket
        }

        /// Types text literally (no Enter).
        func type(_ text: String) throws { try tmux(["send-keys", "-t", "repl", "-l", "--", text]) }

        /// Presses keys by name: Enter, Tab, Up, C-c, C-d.
        func press(_ keys: String...) throws { try tmux(["send-keys", "-t", "repl"] + keys) }

        /// Types a line and presses Enter.
        func enter(_ line: String) throws {
            try type(line)
            try press("Enter")
        }

        /// The pane with its scrollback, wrapped lines joined, trailing blanks and empty
        /// lines removed.
        func screen() throws -> String {
            let text = try tmux(["capture-pane", "-p", "-J", "-t", "repl", "-S", "-"])
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                String($0.reversed().drop(while: { $0 == " " }).reversed())
            }
            while lines.last == "" { lines.removeLast() }
            return lines.joined(separator: "\n")
        }

        /// Polls the screen until `condition` holds; fails with the screen at the deadline.
        @discardableResult
        func wait(_ what: String, until condition: (String) -> Bool) async throws -> String {
            let clock = ContinuousClock()
            let end = clock.now + ReplTerminalTests.deadline
            var last = ""
            while clock.now < end {
                last = try screen()
                if condition(last) { return last }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw Failure("timed out waiting for \(what); the screen:\n\(last)")
        }

        /// Waits until the screen holds `count` prompts and ends with an empty one.
        @discardableResult
        func waitForPrompt(_ count: Int, prompt: String = "demo@127.0.0.1:") async throws -> String {
            try await wait("prompt #\(count)") { screen in
                let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
                let prompts = lines.filter { $0.hasPrefix(prompt) }.count
                guard let last = lines.last else { return false }
                return prompts >= count && last.hasPrefix(prompt) && last.hasSuffix(">")
            }
        }
    }

    // MARK: - Helpers

    static func temporaryFolder(_ prefix: String) throws -> String { try TestPaths.temporaryFolder(prefix) }

    /// Runs a program with stdin from /dev/null and stdout+stderr to a temporary file
    /// (never a pipe: a daemon it starts could hold a pipe open).
    static func run(_ path: String, _ arguments: [String]) throws -> (Int32, String) {
        let result = try runProcess(path, arguments, mergingOutput: true)
        return (result.status, result.stdout)
    }

    static func shellQuoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The environment of a REPL: a private home and state folder, the sandbox's target.
    static func environment(home: String, server: ServeProcess?) -> [String: String] {
        var env = [
            "HOME": home, "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config",
            "PATH": "/usr/bin:/bin", "TERM": "screen", "LANG": "C.UTF-8", "NO_COLOR": "1",
        ]
        if let server { env.merge(server.environment()) { $1 } }
        return env
    }

    /// Ports, key ids, times and durations replaced by placeholders.
    static func normalized(_ text: String) -> String {
        var t = text
        let rules: [(String, String)] = [
            (#"127\.0\.0\.1:[0-9]+"#, "127.0.0.1:PORT"),
            // Plans write a time to the minute, with seconds only when they are not zero.
            (#"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?Z"#, "<TIME>"),
            (#"\b(?=[0-9a-z]*[0-9])[0-9a-z]{16,40}\b"#, "<ID>"),
            // Cut to fit a narrow terminal: a time or an id elided with `…`.
            (#"\b[0-9]{4}-[0-9][0-9T:.-]*…"#, "<TIME…>"),
            (#"\b(?=[0-9a-z]*[0-9])[0-9a-z]{4,}…"#, "<ID…>"),
            (#"\b[0-9]+(\.[0-9]+)? (ms|s)\b"#, "<DUR>"),
        ]
        for (pattern, replacement) in rules {
            t = t.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return tableColumnsCollapsed(t)
    }

    /// A `list` table pads each column to its widest cell, and a time's text is as wide as
    /// its seconds and fraction need (`…T16:07Z`, `…T16:07:12.5Z`): the padding of a table
    /// (from its `NAME` header to its `(N keys)` line) shrinks to two spaces, so the golden
    /// holds the cells and their order, not widths that vary from run to run.
    static func tableColumnsCollapsed(_ text: String) -> String {
        var inTable = false
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("NAME ") { inTable = true }
            guard inTable else { return String(line) }
            if line.hasPrefix("(") { inTable = false }
            return String(line).replacingOccurrences(of: "   +", with: "  ", options: .regularExpression)
        }.joined(separator: "\n")
    }

    /// Compares a transcript with its golden file (or records it under KEYFLOW_RECORD_GOLDEN=1, failing the test).
    static func expectGolden(_ name: String, _ transcript: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        Golden.expect(normalized(transcript) + "\n", file: goldenFolder.appendingPathComponent(name + ".txt"), sourceLocation: sourceLocation)
    }

    static func assertNoSecrets(_ text: String, _ server: ServeProcess) throws {
        for key in try server.keys() where key.secret.count > 20 {
            #expect(!text.contains(key.secret), "the secret of \(key.name) was printed")
        }
        #expect(!text.contains(server.apiKey) && !text.contains(server.session))
        #expect(text.range(of: #"(standard|ephemeral)_[A-Za-z0-9]{16,}"#, options: .regularExpression) == nil)
    }

    // MARK: - Tests

    /// Tab after `databases.` lists the catalogue's scopes; a key name created in the session
    /// completes inside a string; a meta-command completes.
    @Test func completionOfScopesKeyNamesAndCommands() async throws {
        let server = try Self.server()
        let home = try Self.temporaryFolder("keyflow-repl-home")
        let term = Terminal()
        defer { term.kill() }
        try term.start(["repl"], env: Self.environment(home: home, server: server))
        try await term.waitForPrompt(1)

        try term.type("list where scopes has databases.")
        try term.press("Tab")
        try await term.wait("the databases scopes") { $0.contains("databases.read") && $0.contains("databases.write") && $0.hasSuffix("has databases.") }
        try term.press("C-c")
        try await term.waitForPrompt(3)

        // A key that existed before the session: its name completes inside a string.
        try term.type(#"show "Sand"#)
        try term.press("Tab")
        try await term.wait("the bootstrap key's name") { $0.hasSuffix(#"show "Sandbox bootstrap key""#) }
        try term.press("C-c")
        try await term.waitForPrompt(4)

        // A key created in the session completes at once.
        try term.enter(#"create "deploy-production" scopes [users.read]"#)
        try await term.waitForPrompt(5)
        try term.type(#"show "deploy-p"#)
        try term.press("Tab")
        try await term.wait("the key name completed") { $0.hasSuffix(#"show "deploy-production""#) }
        try term.press("Enter")
        try await term.waitForPrompt(6)

        try term.type(":he")
        try term.press("Tab")
        try await term.wait(":help completed") { $0.hasSuffix(":help") }
        try term.enter("scopes")
        let screen = try await term.waitForPrompt(7)
        try Self.expectGolden("completion", screen)
        try Self.assertNoSecrets(screen, server)
    }

    /// A `for` block over three lines: continuation prompts, then one run of the whole block.
    @Test func multiLineForBlock() async throws {
        let server = try Self.server()
        let home = try Self.temporaryFolder("keyflow-repl-home")
        let term = Terminal()
        defer { term.kill() }
        try term.start(["repl"], env: Self.environment(home: home, server: server))
        try await term.waitForPrompt(1)
        try term.enter(#"for t in ["acme", "hooli"] {"#)
        try await term.wait("a continuation prompt") { $0.hasSuffix("...>") }
        try term.enter(#"  ensure "tenant-${t}" scopes [users.read]"#)
        try await term.wait("a second continuation prompt") { $0.components(separatedBy: "...>").count == 3 }
        try term.enter("}")
        try await term.waitForPrompt(2)
        // Ctrl-C at a continuation prompt drops the unfinished statement.
        try term.enter(#"for t in ["dropped"] {"#)
        try await term.wait("a continuation prompt") { $0.hasSuffix("...>") && $0.contains("dropped") }
        try term.press("C-c")
        try await term.waitForPrompt(3)
        try term.enter(#"count(keys where name ~ "tenant-*")"#)
        let screen = try await term.waitForPrompt(4)
        #expect(try server.keys().map(\.name).filter { $0.hasPrefix("tenant-") }.sorted() == ["tenant-acme", "tenant-hooli"])
        try Self.expectGolden("multiline-for", screen)
    }

    /// History survives the session (file mode 0600); a line with secret material, or one
    /// typed with a leading space, is not kept; Up in a second session recalls the last kept line, then the one before.
    @Test func historyAcrossTwoSessions() async throws {
        let server = try Self.server()
        let home = try Self.temporaryFolder("keyflow-repl-home")
        let env = Self.environment(home: home, server: server)
        do {
            let term = Terminal()
            defer { term.kill() }
            try term.start(["repl"], env: env)
            try await term.waitForPrompt(1)
            try term.enter(#"print "first session""#)
            try await term.waitForPrompt(2)
            try term.enter("count(keys)")
            try await term.waitForPrompt(3)
            try term.enter(#"print "standard_0123456789abcdef""#)
            try await term.waitForPrompt(4)
            try term.enter(#" print "kept out by its leading space""#)
            try await term.waitForPrompt(5)
            try term.press("C-d")
            try await term.wait("the REPL to exit") { $0.contains("[exited with status 0]") }
        }
        let file = home + "/state/keyflow/history"
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let kept = try String(contentsOfFile: file, encoding: .utf8)
        #expect(kept == "print \"first session\"\ncount(keys)\n", "history file: \(kept)")

        let term = Terminal()
        defer { term.kill() }
        try term.start(["repl"], env: env)
        try await term.waitForPrompt(1)
        try term.press("Up")
        try await term.wait("the last kept line") { $0.hasSuffix("> count(keys)") }
        try term.press("Up")
        try await term.wait("the line before it") { $0.hasSuffix(#"> print "first session""#) }
        try term.press("Enter")
        try await term.waitForPrompt(2)
        try term.enter(":history")
        let screen = try await term.waitForPrompt(3)
        try Self.expectGolden("history-second-session", screen)
    }

    /// Ctrl-C while a statement waits on a slow server (every request delayed) cancels it,
    /// says which steps completed, and the session goes on.
    @Test func controlCDuringASlowRequest() async throws {
        let server = try Self.server(chaos: "delay=1:2500ms")
        let home = try Self.temporaryFolder("keyflow-repl-home")
        let term = Terminal()
        defer { term.kill() }
        try term.start(["repl"], env: Self.environment(home: home, server: server))
        // Ctrl-C while the key names load (a slow server) stops the wait for them.
        try await term.wait("the banner") { $0.contains("Type :help") }
        let started = ContinuousClock.now
        try term.press("C-c")
        try await term.waitForPrompt(1)
        #expect(ContinuousClock.now - started < .milliseconds(2400), "the prompt took \(ContinuousClock.now - started)")
        try term.enter(#"for t in ["a", "b", "c"] { create "slow-${t}" scopes [users.read] }"#)
        try await term.wait("the first key created") { $0.contains(#"created "slow-a""#) }
        let pressed = ContinuousClock.now
        try term.press("C-c")
        try await term.waitForPrompt(2)
        // Back at the prompt well before the 2.5 s request in flight would have answered.
        #expect(ContinuousClock.now - pressed < .milliseconds(2400), "Ctrl-C took \(ContinuousClock.now - pressed)")
        try term.enter(#"print "still here""#)
        try await term.waitForPrompt(3)
        try term.enter(#"print exists("slow-a"), exists("slow-c")"#)
        let screen = try await term.waitForPrompt(4)
        #expect(screen.contains("Interrupted: 1 step completed, 1 cancelled in flight, 1 not started."))
        #expect(!screen.contains("^C"), "the echoed ^C is erased")
        // The request cut off in flight may or may not have been applied by the server.
        let names = try server.keys().map(\.name)
        #expect(names.contains("slow-a") && !names.contains("slow-c"), "\(names)")
        try Self.expectGolden("interrupt-slow-request", screen)
    }

    /// Ctrl-C at the prompt abandons the line; Ctrl-D at an empty prompt leaves with status 0.
    @Test func controlCClearsTheLineAndControlDExits() async throws {
        let server = try Self.server()
        let home = try Self.temporaryFolder("keyflow-repl-home")
        let term = Terminal()
        defer { term.kill() }
        try term.start(["repl"], env: Self.environment(home: home, server: server))
        try await term.waitForPrompt(1)
        try term.type(#"delete keys where name ~ "*""#)
        try term.press("C-c")
        try await term.waitForPrompt(2)
        try term.enter("count(keys)")
        try await term.waitForPrompt(3)
        try term.press("C-d")
        let screen = try await term.wait("the REPL to exit") { $0.contains("[exited with status") }
        #expect(screen.contains("[exited with status 0]"))
        #expect(try server.keys().count == 1, "the abandoned delete ran")
        try Self.expectGolden("ctrl-c-ctrl-d", screen)
    }

    /// Through a named context, the first line and the prompt name it.
    @Test func thePromptNamesTheContext() async throws {
        let server = try Self.server()
        let home = try Self.temporaryFolder("keyflow-repl-home")
        var env = Self.environment(home: home, server: nil)
        let add = try runKeyflow(
            ["context", "add", "rehearsal", "--endpoint", server.endpoint, "--project", server.project, "--api-key-env", "CI_KEY"],
            environment: env)
        #expect(add.status == 0, "\(add.all)")
        env["CI_KEY"] = server.apiKey
        let term = Terminal()
        defer { term.kill() }
        try term.start(["repl", "--context", "rehearsal"], env: env)
        let screen = try await term.waitForPrompt(1, prompt: "rehearsal:demo@127.0.0.1:")
        #expect(screen.contains(#"(api key) context "rehearsal""#), "\(screen)")
        try term.press("C-d")
        let exited = try await term.wait("the REPL to exit") { $0.contains("[exited with status") }
        #expect(exited.contains("[exited with status 0]"))
        try Self.assertNoSecrets(exited, server)
    }

    /// `:plan on` plans statements without writing; `:plan off` runs them again.
    @Test func planMode() async throws {
        let server = try Self.server()
        let home = try Self.temporaryFolder("keyflow-repl-home")
        let term = Terminal()
        defer { term.kill() }
        try term.start(["repl"], env: Self.environment(home: home, server: server))
        try await term.waitForPrompt(1)
        try term.enter(":plan on")
        try await term.wait("the plan prompt") { $0.hasSuffix("(plan)>") }
        try term.enter(#"create "planned" scopes [users.read] expire in 30d"#)
        try await term.wait("the plan") { $0.components(separatedBy: "(plan)>").count == 3 }
        #expect(try server.keys().map(\.name) == ["Sandbox bootstrap key"])
        try term.enter(":plan off")
        try await term.waitForPrompt(3)
        try term.enter(#"create "planned" scopes [users.read] expire in 30d"#)
        let screen = try await term.waitForPrompt(4)
        #expect(try server.keys().map(\.name).sorted() == ["Sandbox bootstrap key", "planned"])
        try Self.expectGolden("plan-mode", screen)
    }

    /// `list` prints an aligned table; in a narrow terminal it still fits, eliding with `…`.
    @Test func listFitsTheTerminal() async throws {
        let server = try Self.server()
        let home = try Self.temporaryFolder("keyflow-repl-home")
        for width in [120, 60] {
            let term = Terminal(width: width)
            defer { term.kill() }
            try term.start(["repl"], env: Self.environment(home: home, server: server))
            try await term.waitForPrompt(1)
            if width == 120 {
                try term.enter(#"create "reporting-service-production" scopes [databases.read, users.read, teams.read] expire in 90d"#)
                try await term.waitForPrompt(2)
            }
            try term.enter("list")
            let screen = try await term.waitForPrompt(width == 120 ? 3 : 2)
            let table = screen.split(separator: "\n").drop { !$0.hasPrefix("NAME") }.prefix { !$0.hasPrefix("(") }
            #expect(table.count == 3, "\(screen)")
            for row in table { #expect(row.count <= width, "row wider than \(width): \(row)") }
            try Self.expectGolden("list-\(width)", screen)
        }
    }

    /// What a new user does with only `:help`: list, create, inspect, rotate — and the
    /// prompt's hints for the usual slips (a mistyped statement, a key name without quotes).
    @Test func aNewUserWithOnlyHelp() async throws {
        let server = try Self.server()
        let home = try Self.temporaryFolder("keyflow-repl-home")
        let term = Terminal()
        defer { term.kill() }
        try term.start(["repl"], env: Self.environment(home: home, server: server))
        try await term.waitForPrompt(1)
        let lines = [
            ":help", "lst", "list", #"create "ci" scopes [databases.read] expire in 90d"#, "show ci",
            #"show "ci""#, #"rotate "ci" grace 1h"#, #"list where name ~ "ci*""#, ":help rotate",
        ]
        for (i, line) in lines.enumerated() {
            try term.enter(line)
            try await term.waitForPrompt(i + 2)
        }
        let screen = try term.screen()
        #expect(screen.contains("Start here:"))
        #expect(screen.contains("did you mean `list`?"))
        #expect(screen.contains(#"a key's name is a string: `show "ci"`"#))
        let names = try server.keys().map(\.name)
        #expect(names.filter { $0 == "ci" }.count == 1 && names.contains { $0.hasPrefix("ci (rotated ") }, "\(names)")
        try Self.expectGolden("new-user", screen)
        try Self.assertNoSecrets(screen, server)
    }

    /// `:help TOPIC` prints the text `keyflow help TOPIC` prints (one source), two-word
    /// topics included; a misspelt topic gets the near miss.
    @Test func replHelpIsKeyflowHelp() async throws {
        let server = try Self.server()
        let home = try Self.temporaryFolder("keyflow-repl-home")
        let term = Terminal()
        defer { term.kill() }
        try term.start(["repl"], env: Self.environment(home: home, server: server))
        try await term.waitForPrompt(1)
        for (i, topic) in ["rotate", "in project", "sinks", "rotat"].enumerated() {
            try term.enter(":help " + topic)
            try await term.waitForPrompt(i + 2)
        }
        let screen = try term.screen()
        let blocks = screen.components(separatedBy: "\n").split { $0.hasPrefix("demo@127.0.0.1:") }.map { $0.joined(separator: "\n") }
        try #require(blocks.count >= 4, "\(screen)")
        for (block, topic) in zip(blocks.suffix(4).prefix(3), [["rotate"], ["in", "project"], ["sinks"]]) {
            let cli = try runKeyflow(["help"] + topic, directory: home)
            #expect(cli.status == 0)
            #expect(block == cli.stdout.split(separator: "\n", omittingEmptySubsequences: false).map {
                String($0.reversed().drop(while: { $0 == " " }).reversed())
            }.joined(separator: "\n").trimmingCharacters(in: .newlines), "\(topic)")
        }
        #expect(blocks.last == "error: no help topic `rotat` — did you mean `:help rotate`?; `:help` lists the topics")
    }

    /// A target that cannot be reached is reported before the first prompt; a statement
    /// against it fails with a diagnostic and the session goes on.
    @Test func anUnreachableTarget() async throws {
        let home = try Self.temporaryFolder("keyflow-repl-home")
        var env = Self.environment(home: home, server: nil)
        env["APPWRITE_ENDPOINT"] = "http://127.0.0.1:1/v1"
        env["APPWRITE_PROJECT_ID"] = "demo"
        env["APPWRITE_API_KEY"] = "not-a-real-key"
        let term = Terminal()
        defer { term.kill() }
        try term.start(["repl"], env: env)
        let first = try await term.waitForPrompt(1)
        #expect(first.contains("warning: cannot list the project's keys"))
        try term.enter("list")
        try await term.waitForPrompt(2)
        try term.enter(":target")
        try await term.waitForPrompt(3)
        try term.press("C-d")
        let screen = try await term.wait("the REPL to exit") { $0.contains("[exited with status") }
        #expect(screen.contains("error: listing the project's keys: connection failed"))
        #expect(screen.contains("[exited with status 0]"))
        #expect(!screen.contains("not-a-real-key"))
        try Self.expectGolden("unreachable-target", screen)
    }

    /// With no endpoint the REPL starts the embedded sandbox, `keyflow-sandbox`, as a child
    /// over KEYFLOW_SANDBOX. It ends with the REPL: on Ctrl-D, and also when keyflow is killed
    /// with SIGKILL (no server is left behind). Its data outlives both.
    @Test func theEmbeddedSandboxEndsWithKeyflow() async throws {
        let home = try Self.temporaryFolder("keyflow-repl-home")
        var env = Self.environment(home: home, server: nil)
        env["KEYFLOW_SANDBOX"] = home + "/sandbox"

        let first = Terminal()
        defer { first.kill() }
        try first.start(["repl"], env: env)
        try await first.waitForPrompt(1, prompt: "sandbox>")
        let server = try #require(Self.sandboxProcess(over: home + "/sandbox"), "no keyflow-sandbox child runs over the folder")
        try first.enter(#"create "kept" scopes [users.read]"#)
        try await first.waitForPrompt(2, prompt: "sandbox>")
        try first.press("C-d")
        try await first.wait("the REPL to exit") { $0.contains("[exited with status 0]") }
        try await Self.waitUntilGone(server)

        let second = Terminal()
        defer { second.kill() }
        try second.start(["repl"], env: env)
        try await second.waitForPrompt(1, prompt: "sandbox>")
        let again = try #require(Self.sandboxProcess(over: home + "/sandbox"), "no keyflow-sandbox child runs over the folder")
        try second.enter("list")
        let screen = try await second.waitForPrompt(2, prompt: "sandbox>")
        #expect(screen.contains("kept"), "the key made in the first session is gone:\n\(screen)")
        let keyflow = try #require(Self.parent(of: again))
        #expect(Foundation.kill(keyflow, SIGKILL) == 0)
        try await Self.waitUntilGone(again)
    }

    /// The pid of the `keyflow-sandbox` whose command line names `folder`.
    static func sandboxProcess(over folder: String) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry), let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let words = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if words.first?.hasSuffix("/keyflow-sandbox") == true && words.contains(folder) { return pid }
        }
        return nil
    }

    /// The parent pid, from /proc/PID/stat (the field after the state).
    static func parent(of pid: pid_t) -> pid_t? {
        guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: stat, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 2 ? pid_t(fields[1]) : nil
    }

    /// Waits until `pid` has exited (gone, or a zombie nobody reaped yet).
    static func waitUntilGone(_ pid: pid_t) async throws {
        let clock = ContinuousClock()
        let end = clock.now + .seconds(15)
        while clock.now < end {
            guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return }
            let text = String(decoding: stat, as: UTF8.self)
            if let close = text.lastIndex(of: ")"), text[text.index(after: close)...].split(separator: " ").first == "Z" { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure("keyflow-sandbox (pid \(pid)) still runs 15 s after keyflow ended")
    }

    // MARK: - Not a terminal

    /// Statements from a pipe: no prompt, no banner, the same output as `keyflow run -`.
    @Test func pipedStdinBehavesLikeRunDash() throws {
        let server = try Self.server()
        let home = try Self.temporaryFolder("keyflow-repl-home")
        let env = Self.environment(home: home, server: server)
        let script = "print \"piped\"\nlist where name == \"Sandbox bootstrap key\"\nassert count(keys) >= 1\n"
        let repl = try Self.pipe(["repl"], stdin: script, env: env)
        let run = try Self.pipe(["run", "-"], stdin: script, env: env)
        #expect(repl.status == 0, "\(repl.stderr)")
        #expect(Self.normalized(repl.stdout) == Self.normalized(run.stdout))
        #expect(Self.normalized(repl.stderr) == Self.normalized(run.stderr))
        #expect(!repl.stdout.contains("demo@") && !repl.stderr.contains("demo@") && !repl.stdout.contains(":help"))
        #expect(repl.stdout.contains("piped\n"))
        #expect(!FileManager.default.fileExists(atPath: home + "/state/keyflow/history"), "piped input was recorded")

        // A failing assert exits 3 as `run -` does; a syntax error exits 2 with nothing sent.
        let failed = try Self.pipe(["repl"], stdin: "assert count(keys) > 99, \"too few\"\n", env: env)
        #expect(failed.status == 3, "\(failed.stderr)")
        #expect(failed.stderr.contains("too few"))
        let bad = try Self.pipe(["repl"], stdin: "create \"x\" scopes [users.read\n", env: env)
        #expect(bad.status == 2, "\(bad.stderr)")
        #expect(try server.keys().count == 1)
    }

    /// Without an endpoint and without a terminal it refuses (like `run -`), unless --sandbox.
    @Test func pipedStdinWithoutEndpoint() throws {
        let home = try Self.temporaryFolder("keyflow-repl-home")
        var env = Self.environment(home: home, server: nil)
        env["KEYFLOW_SANDBOX"] = home + "/sandbox"
        let refused = try Self.pipe(["repl"], stdin: "list\n", env: env)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("no terminal is attached"))
        let sandboxed = try Self.pipe(["repl", "--sandbox"], stdin: "create \"piped\" scopes [users.read]\nlist\n", env: env)
        #expect(sandboxed.status == 0, "\(sandboxed.stderr)")
        #expect(sandboxed.stdout.contains("piped"))
    }

    /// Runs the binary with stdin from a file (not a terminal), stdout and stderr to files.
    static func pipe(_ arguments: [String], stdin: String, env: [String: String]) throws -> ProcessOutput {
        let dir = try temporaryFolder("keyflow-repl-pipe")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try runKeyflow(arguments, environment: env, directory: dir, stdin: stdin)
    }
}

extension ServeProcess {
    /// Every key's name and secret, read with curl (this target links nothing of keyflow's).
    fileprivate func keys() throws -> [(name: String, secret: String)] {
        try listedKeys().map { ($0["name"] as! String, $0["secret"] as! String) }
    }
}
