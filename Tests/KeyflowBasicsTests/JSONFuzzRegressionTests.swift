import Foundation
import KeyflowBasics
import Testing

/// Every input the `json` fuzz target found (Tests/FuzzRegressions/json, docs/fuzzing.md),
/// given to the function the target calls; and its property on a few hand-made inputs.
@Suite struct JSONFuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzRegressions/json").path

    @Test func everyFinding() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Self.folder)) ?? []
        for name in names.sorted() {
            let bytes = Array(FileManager.default.contents(atPath: Self.folder + "/" + name) ?? Data())
            #expect(JSONInvariants.roundTripViolation(bytes) == nil, "\(name)")
        }
    }

    @Test func theRoundTripHoldsOnAwkwardValues() {
        for text in [#"{"a":[1,-0,1e308,"\ud83d\ude00","\u0000"],"b":{}}"#, #"[[[[[]]]]]"#, #""\/\\\"""#, "-9223372036854775808"] {
            #expect(JSONInvariants.roundTripViolation(Array(text.utf8)) == nil, "\(text)")
        }
    }
}
