import KeyflowBasics

/// The sandbox's parsing of what a client sends, on any bytes: the request fuzzer
/// (Tests/Fuzz/Request.swift) calls it on every generated input and the regression tests on
/// every input a fuzzer ever found (docs/fuzzing.md). Nothing here touches the server, the
/// storage or the network; whatever the input, it must return quickly and never crash.
enum RequestInvariants {
    /// The input is three parts separated by the first two newlines: a raw query string,
    /// a key or cookie header, and a body. Returns a number that depends on every result,
    /// so that none of the work can be optimised away.
    @discardableResult
    static func parse(_ bytes: [UInt8]) -> Int {
        let parts = bytes.split(separator: 0x0A, maxSplits: 2, omittingEmptySubsequences: false)
        let query = String(decoding: parts[0], as: UTF8.self)
        let header = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ""
        let body = parts.count > 2 ? Array(parts[2]) : []
        let request = APIRequest(method: "GET", path: "/v1/project/keys", query: query, keyHeader: header, cookieHeader: header, body: body)
        var result = 0
        do {
            let queries = try request.queries()
            let parsed = try ListQuery.parse(queries)
            result += parsed.filters.count + parsed.orders.count + (parsed.limit ?? 0)
        } catch {
            result += error.status
        }
        if let total = request.query["total"] { result += total.utf8.count }
        if let session = request.cookie("a_session_console") { result += session.utf8.count }
        if header.hasPrefix("ephemeral_"), let jwt = CompactJWT(String(header.dropFirst("ephemeral_".count))) {
            result += jwt.signature.count
            if let claims = EphemeralClaims(jwt) { result += claims.scopes.count }
        }
        do {
            if case .object(let members) = try request.jsonBody() { result += members.count }
        } catch {
            result += error.status
        }
        return result
    }
}
