import Foundation
import KeyflowTestSupport
import Testing
@testable import KeyflowLanguage

/// Golden files for rendered diagnostics: grammar/golden/NAME.txt holds what
/// `keyflow check grammar/examples/errors/NAME.kf` prints. Re-record on purpose with
/// KEYFLOW_RECORD_GOLDEN=1 (which fails the run, see Golden).
struct DiagnosticRendererTests {
    func renderFile(_ relative: String) -> String {
        let bytes = readBytes(packageRoot.appendingPathComponent(relative).path)
        let parsed = Parser.parse(bytes: bytes, file: relative)
        let diagnostics = parsed.diagnostics + Checker.check(parsed.program).diagnostics
        return DiagnosticRenderer(sources: [relative: bytes]).render(diagnostics)
    }

    @Test(arguments: kfFiles("grammar/examples/errors").map { URL(fileURLWithPath: $0).lastPathComponent })
    func golden(name: String) throws {
        let rendered = renderFile("grammar/examples/errors/" + name)
        let golden = packageRoot.appendingPathComponent("grammar/golden/" + name.replacingOccurrences(of: ".kf", with: ".txt"))
        Golden.expect(rendered, file: golden)
    }

    @Test func textForm() {
        let source = "let x = 1\nensure \"a\" scopes [databses.read] expire in 1d\n"
        let (_, diagnostics) = compile(source: source, file: "t.kf")
        let text = DiagnosticRenderer(sources: ["t.kf": Array(source.utf8)]).render(diagnostics)
        #expect(text == """
            t.kf:2:20: error: unknown scope databses.read — did you mean databases.read?
             2 | ensure "a" scopes [databses.read] expire in 1d
               |                    ^^^^^^^^^^^^^

            """)
    }

    @Test func caretsAlignAfterTabsAndWideCharacters() {
        let source = "\tprint \"ünï\", nope"
        let (_, diagnostics) = compile(source: source, file: "t.kf")
        let text = DiagnosticRenderer(sources: ["t.kf": Array(source.utf8)]).render(diagnostics)
        let lines = text.split(separator: "\n")
        #expect(lines[2] == "   | \t             ^^^^")
    }

    @Test func longLinesAreCutAroundTheRange() {
        let source = "print \"" + String(repeating: "a", count: 5000) + "\", nope"
        let (_, diagnostics) = compile(source: source, file: "t.kf")
        let text = DiagnosticRenderer(sources: ["t.kf": Array(source.utf8)]).render(diagnostics)
        #expect(text.count < 400)
        let lines = text.split(separator: "\n")
        #expect(lines[1].hasPrefix(" 1 | …") && lines[1].hasSuffix("\", nope"))
        let caretColumn = lines[2].firstIndex(of: "^").map { lines[2].distance(from: lines[2].startIndex, to: $0) }
        let nopeColumn = lines[1].range(of: "nope").map { lines[1].distance(from: lines[1].startIndex, to: $0.lowerBound) }
        #expect(caretColumn == nopeColumn)
    }

    @Test func jsonHasRanges() {
        let (_, diagnostics) = compile(source: "print nope", file: "t.kf")
        let json = DiagnosticRenderer().json(diagnostics[0])
        #expect(json == #"{"type":"diagnostic","severity":"error","id":"undefined-name","summary":"undefined name `nope`","help":"define it first with `let nope = ...` or `param nope`","range":{"file":"t.kf","start":{"line":1,"column":7,"offset":6},"end":{"line":1,"column":11,"offset":10}},"notes":[]}"#)
        let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(parsed?["id"] as? String == "undefined-name")
    }

    @Test func controlCharactersAreNotPrintedRaw() {
        let source = "print \u{1}"
        let (_, diagnostics) = compile(source: source, file: "t.kf")
        let text = DiagnosticRenderer(sources: ["t.kf": Array(source.utf8)]).render(diagnostics)
        #expect(!text.unicodeScalars.contains { $0.value == 1 })
        #expect(text.contains("\u{FFFD}"))
    }
}
