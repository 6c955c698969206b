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

/// The reader takes numbers only as RFC 8259 spells them (the fuzzer's first JSON finding:
/// `.0e1` was read as 0.0).
@Suite struct JSONNumberGrammarTests {
    @Test(arguments: [".0e1", "01", "1.", "+1", "-", "1e", "1e+", "--1", "1.e5", "-.5", "0x10"])
    func notNumbers(text: String) {
        #expect(JSONValue.parse("[\(text)]") == nil, "\(text)")
    }

    @Test func numbers() {
        #expect(JSONValue.parse("[0, -0, 12, -3.25, 1e3, 1E-2, 6.02e+23, 0.5]") == .array([
            .integer(0), .integer(0), .integer(12), .number(-3.25), .number(1000), .number(0.01), .number(6.02e23), .number(0.5),
        ]))
    }
}
