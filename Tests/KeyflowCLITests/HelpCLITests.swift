import Foundation
import KeyflowTestSupport
import Testing

/// `keyflow help` through the real binary: the language's topics, a command's options, and
/// an unknown topic (exit 2, with the near miss).
struct HelpCLITests {
    func keyflow(_ args: [String]) throws -> ProcessOutput {
        #expect(FileManager.default.isExecutableFile(atPath: TestPaths.keyflowBinary), "no keyflow binary at \(TestPaths.keyflowBinary)")
        return try runKeyflow(args, directory: TestPaths.packageRoot.path)
    }

    @Test func aStatementTopic() throws {
        let r = try keyflow(["help", "rotate"])
        #expect(r.status == 0 && r.stderr.isEmpty)
        #expect(r.stdout.hasPrefix("rotate — replace keys by successors"))
        #expect(r.stdout.contains("\n  rotate SELECTOR [grace D] [expire E] [as VAR] [secret to SINK]…\n"))
        #expect(r.stdout.contains("\n  rotate \"Deployment Key\" grace 1h secret to file \"secrets/deploy.key\"\n"))
        #expect(r.stdout.hasSuffix("Reference: docs/language.md §7.6, §10\n"))
        #expect(r.stdout.split(separator: "\n").allSatisfy { $0.count <= 88 })
    }

    @Test(arguments: [
        ["sinks"], ["selectors"], ["expressions"], ["credentials"], ["exit-codes"], ["in", "project"], ["else"], ["count"],
    ])
    func everyNamedTopic(words: [String]) throws {
        let r = try keyflow(["help"] + words)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(" — ") && r.stdout.contains("Reference: docs/language.md §"))
    }

    @Test func theIndexListsTopicsAndCommands() throws {
        let r = try keyflow(["help"])
        #expect(r.status == 0)
        for line in ["\nStatements:\n", "\n  in project ", "\n  exit-codes ", "\n  sinks ", "Commands (keyflow help COMMAND for its options): check, fmt, plan, run"] {
            #expect(r.stdout.contains(line), "\(line)")
        }
    }

    @Test func aCommandShowsItsOptions() throws {
        let r = try keyflow(["help", "plan"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: keyflow plan") && r.stdout.contains("--detailed-exitcode"))
        #expect(r.stdout.hasSuffix("`plan` in the language: keyflow help modes\n"))
    }

    @Test func anUnknownTopicExitsTwoWithTheNearMiss() throws {
        let r = try keyflow(["help", "rotat"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "keyflow: error: no help topic `rotat`\n  help: did you mean `keyflow help rotate`? `keyflow help` lists the topics\n")
        let far = try keyflow(["help", "zzzzzz"])
        #expect(far.status == 2 && !far.stderr.contains("did you mean"))
    }
}
