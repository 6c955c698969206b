import Testing

@testable import KeyflowRuntime

/// `~` globs: `*` any run, `?` one character, whether matched over bytes (the fast path)
/// or over Unicode scalars (`?` against non-ASCII text).
@Suite struct GlobTests {
    @Test func asciiNames() {
        #expect(globMatch("tenant-*", "tenant-t0001"))
        #expect(!globMatch("tenant-*", "other-t0001"))
        #expect(globMatch("*-t000?", "tenant-t0001"))
        #expect(!globMatch("*-t000?", "tenant-t00012"))
        #expect(globMatch("*", ""))
        #expect(!globMatch("?", ""))
        #expect(globMatch("a*b*c", "a--b--c"))
        #expect(!globMatch("a*b*c", "a--c--b"))
    }

    @Test func nonAsciiTextAndPatterns() {
        #expect(globMatch("caf?", "café"), "? is one character, not one byte")
        #expect(!globMatch("caf??", "café"))
        #expect(globMatch("café-*", "café-eu"))
        #expect(globMatch("*é*", "résumé"))
        #expect(!globMatch("*é", "resume"))
        #expect(globMatch("clé ?", "clé x"))
        #expect(globMatch("ключ-*", "ключ-1") && !globMatch("ключ-?", "ключ-12"))
    }
}
