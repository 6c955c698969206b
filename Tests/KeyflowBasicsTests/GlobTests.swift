import KeyflowBasics
import KeyflowLanguage
import KeyflowRuntime
import Testing

/// Globs: `*` any run, `?` one character, whether matched over bytes (the fast path)
/// or over Unicode scalars (`?` against non-ASCII text). One rule for `~`, for the
/// checker's scope patterns and for the runtime's expansion of them.
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

    @Test func starsInTheTextAreMatchedByStarsInThePattern() {
        #expect(globMatch("a*", "a*b"))
        #expect(globMatch("*.*", "users.read") && !globMatch("*.*", "users"))
        #expect(globMatch("users.*", "users.read") && !globMatch("users.*", "teams.read") && globMatch("*", "x"))
    }

    /// The checker accepts a scope pattern exactly when the runtime expands it to at least
    /// one scope, and both expand it the same way. (Scope patterns have no `?` in the
    /// grammar; `~` has, and uses the same function.)
    @Test(arguments: ["*", "users.*", "*.read", "databases.*", "nothing.*", "users.*.x", "*.*"])
    func checkerAndRuntimeAgree(_ pattern: String) {
        let parsed = Parser.parse(source: "ensure \"a\" scopes [\(pattern)]", file: "g.kf")
        let checked = Checker.check(parsed.program, options: CheckOptions())
        let expanded = ScopeSet.expand(pattern)
        let accepted = parsed.diagnostics.isEmpty && checked.diagnostics.isEmpty
        #expect(accepted == !expanded.isEmpty, "\(pattern): \(parsed.diagnostics.map(\.summary)) \(checked.diagnostics.map(\.summary))")
        #expect(expanded == ScopeCatalogue.all.filter { globMatch(pattern, $0) })
    }
}
