import Testing

@testable import KeyflowSandbox

/// The sandbox's small parsers and formatters, in table tests.
@Suite struct PartsTests {
    @Test(arguments: [
        ("2030-01-01T00:00:00.000+00:00", "2030-01-01T00:00:00.000+00:00"),
        ("2026-12-31", "2026-12-31T00:00:00.000+00:00"),
        ("2030-01-01 02:00:00+02:00", "2030-01-01T00:00:00.000+00:00"),
        ("2030-01-01T00:00Z", "2030-01-01T00:00:00.000+00:00"),
        ("2030-06-15T12:34:56.789123Z", "2030-06-15T12:34:56.789+00:00"),
        ("2030-06-15T12:34:56-0130", "2030-06-15T14:04:56.000+00:00"),
        ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000+00:00"),
        ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999+00:00"),
        ("2024-02-29", "2024-02-29T00:00:00.000+00:00"),
    ])
    func timestampsRoundTrip(_ input: String, _ output: String) throws {
        let ms = try #require(Timestamps.parse(input))
        #expect(Timestamps.format(ms) == output)
    }

    @Test(arguments: ["", "tomorrow", "2030-13-01", "2023-02-29", "2030-01-01T25:00:00Z", "30-01-01", "2030-01-01T00:00:00+15:00", "2030-01-01Tgarbage"])
    func timestampsRejected(_ input: String) {
        #expect(Timestamps.parse(input) == nil)
    }

    @Test func queryStringBothArrayEncodingsAndDecoding() {
        let q = QueryString("queries%5B%5D=a%20b&queries%5B%5D=c+d&total=false&x%5B1%5D=one&x[0]=zero&plain=%2B")
        #expect(q.array("queries") == ["a b", "c d"])
        #expect(q.array("x") == ["one", "zero"])
        #expect(q["total"] == "false")
        #expect(q["plain"] == "+")
        #expect(QueryString("queries=solo").array("queries") == ["solo"])
        #expect(QueryString.decode("%zz%4") == "%zz%4")
    }

    @Test(arguments: [
        (#"{"method":"select","values":["name"]}"#, "Query method not valid: select"),
        (#"{"method":"bogus"}"#, "Invalid query method: bogus"),
        (#"{"method":"equal","attribute":"secret","values":["x"]}"#, "Attribute not found in schema: secret"),
        (#"{"method":"equal","attribute":"scopes","values":["x"]}"#, "because it is an array"),
        (#"{"method":"limit","values":[0]}"#, "Invalid limit"),
        (#"{"method":"offset","values":[-1]}"#, "Invalid offset"),
        (#"{"method":"lessThan","attribute":"expire","values":["soon"]}"#, "Query value is invalid"),
        (#"not json"#, "Syntax error"),
    ])
    func badQueries(_ query: String, _ message: String) {
        do {
            _ = try ListQuery.parse([query])
            Issue.record("accepted \(query)")
        } catch {
            #expect(error.type == "general_argument_invalid")
            #expect(error.message.hasPrefix("Invalid `queries` param: Invalid query: "))
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func uidRules() {
        for good in ["a", "A.b-c_d", String(repeating: "x", count: 36), "9lives"] { #expect(Validation.isValidUID(good)) }
        for bad in ["", "_a", ".a", "-a", "$a", "a b", "é", String(repeating: "x", count: 37)] { #expect(!Validation.isValidUID(bad)) }
    }

    @Test func ephemeralTokensVerifyOnlyTheirOwnUnexpiredSignature() {
        let tokens = EphemeralTokens(secretHex: String(repeating: "ab", count: 32))
        let other = EphemeralTokens(secretHex: String(repeating: "cd", count: 32))
        let claims = EphemeralTokens.Claims(projectID: "p", scopes: ["keys.read"], expiresAt: 2_000)
        let token = tokens.mint(claims)
        #expect(tokens.verify(token, nowSeconds: 1_999) == claims)
        #expect(tokens.verify(token, nowSeconds: 2_000) == nil)
        #expect(other.verify(token, nowSeconds: 1_000) == nil)
        #expect(tokens.verify(token + "x", nowSeconds: 1_000) == nil)
    }
}
