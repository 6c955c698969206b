import Foundation

/// A real terminal for end-to-end tests: a private tmux server (its own socket and
/// configuration) with one pane of a fixed size running a command. Keys are sent with
/// `send-keys`, the screen is read with `capture-pane`.
final class Terminal {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let folder: URL
    let socket: String
    let width: Int
    let height: Int

    /// Starts `command` (argv) with exactly `environment` in a `width`×`height` pane.
    init(_ command: [String], environment: [String: String], width: Int = 100, height: Int = 30, folder: URL) throws {
        self.folder = folder
        self.socket = folder.appendingPathComponent("tmux.sock").path
        self.width = width
        self.height = height
        let config = folder.appendingPathComponent("tmux.conf")
        try "set -g remain-on-exit on\nset -g status off\nset -g history-limit 5000\nset -g escape-time 0\n"
            .write(to: config, atomically: true, encoding: .utf8)
        var env = ["TERM": "xterm-256color", "LANG": "C.UTF-8", "PATH": "/usr/local/bin:/usr/bin:/bin"]
        env.merge(environment) { _, new in new }
        let line = (["env", "-i"] + env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + command)
            .map(Terminal.shellQuoted).joined(separator: " ")
        try tmux(["-f", config.path, "new-session", "-d", "-s", "t", "-x", "\(width)", "-y", "\(height)", line])
    }

    deinit {
        _ = try? tmux(["kill-server"])
    }

    /// Types text literally.
    func type(_ text: String) throws {
        try tmux(["send-keys", "-t", "t", "-l", text])
    }

    /// Presses keys by tmux name: `Enter`, `Tab`, `Up`, `C-c`, `C-d`.
    func press(_ keys: String...) throws {
        try tmux(["send-keys", "-t", "t"] + keys)
    }

    /// Types a line and presses Enter.
    func enter(_ line: String) throws {
        try type(line)
        try press("Enter")
    }

    /// The visible screen, trailing blanks removed.
    func screen() throws -> String {
        let raw = try tmux(["capture-pane", "-p", "-t", "t"])
        var lines = raw.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(line.reversed().drop { $0 == " " }.reversed())
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// Waits until the screen satisfies `condition`; fails with the screen after `timeout`.
    @discardableResult
    func waitUntil(_ what: String, timeout: Double = 15, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            usleep(50_000)
        }
        throw Failure(description: "timed out after \(timeout)s waiting for \(what); the screen was:\n\(last)")
    }

    /// Waits until `text` appears `count` times on the screen.
    @discardableResult
    func waitFor(_ text: String, count: Int = 1, timeout: Double = 15) throws -> String {
        try waitUntil("\(text.debugDescription) ×\(count)", timeout: timeout) { $0.components(separatedBy: text).count - 1 >= count }
    }

    /// The exit status once the program has ended.
    func waitForExit(timeout: Double = 15) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let state = try tmux(["display-message", "-p", "-t", "t", "#{pane_dead} #{pane_dead_status}"])
                .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
            if state.first == "1", state.count == 2, let code = Int(state[1]) { return code }
            usleep(50_000)
        }
        throw Failure(description: "the program did not exit within \(timeout)s; the screen was:\n\(try screen())")
    }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux", "-S", socket] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func shellQuoted(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
