import Foundation
import KeyflowLanguage
import KeyflowTestSupport
import Testing

/// Every example playbook compiles (they run end to end in KeyflowCLITests/RuntimeCLITests).
@Suite struct ExampleCompileTests {
    @Test func everyExampleCompiles() throws {
        let dir = TestPaths.packageRoot.appendingPathComponent("examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".kf") }.sorted()
        #expect(files == ["ci-keys.kf", "fleet.kf", "onboard.kf", "org-ci.kf", "rotate.kf", "sweep.kf", "tenants.kf"])
        for f in files {
            let source = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            let (program, diagnostics) = compile(source: source, file: f)
            #expect(program != nil, "\(f): \(diagnostics.map { "\($0.range.start): \($0.summary)" })")
        }
    }
}
