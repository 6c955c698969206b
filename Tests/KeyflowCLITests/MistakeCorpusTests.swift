import Foundation
import KeyflowTestSupport
import Testing

/// grammar/examples/mistakes/: one file per common first mistake (issue 17), run through
/// the real binary. Each `# error: SUMMARY` (at the end of a line: that line; alone: the next
/// line that is not a comment) is followed by the `# help: HELP` line the diagnostic must
/// show: the right form. A `# command: ARGS` line runs `keyflow ARGS` instead of
/// `keyflow check FILE` (FILE is the corpus file); every diagnostic must be expected.
struct MistakeCorpusTests {
    static let folder = TestPaths.packageRoot.appendingPathComponent("grammar/examples/mistakes")
    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".kf") }.sorted()
    }

    /// `LINE: error: SUMMARY` and `help: HELP`, in order.
    static func expectations(_ text: String, file: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        var out: [String] = []
        for (i, line) in lines.enumerated() {
            if let r = line.range(of: "# error: ") {
                var n = i + 1
                if line[..<r.lowerBound].allSatisfy({ $0 == " " }) {
                    n += 1
                    while n <= lines.count && lines[n - 1].trimmingCharacters(in: .whitespaces).hasPrefix("#") { n += 1 }
                }
                out.append("\(n): error: " + line[r.upperBound...])
            } else if let r = line.range(of: "# help: ") {
                out.append("help: " + line[r.upperBound...].replacingOccurrences(of: "FILE", with: file))
            }
        }
        return out
    }

    /// The same, from what keyflow printed (the line of `file:line:col: error: …`, then its help).
    static func reported(_ stderr: String) -> [String] {
        var out: [String] = []
        for line in stderr.components(separatedBy: "\n") {
            if let m = line.firstMatch(of: /^.+?:(\d+):\d+: error: (.*)$/) {
                out.append("\(m.1): error: \(m.2)")
            } else if line.hasPrefix("  help: ") {
                out.append("help: " + line.dropFirst("  help: ".count))
            }
        }
        return out
    }

    @Test func theCorpusHasAFilePerMistake() {
        #expect(Self.files == [
            "clause-expires.kf", "clause-grace-period.kf", "clause-scope.kf", "clause-typo.kf", "parameter-before-script.kf",
            "parameter-type.kf", "reserved-variable.kf", "second-sink.kf", "secret-clauses.kf", "unit-words.kf", "unquoted-name.kf",
            "unquoted-selector.kf",
        ])
    }

    @Test(arguments: files)
    func eachMistakeGetsItsDiagnosticAndHelp(name: String) throws {
        let path = Self.folder.appendingPathComponent(name).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = Self.expectations(text, file: path)
        #expect(expected.contains { $0.contains(": error: ") } && expected.contains { $0.hasPrefix("help: ") })
        var arguments = ["check", path]
        if let command = text.components(separatedBy: "\n").first(where: { $0.hasPrefix("# command: ") }) {
            let words = command.dropFirst("# command: ".count).prefix { $0 != "#" }.split(separator: " ")
            arguments = words.map { $0 == "FILE" ? path : String($0) }
        }
        let home = try TestPaths.temporaryFolder("keyflow-mistakes")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let r = try runKeyflow(
            arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": home, "KEYFLOW_SANDBOX": home + "/sandbox", "NO_COLOR": "1"],
            directory: home)
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(Self.reported(r.stderr) == expected, "\(r.stderr)")
    }
}
