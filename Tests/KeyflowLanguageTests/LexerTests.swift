import Testing
@testable import KeyflowLanguage

/// Table tests over the token text dump (kind(payload) range).
struct LexerTests {
    func dump(_ source: String) -> String {
        Lexer.tokenize(source).tokens.map(\.dump).joined(separator: " | ")
    }

    func kinds(_ source: String) -> String {
        Lexer.tokenize(source).tokens.map { t -> String in
            switch t.payload {
            case .none: t.kind.dumpName
            default: String(t.dump.split(separator: " ").first!)
            }
        }.joined(separator: " ")
    }

    @Test(arguments: [
        ("let x = 3", "let identifier(x) = int(3) end of input"),
        ("90s 15m 1h30m 7d 2w", "duration(90s) duration(900s) duration(5400s) duration(604800s) duration(1209600s) end of input"),
        ("2026-12-31", "timestamp(1798675200) end of input"),
        ("2026-12-31T23:59:59Z", "timestamp(1798761599) end of input"),
        ("2026-12-31T23:59:59.5+01:00", "timestamp(1798757999.500000000) end of input"),
        ("a == b != c < d <= e > f >= g ~ h", "identifier(a) == identifier(b) != identifier(c) < identifier(d) <= identifier(e) > identifier(f) >= identifier(g) ~ identifier(h) end of input"),
        ("databases.read users.* *", "identifier(databases) . identifier(read) identifier(users) . * * end of input"),
        ("\"a\\n\\t\\\"\\\\\\u{1F511}\"", "string(\"a\\n\\t\\\"\\\\🔑\") end of input"),
        ("\"svc-${name}!\"", "string(\"svc-\"${7..<11}\"!\") end of input"),
        ("x # comment\ny", "identifier(x) newline identifier(y) end of input"),
        ("f(a,\n b)", "identifier(f) ( identifier(a) , identifier(b) ) end of input"),
        ("[a,\n b]", "[ identifier(a) , identifier(b) ] end of input"),
        ("x and\ny", "identifier(x) and identifier(y) end of input"),
        ("ensure \"a\"\n  scopes [x]\n  expire in 1d", "ensure string(\"a\") scopes [ identifier(x) ] expire in duration(86400s) end of input"),
        ("rotate k\n  # why\n  secret to stdout", "rotate identifier(k) secret to stdout end of input"),
        ("show k\nsecret k to stdout", "show identifier(k) newline secret identifier(k) to stdout end of input"),
        ("a; b", "identifier(a) ; identifier(b) end of input"),
        ("\n\n x \n\n", "identifier(x) newline end of input"),
    ])
    func tokens(source: String, expected: String) {
        #expect(kinds(source) == expected)
    }

    @Test func rangesCarryLineColumnAndOffset() {
        #expect(dump("let x\n  = 3") == "let 1:1-1:4 | identifier(x) 1:5-1:6 | newline 1:6-1:7 | = 2:3-2:4 | int(3) 2:5-2:6 | end of input 2:6-2:6")
        let t = Lexer.tokenize("a\n  bc").tokens[2]
        #expect(t.range.start.offset == 4 && t.range.length == 2 && t.range.file == "<input>")
    }

    @Test(arguments: [
        ("\"abc", "unterminated-string"),
        ("\"abc\nx", "unterminated-string"),
        ("\"a ${b\"", "unterminated-interpolation"),
        ("\"\\q\"", "bad-escape"),
        ("\"\\u{110000}\"", "bad-escape"),
        ("\"\\u{}\"", "bad-escape"),
        ("12ab", "invalid-number"),
        ("1h30", "invalid-number"),
        ("99999999999999999999", "number-too-large"),
        ("2026-13-01", "invalid-timestamp"),
        ("2026-02-30", "invalid-timestamp"),
        ("2026-01-01T25:00:00Z", "invalid-timestamp"),
        ("a ! b", "unexpected-character"),
        ("a @ b", "unexpected-character"),
        ("a \u{0} b", "unexpected-character"),
        ("é", "unexpected-character"),
    ])
    func lexicalErrors(source: String, id: String) {
        let d = Lexer.tokenize(source).diagnostics
        #expect(d.map(\.id) == [id], "\(source)")
    }

    @Test func invalidUTF8IsDiagnosed() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x23, 0xC3, 0x28], [0x78, 0x20, 0xFE]] {
            var lexer = Lexer(bytes: bytes, file: "f")
            while lexer.next().kind != .eof {}
            #expect(lexer.diagnostics.map(\.id) == ["invalid-utf8"], "\(bytes)")
        }
    }
}
