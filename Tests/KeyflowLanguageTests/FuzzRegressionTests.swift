import Foundation
import KeyflowLanguage
import KeyflowTestSupport
import Testing

/// Every input the fuzzers found (Tests/FuzzRegressions/frontend and format, see
/// docs/fuzzing.md), given to the same functions the fuzz targets call. A hang here hangs
/// the test; HostileInputCLITests runs the front-end findings through `keyflow check` with
/// a time limit checked from outside.
@Suite struct FuzzRegressionTests {
    static func findings(_ target: String) -> [(String, [UInt8])] {
        let folder = TestPaths.packageRoot.appendingPathComponent("Tests/FuzzRegressions/\(target)").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().compactMap { name in FileManager.default.contents(atPath: folder + "/" + name).map { (name, Array($0)) } }
    }

    @Test func frontEndFindings() {
        let findings = Self.findings("frontend")
        #expect(!findings.isEmpty)
        for (_, bytes) in findings { FrontEndInvariants.frontEnd(bytes) }
    }

    @Test func formatterFindingsKeepTheFormattersContract() {
        for (name, bytes) in Self.findings("format") + Self.findings("frontend") {
            #expect(FrontEndInvariants.formatViolation(bytes) == nil, "\(name)")
        }
    }

    /// The first finding: a `}` that closes no block, after an error, stopped error
    /// recovery from moving on (`keyflow check` looped forever).
    @Test func aStrayClosingBraceIsReportedOnce() {
        let r = Parser.parse(source: "in x\n}\nprint 1\n}\n", file: "t.kf")
        #expect(r.diagnostics.map(\.id).prefix(2) == ["expected", "expected-statement"])
        #expect(r.diagnostics[1].summary == "expected a statement, found `}`")
        #expect(r.program.statements.count == 1)  // the `print 1` after it
    }

    @Test func aGarbledFileGetsAtMostTheLimitOfDiagnostics() {
        let source = String(repeating: "}\n", count: 5000)
        let (_, diagnostics) = compile(source: source, file: "t.kf")
        #expect(diagnostics.count == Diagnostic.limit + 1)
        #expect(diagnostics.last?.id == "too-many-diagnostics")
        #expect(diagnostics.last?.summary == "4900 more diagnostics (4900 errors) not shown")
    }
}
