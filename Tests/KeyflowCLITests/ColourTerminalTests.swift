import Foundation
import KeyflowTestSupport
import Testing

extension ReplTerminalTests.Terminal {
    /// The pane with its escape codes (`capture-pane -e`), as tmux redraws them.
    func screenWithEscapes() throws -> String { try tmux(["capture-pane", "-e", "-p", "-J", "-t", "repl", "-S", "-"]) }
}

/// Colour (issue 17 part 4) on a real terminal, a tmux pane, read back with its escape
/// codes: plan symbols, diagnostics, the REPL's prompt and tables. Never with NO_COLOR, never
/// through a pipe unless `--color always`.
@Suite(.serialized) struct ColourTerminalTests {
    static let esc = "\u{1B}["

    /// A script whose plan has every kind of step.
    static func script(in folder: String) throws -> String {
        let path = folder + "/steps.kf"
        try """
            create "a" scopes [users.read]
            update "a" description "x"
            rotate "a" grace 1h
            delete "Sandbox bootstrap key"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func environment(home: String, colour: Bool) -> [String: String] {
        var env = ReplTerminalTests.environment(home: home, server: nil)
        env["KEYFLOW_SANDBOX"] = home + "/sandbox"
        if colour { env["NO_COLOR"] = nil }
        return env
    }

    /// The line of the pane that contains `text`, with its escapes.
    static func line(_ screen: String, containing text: String) -> String {
        screen.split(separator: "\n").first { $0.contains(text) }.map(String.init) ?? ""
    }

    /// Whether `text` comes right after SGR sequences (`ESC[…m`) one of whose parameters is
    /// `code` (tmux may write `1;31` as `ESC[1m` then `ESC[31m`).
    static func painted(_ screen: String, _ text: String, _ code: String) -> Bool {
        let l = line(screen, containing: text)
        guard let r = l.range(of: text) else { return false }
        var before = String(l[..<r.lowerBound])
        var parameters: [String] = []
        while before.hasSuffix("m"), let open = before.range(of: esc, options: .backwards) {
            let body = before[open.upperBound..<before.index(before: before.endIndex)]
            guard body.allSatisfy({ $0.isNumber || $0 == ";" }) else { break }
            parameters += body.split(separator: ";").map(String.init)
            before = String(before[..<open.lowerBound])
        }
        return parameters.contains(code)
    }

    @Test func aPlanOnATerminalColoursItsSymbols() async throws {
        let home = try ReplTerminalTests.temporaryFolder("keyflow-colour")
        let term = ReplTerminalTests.Terminal()
        defer { term.kill() }
        try term.start(["plan", "--sandbox", "--allow-self", try Self.script(in: home)], env: Self.environment(home: home, colour: true))
        try await term.wait("the plan") { $0.contains("[exited with status 0]") }
        let screen = try term.screenWithEscapes()
        #expect(Self.painted(screen, "+ create", "32"), "\(screen.debugDescription)")
        #expect(Self.painted(screen, "~ update", "33"), "\(screen.debugDescription)")
        #expect(Self.painted(screen, "↻ rotate", "36"), "\(screen.debugDescription)")
        #expect(Self.painted(screen, "- delete", "31"), "\(screen.debugDescription)")
        #expect(!Self.line(screen, containing: "Plan: ").contains(Self.esc + "3"), "the summary stays plain")
    }

    @Test func diagnosticsOnATerminal() async throws {
        let home = try ReplTerminalTests.temporaryFolder("keyflow-colour")
        let path = home + "/bad.kf"
        try "ensure \"a\" scope [users.read]\n".write(toFile: path, atomically: true, encoding: .utf8)
        let term = ReplTerminalTests.Terminal()
        defer { term.kill() }
        try term.start(["check", path], env: Self.environment(home: home, colour: true))
        try await term.wait("check") { $0.contains("[exited with status 2]") }
        let screen = try term.screenWithEscapes()
        #expect(Self.painted(screen, "error:", "31"), "\(screen.debugDescription)")
        #expect(Self.painted(screen, "help:", "36"), "\(screen.debugDescription)")
        #expect(Self.painted(screen, "^^^^^", "31"), "\(screen.debugDescription)")
    }

    @Test func theREPLsPromptAndTable() async throws {
        let server = try ReplTerminalTests.server()
        let home = try ReplTerminalTests.temporaryFolder("keyflow-colour")
        var env = ReplTerminalTests.environment(home: home, server: server)
        env["NO_COLOR"] = nil
        let term = ReplTerminalTests.Terminal()
        defer { term.kill() }
        try term.start(["repl"], env: env)
        try await term.waitForPrompt(1)
        try term.enter("list")
        try await term.waitForPrompt(2)
        let screen = try term.screenWithEscapes()
        #expect(Self.painted(screen, "demo@127.0.0.1:", "34"), "\(screen.debugDescription)")
        #expect(Self.painted(screen, "NAME", "1"), "\(screen.debugDescription)")
        // The prompt's escapes take no columns: the typed text follows `> ` directly.
        #expect(try term.screen().contains("> list\n"))
    }

    @Test func noColourWithNO_COLOR() async throws {
        let home = try ReplTerminalTests.temporaryFolder("keyflow-colour")
        let bad = home + "/bad.kf"
        try "ensure \"a\" scope [users.read]\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let env = Self.environment(home: home, colour: false)
        #expect(env["NO_COLOR"] == "1")
        for (arguments, status) in [(["plan", "--sandbox", "--allow-self", try Self.script(in: home)], 0), (["check", bad], 2)] {
            let term = ReplTerminalTests.Terminal()
            defer { term.kill() }
            try term.start(arguments, env: env)
            try await term.wait("\(arguments[0])") { $0.contains("[exited with status \(status)]") }
            let screen = try term.screenWithEscapes()
            #expect(screen.contains("+ create") || screen.contains("help: write it"))
            #expect(!screen.contains("\u{1B}"), "\(screen.debugDescription)")
        }
    }

    @Test func throughAPipeOnlyWithColorAlways() throws {
        let home = try ReplTerminalTests.temporaryFolder("keyflow-colour")
        let script = try Self.script(in: home)
        let env = ["PATH": "/usr/bin:/bin", "HOME": home, "KEYFLOW_SANDBOX": home + "/sandbox", "TERM": "xterm"]
        let plain = try runKeyflow(["plan", "--sandbox", "--allow-self", script], environment: env, directory: home)
        #expect(plain.status == 0 && plain.stdout.contains("+ create"))
        #expect(!plain.stdout.contains("\u{1B}") && !plain.stderr.contains("\u{1B}"))
        let always = try runKeyflow(["plan", "--sandbox", "--allow-self", "--color", "always", script], environment: env, directory: home)
        #expect(always.stdout.contains("\u{1B}[32m+ create\u{1B}[0m"))
        let never = try runKeyflow(["plan", "--sandbox", "--allow-self", "--color", "never", script], environment: env, directory: home)
        #expect(!never.stdout.contains("\u{1B}"))
        let bad = try runKeyflow(["plan", "--color", "sometimes", script], environment: env, directory: home)
        #expect(bad.status != 0 && bad.stderr.contains("sometimes"))
    }
}
