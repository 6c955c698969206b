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

    @Test func jsonIsTheDiagnosticEventWithItsSource() {
        let (_, diagnostics) = compile(source: "print nope", file: "t.kf")
        let json = diagnostics[0].jsonEvent.encoded()
        #expect(json == #"{"event":"diagnostic","help":"define it first with `let nope = ...` or `param nope`","id":"undefined-name","message":"undefined name `nope`","severity":"error","source":{"column":7,"end_column":11,"end_line":1,"file":"t.kf","line":1}}"#)
        let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(parsed?["id"] as? String == "undefined-name")
        // A problem of the command line has no source.
        let usage = Diagnostic(id: "usage", summary: "bad", range: .commandLine).jsonEvent.encoded()
        #expect(usage == #"{"event":"diagnostic","id":"usage","message":"bad","severity":"error"}"#)
    }

    @Test func githubAnnotationsEscapeDataAndProperties() {
        #expect(GitHubAnnotation.escapeData("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b")
        #expect(GitHubAnnotation.escapeProperty("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae")
        let (_, diagnostics) = compile(source: "print nope", file: "dir,x/t:1.kf")
        #expect(diagnostics[0].githubAnnotation == "::error file=dir%2Cx/t%3A1.kf,line=1,col=7,endLine=1,endColumn=11,title=keyflow undefined-name::undefined name `nope`%0Ahelp: define it first with `let nope = ...` or `param nope`")
        let warning = Diagnostic(.warning, id: "w", summary: "50% off", range: .commandLine)
        #expect(warning.githubAnnotation == "::warning title=keyflow w::50%25 off")
    }

    @Test func controlCharactersAreNotPrintedRaw() {
        let source = "print \u{1}"
        let (_, diagnostics) = compile(source: source, file: "t.kf")
        let text = DiagnosticRenderer(sources: ["t.kf": Array(source.utf8)]).render(diagnostics)
        #expect(!text.unicodeScalars.contains { $0.value == 1 })
        #expect(text.contains("\u{FFFD}"))
    }
}
