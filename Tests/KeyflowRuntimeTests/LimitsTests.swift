import Foundation
import KeyflowClient
import KeyflowLanguage
import KeyflowTestSupport
import Testing

@testable import KeyflowRuntime

/// Hostile scripts end in a runtime error at the statement or expression that reached a
/// limit — never in exhausted memory or a loop without end. Each is planned by the
/// `Simulator` (the evaluator is the same in a run).
@Suite struct LimitsTests {
    func plan(_ source: String, limits: Limits = .standard, dir: String = NSTemporaryDirectory()) async throws -> Diagnostic? {
        let (program, diagnostics) = compile(source: source, file: "hostile.kf")
        let compiled = try #require(program, "does not compile: \(diagnostics.map(\.summary))")
        let interpreter = Interpreter(executor: Simulator(keys: KeyCache(seed: [])), scriptDirectory: dir, limits: limits)
        do {
            _ = try await interpreter.execute(compiled.statements, in: Environment(), emit: { _ in })
            return nil
        } catch {
            return error.diagnostic
        }
    }

    @Test func theDoublingBombStopsAtTheStringLimit() async throws {
        var lines = [#"let a0 = "xxxxxxxxxxxxxxxx""#]
        for i in 1...40 { lines.append("let a\(i) = \"${a\(i - 1)}${a\(i - 1)}\"") }
        let start = ContinuousClock.now
        let d = try #require(try await plan(lines.joined(separator: "\n")))
        #expect(d.id == "limit-string")
        #expect(d.summary == "this string would be longer than 16 MiB")
        // 16 bytes doubled 20 times is 16 MiB: the 21st doubling is refused, at its line.
        #expect(d.range.start.line == 22)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func aListOfCopiesIsRefusedBeforeItIsWrittenOut() async throws {
        var lines = [#"let a0 = "xxxxxxxxxxxxxxxx""#]
        for i in 1...16 { lines.append("let a\(i) = \"${a\(i - 1)}${a\(i - 1)}\"") }  // 1 MiB
        lines.append("let many = [" + Array(repeating: "a16", count: 100).joined(separator: ", ") + "]")
        lines.append("print many")
        let d = try #require(try await plan(lines.joined(separator: "\n")))
        #expect(d.id == "limit-string")
        #expect(d.range.start.line == 19)
    }

    @Test func loopsAndStepsHaveLimits() async throws {
        let nested = """
            for a in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"] {
              for b in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"] {
                print a, b
              }
            }
            """
        #expect(try await plan(nested, limits: Limits(maxIterations: 110)) == nil)
        let d = try #require(try await plan(nested, limits: Limits(maxIterations: 50)))
        #expect(d.id == "limit-iterations")
        #expect(d.help == "raise the limit with --max-iterations if this is intended")

        let creates = #"for t in ["a", "b", "c", "d"] { create "k-${t}" }"#
        let s = try #require(try await plan(creates, limits: Limits(maxSteps: 3)))
        #expect(s.id == "limit-steps")
        #expect(s.summary == "the script would take more than 3 steps")
    }

    @Test func linesRefusesDevicesFifosFoldersAndLargeFiles() async throws {
        let dir = try TestPaths.temporaryFolder("keyflow-limits")
        let dev = try #require(try await plan(#"print count(lines("/dev/zero"))"#, dir: dir))
        #expect(dev.summary == "lines() reads regular files; /dev/zero is a device")

        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let f = try #require(try await plan(#"print count(lines("pipe"))"#, dir: dir))
        #expect(f.summary == "lines() reads regular files; pipe is a FIFO (named pipe)")

        let folder = try #require(try await plan(#"print count(lines("."))"#, dir: dir))
        #expect(folder.summary == "lines() reads regular files; . is a folder")

        // A sparse file of 1 GiB: refused from its size, without reading it.
        let big = dir + "/big.txt"
        #expect(FileManager.default.createFile(atPath: big, contents: Data("a\n".utf8)))
        #expect(truncate(big, 1 << 30) == 0)
        let start = ContinuousClock.now
        let b = try #require(try await plan(#"print count(lines("big.txt"))"#, dir: dir))
        #expect(b.summary == "lines(): big.txt is 1 GiB, more than the 16 MiB it reads")
        #expect(ContinuousClock.now - start < .seconds(2))

        let small = dir + "/ok.txt"
        #expect(FileManager.default.createFile(atPath: small, contents: Data("a\nb\n# c\n".utf8)))
        #expect(try await plan(#"assert count(lines("ok.txt")) == 2"#, dir: dir) == nil)
    }
}
