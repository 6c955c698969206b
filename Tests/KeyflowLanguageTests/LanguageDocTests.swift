import Foundation
import Testing
@testable import KeyflowLanguage

/// One fenced code block of a Markdown page, tagged `keyflow` or `keyflow-error`.
struct DocBlock: Sendable, CustomTestStringConvertible {
    let tag: String
    let source: String
    /// The page line of the block's first source line (the line after the fence).
    let line: Int

    var isErrorExample: Bool { tag == "keyflow-error" }
    var testDescription: String { "docs/language.md:\(line) (\(tag))" }
}

/// The code blocks of docs/language.md, the language reference: every ```keyflow block
/// must check clean, and every ```keyflow-error block must give exactly the errors its
/// `# error: SUMMARY` comments state (the convention of grammar/examples/errors: at the end
/// of a line, that line; alone on a line, the next line that is not a comment).
enum LanguageDoc {
    static let path = "docs/language.md"

    static var text: String {
        (try? String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)) ?? ""
    }

    static var blocks: [DocBlock] { blocks(in: text) }

    /// Every fenced block whose info string is `keyflow` or starts with `keyflow-`; other
    /// fences (plain ``` blocks of commands or output) are skipped.
    static func blocks(in markdown: String) -> [DocBlock] {
        var out: [DocBlock] = []
        var open: (tag: String, line: Int, lines: [Substring])?
        for (n, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("```") else {
                open?.lines.append(line)
                continue
            }
            if let block = open {
                if block.tag == "keyflow" || block.tag.hasPrefix("keyflow-") {
                    out.append(DocBlock(tag: block.tag, source: block.lines.joined(separator: "\n") + "\n", line: block.line))
                }
                open = nil
            } else {
                open = (String(trimmed.dropFirst(3)).trimmingCharacters(in: .whitespaces), n + 2, [])
            }
        }
        return out
    }

    /// `LINE: SUMMARY` for each `# error: SUMMARY` comment of a block (lines of the block).
    static func expectations(_ block: DocBlock) -> [String] {
        let bytes = Array(block.source.utf8)
        let lines = block.source.split(separator: "\n", omittingEmptySubsequences: false)
        var expected: [String] = []
        for comment in Parser.parse(bytes: bytes, file: path).program.comments {
            let text = comment.text.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("error: ") else { continue }
            var line = comment.range.start.line
            let before = lines[line - 1].prefix(comment.range.start.column - 1)
            if before.allSatisfy({ $0 == " " || $0 == "\t" }) {
                line += 1
                while line <= lines.count && lines[line - 1].trimmingCharacters(in: .whitespaces).hasPrefix("#") { line += 1 }
            }
            expected.append("\(line): \(text.dropFirst("error: ".count))")
        }
        return expected.sorted()
    }

    /// The errors of a block, parse and check alike (the checker runs on the partial program).
    static func errors(_ block: DocBlock) -> [String] {
        let parsed = Parser.parse(bytes: Array(block.source.utf8), file: path)
        let diagnostics = parsed.diagnostics + Checker.check(parsed.program).diagnostics
        return diagnostics.filter(\.isError).map { "\($0.range.start.line): \($0.summary)" }.sorted()
    }
}

struct LanguageDocTests {
    @Test func thePageHasItsExamples() {
        let blocks = LanguageDoc.blocks
        #expect(blocks.filter { !$0.isErrorExample }.count >= 30)
        #expect(blocks.filter(\.isErrorExample).count >= 15)
        // A misspelt tag would silently skip a block.
        #expect(blocks.allSatisfy { $0.tag == "keyflow" || $0.tag == "keyflow-error" }, "\(blocks.map(\.tag))")
    }

    @Test(arguments: LanguageDoc.blocks.filter { !$0.isErrorExample })
    func exampleChecksClean(block: DocBlock) {
        #expect(LanguageDoc.expectations(block).isEmpty, "a ```keyflow block states an error: tag it ```keyflow-error")
        let (program, diagnostics) = compile(source: block.source, file: LanguageDoc.path)
        #expect(diagnostics.isEmpty, "\(DiagnosticRenderer(sources: [LanguageDoc.path: Array(block.source.utf8)]).render(diagnostics))")
        #expect(program != nil)
    }

    @Test(arguments: LanguageDoc.blocks.filter(\.isErrorExample))
    func errorExampleGivesItsDiagnostic(block: DocBlock) {
        let expected = LanguageDoc.expectations(block)
        #expect(!expected.isEmpty, "a ```keyflow-error block must state its error in a `# error: …` comment")
        #expect(LanguageDoc.errors(block) == expected)
    }

    /// The harness itself: a broken ```keyflow block and a wrong expectation are caught.
    @Test func brokenBlocksAreCaught() throws {
        let page = """
            Text.

            ```keyflow
            ensure "x" scopes [databses.read]
            ```

            ```
            keyflow run x.kf
            ```

            ```keyflow-error
            print 1h30 # error: unterminated string
            ```
            """
        let blocks = LanguageDoc.blocks(in: page)
        try #require(blocks.count == 2)
        #expect(blocks[0].line == 4 && blocks[1].line == 12)
        let (program, diagnostics) = compile(source: blocks[0].source, file: "page.md")
        #expect(program == nil)
        #expect(diagnostics.map(\.summary) == ["unknown scope databses.read — did you mean databases.read?"])
        #expect(LanguageDoc.expectations(blocks[1]) == ["1: unterminated string"])
        #expect(LanguageDoc.errors(blocks[1]) == ["1: invalid number or duration"])
    }
}
