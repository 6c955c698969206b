import Foundation
import KeyflowTestSupport
import Testing

/// The command line's conventions through the real binary: exit codes, which stream gets what,
/// reading standard input, `fmt --diff`, and the CI formats (workflow annotations, the Markdown
/// plan summary).
struct ConventionsCLITests {
    static let root = TestPaths.packageRoot.path

    func keyflow(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> ProcessOutput {
        try runKeyflow(arguments, environment: isolatedEnvironment(environment), directory: Self.root, stdin: stdin)
    }

    /// Every usage error exits 2 with one line saying what is wrong and one saying where to look.
    @Test(arguments: [
        (["nosuch"], "error: unexpected argument 'nosuch'", "keyflow --help"),
        (["run", "--jsn", "x.kf"], "error: unknown option '--jsn'. Did you mean '--json'?", "keyflow run --help"),
        (["run"], "error: missing expected argument '<file>'", "keyflow run --help"),
        (["plan", "--parallel", "abc", "x.kf"], "error: the value 'abc' is invalid for '--parallel <parallel>'", "keyflow plan --help"),
        (["run", "--parallel", "99", "x.kf"], "error: --parallel takes a number from 1 to 64", "keyflow run --help"),
        (["context", "nosuch"], "error: unexpected argument 'nosuch'", "keyflow context --help"),
        (["context", "add"], "error: missing expected argument '<name>'", "keyflow context add --help"),
        (["check"], "error: missing expected argument '<files> ...'", "keyflow check --help"),
        (["help", "nosuch"], "error: no help topic 'nosuch'", "keyflow --help"),
        (["help", "context", "nosuch"], "error: no help topic 'context nosuch'", "keyflow --help"),
    ])
    func usageErrorsExitTwoWithAHint(arguments: [String], message: String, hint: String) throws {
        let r = try keyflow(arguments)
        #expect(r.status == 2, "\(arguments): \(r.all)")
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty, "two lines: \(r.stderr)")
        #expect(lines.first.map { $0 == "keyflow: " + message } == true, "\(r.stderr)")
        #expect(lines.dropFirst().first.map { $0.hasPrefix("  help: " + hint) } == true, "\(r.stderr)")
    }

    @Test func helpAndVersionStillExitZero() throws {
        for arguments in [["--help"], ["help"], ["help", "run"], ["help", "context", "add"], ["run", "--help"], ["--version"]] {
            let r = try keyflow(arguments)
            #expect(r.status == 0, "\(arguments): \(r.all)")
            #expect(!r.stdout.isEmpty)
        }
    }
}
