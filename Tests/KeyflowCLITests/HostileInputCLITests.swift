import Foundation
import KeyflowTestSupport
import Testing

/// Hostile scripts given to the real binary (KEYFLOW_BIN), each as a child process with a
/// time limit and a memory ceiling measured by the test (wait4's rusage of the child): each
/// ends in a diagnostic or a runtime error with exit 1 or 2, never a signal, a hang or
/// exhausted memory. The same inputs are checked in process by DeepChainTests,
/// HostileInputTests and LimitsTests; here the promise is about the whole program.
@Suite(.serialized) struct HostileInputCLITests {
    /// Generous on a loaded 2-core machine: a hang is unbounded, the real cost is < 1 s.
    static let seconds = 30.0
    static let memoryCeiling = 256 << 20

    struct Case {
        let command: String
        let file: String
        let source: [UInt8]
        /// What the diagnostic or runtime error must say.
        let expected: String
    }

    static func nested(_ depth: Int) -> String {
        var inner = "now"
        for _ in 0..<depth { inner = "\"${" + inner + "}\"" }
        return inner
    }

    /// Runs `keyflow COMMAND FILE` in a fresh folder, with `prepare` run there first.
    func outcome(_ c: Case, prepare: (String) throws -> Void = { _ in }) throws -> BoundedOutcome {
        let dir = try TestPaths.temporaryFolder("keyflow-hostile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try prepare(dir)
        try Data(c.source).write(to: URL(fileURLWithPath: dir + "/" + c.file))
        let environment = isolatedEnvironment(["HOME": dir, "XDG_CONFIG_HOME": dir + "/.config"])
        // `plan` rehearses against the embedded sandbox (started and stopped by keyflow).
        let arguments = c.command == "plan" ? ["plan", "--sandbox", c.file] : [c.command, c.file]
        return try runBounded(TestPaths.keyflowBinary, arguments, environment: environment, directory: dir, seconds: Self.seconds)
    }

    func expectBounded(_ c: Case, prepare: (String) throws -> Void = { _ in }) throws {
        let o = try outcome(c, prepare: prepare)
        let what = "\(c.command) \(c.file)"
        #expect(!o.timedOut, "\(what) outlived \(Self.seconds) s")
        #expect(o.signal == nil, "\(what) died by signal \(o.signal ?? 0)")
        #expect(o.status == 1 || o.status == 2, "\(what) exited \(o.status.map(String.init) ?? "-"): \(o.stderr.prefix(300))")
        #expect(o.peakMemory < Self.memoryCeiling, "\(what) peaked at \(o.peakMemory >> 20) MiB")
        #expect(o.stderr.contains(c.expected) || o.stdout.contains(c.expected), "\(what): \(o.stderr.prefix(500))")
        #expect(o.stderr.utf8.count < 64 << 10, "\(what) printed \(o.stderr.utf8.count) bytes of diagnostics")
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func nestedInterpolationsDeeperThanTheLimit() throws {
        try expectBounded(Case(command: "check", file: "nested.kf", source: Self.bytes("print " + Self.nested(150) + "\n"),
                               expected: "nesting deeper than"))
        // Unclosed, thousands deep.
        try expectBounded(Case(command: "check", file: "open.kf", source: Self.bytes("print " + String(repeating: "\"${", count: 5000)),
                               expected: "error:"))
    }

    @Test func aFiveThousandTermAnd() throws {
        let source = "let k = 1\nassert " + Array(repeating: "k", count: 5000).joined(separator: " and ") + " == k\n"
        try expectBounded(Case(command: "check", file: "and.kf", source: Self.bytes(source), expected: "error:"))
    }

    @Test func theDoublingBomb() throws {
        var lines = [#"let a0 = "xxxxxxxxxxxxxxxx""#]
        for i in 1...40 { lines.append("let a\(i) = \"${a\(i - 1)}${a\(i - 1)}\"") }
        lines.append("print a40")
        try expectBounded(Case(command: "plan", file: "bomb.kf", source: Self.bytes(lines.joined(separator: "\n")),
                               expected: "this string would be longer than 16 MiB"))
    }

    @Test func linesOfADeviceAFIFOAndAGigabyteSparseFile() throws {
        try expectBounded(Case(command: "plan", file: "zero.kf", source: Self.bytes(#"print count(lines("/dev/zero"))"#),
                               expected: "/dev/zero is a device"))
        try expectBounded(Case(command: "plan", file: "fifo.kf", source: Self.bytes(#"print count(lines("pipe"))"#),
                               expected: "pipe is a FIFO")) { dir in
            #expect(mkfifo(dir + "/pipe", 0o600) == 0)
        }
        try expectBounded(Case(command: "plan", file: "big.kf", source: Self.bytes(#"print count(lines("big.txt"))"#),
                               expected: "big.txt is 1 GiB")) { dir in
            let fd = open(dir + "/big.txt", O_WRONLY | O_CREAT, 0o600)
            #expect(fd >= 0 && ftruncate(fd, 1 << 30) == 0)
            close(fd)
        }
    }

    /// A script that is a device, standard input that never ends, or a file over the
    /// 64 MiB limit: refused after at most 64 MiB is read, never read into all memory.
    @Test func scriptsThatNeverEndOrAreTooLarge() throws {
        let dir = try TestPaths.temporaryFolder("keyflow-hostile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fd = open(dir + "/huge.kf", O_WRONLY | O_CREAT, 0o600)
        #expect(fd >= 0 && ftruncate(fd, 1 << 30) == 0)
        close(fd)
        let environment = isolatedEnvironment(["HOME": dir, "XDG_CONFIG_HOME": dir + "/.config"])
        for (arguments, stdin, expected) in [
            (["check", "/dev/zero"], "/dev/null", "script is longer than the 64 MiB limit"),
            (["check", "-"], "/dev/zero", "script is longer than the 64 MiB limit"),
            (["plan", "--sandbox", "-"], "/dev/zero", "script is longer than the 64 MiB limit"),
            (["check", "huge.kf"], "/dev/null", "script is 1024 MiB, more than the 64 MiB limit"),
        ] {
            let o = try runBounded(TestPaths.keyflowBinary, arguments, environment: environment, directory: dir, seconds: Self.seconds, stdin: stdin)
            let what = arguments.joined(separator: " ") + " < " + stdin
            #expect(!o.timedOut && o.signal == nil, "\(what): timed out or died")
            #expect(o.status == 2, "\(what) exited \(o.status.map(String.init) ?? "-")")
            #expect(o.peakMemory < Self.memoryCeiling, "\(what) peaked at \(o.peakMemory >> 20) MiB")
            #expect(o.stderr.contains(expected), "\(what): \(o.stderr.prefix(300))")
        }
    }

    @Test func aLongLineIsCutInItsDiagnostic() throws {
        let source = "print \"" + String(repeating: "a", count: 35_000) + "\", nope\n"
        let o = try outcome(Case(command: "check", file: "long.kf", source: Self.bytes(source), expected: ""))
        #expect((o.status == 1 || o.status == 2) && o.signal == nil && !o.timedOut)
        #expect(o.stderr.contains("undefined name `nope`"))
        #expect(o.stderr.contains("…"))
        #expect(o.stderr.utf8.count < 1000, "the excerpt printed \(o.stderr.utf8.count) bytes")
    }

    /// Every input a fuzzer found (Tests/FuzzRegressions/frontend), through `keyflow check`.
    @Test func everyFuzzFindingIsCheckedInTime() throws {
        let folder = TestPaths.packageRoot.appendingPathComponent("Tests/FuzzRegressions/frontend").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let source = try #require(FileManager.default.contents(atPath: folder + "/" + name))
            let o = try outcome(Case(command: "check", file: "finding.kf", source: Array(source), expected: ""))
            #expect(!o.timedOut && o.signal == nil, "\(name): timed out or died")
            #expect([0, 1, 2].contains(o.status ?? -1), "\(name) exited \(o.status.map(String.init) ?? "-")")
            #expect(o.peakMemory < Self.memoryCeiling, "\(name) peaked at \(o.peakMemory >> 20) MiB")
        }
    }
}
