import Foundation
import Testing

@testable import KeyflowRuntime

/// Bindings (a short list of recent ones over a shared dictionary) and `lines()` (bytes for
/// ASCII files, characters otherwise) behave as the plain forms they replace.
@Suite struct EnvironmentTests {
    @Test func bindingsShadowAndSurviveTheFlushToTheDictionary() {
        var env = Environment()
        for i in 0..<20 { env.bind("v\(i)", .int(i)) }
        env.bind("v3", .string("again"))  // rebinding an older one
        env.bind("v19", .int(190))  // rebinding a recent one
        #expect(env["v0"] == .int(0))
        #expect(env["v3"] == .string("again"))
        #expect(env["v18"] == .int(18))
        #expect(env["v19"] == .int(190))
        #expect(env["nope"] == nil)
        #expect(env.values.count == 20)
        #expect(env.values["v3"] == .string("again"))

        // A copy is independent: what one binds, the other does not see.
        var child = env
        child.bind("tenant", .string("t1"))
        child.bind("v0", .int(-1))
        #expect(child["tenant"] == .string("t1") && env["tenant"] == nil)
        #expect(child["v0"] == .int(-1) && env["v0"] == .int(0))
    }

    @Test func linesOfASCIIAndOfOtherText() {
        let ascii = "t1\r\n  t2 \t\n\n# comment\n\t#indented comment\n\u{0B}t3\u{0C}\nlast"
        #expect(Interpreter.lines(of: Data(ascii.utf8)) == ["t1", "t2", "t3", "last"])
        let unicode = "café\r\n  ключ \u{2028}x\u{85}y\u{00A0}\n# é\n"
        #expect(Interpreter.lines(of: Data(unicode.utf8)) == ["café", "ключ", "x", "y"])
        #expect(Interpreter.lines(of: Data()) == [])
        // The byte path agrees with the character path on every ASCII file.
        var mixed = ""
        for i in 0..<200 {
            let line: String = ["a\(i)", " b\(i) ", "#c", "", "\td\(i)\r"][i % 5]
            mixed += line + (i % 3 == 0 ? "\r\n" : "\n")
        }
        var viaCharacters: [String] = []
        for part in mixed.split(whereSeparator: { (c: Character) in c.isNewline }) {
            let trimmed = String(part).trimmingCharacters(in: CharacterSet.whitespaces)
            if !trimmed.isEmpty && !trimmed.hasPrefix("#") { viaCharacters.append(trimmed) }
        }
        #expect(Interpreter.lines(of: Data(mixed.utf8)) == viaCharacters)
    }
}
