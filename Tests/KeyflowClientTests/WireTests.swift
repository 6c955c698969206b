import Foundation
import KeyflowBasics
import Testing

@testable import KeyflowClient

struct WireDateTests {
    static let instant = Date(timeIntervalSince1970: 1_893_456_000)  // 2030-01-01T00:00:00Z

    @Test(arguments: [
        "2030-01-01T00:00:00.000+00:00", "2030-01-01 00:00:00.000", "2030-01-01T00:00:00Z",
        "2030-01-01T00:00:00.000000Z", "2030-01-01", "2030-01-01T02:00:00.000+02:00",
        "2029-12-31T19:00:00-05:00", "2030-01-01T00:00:00+0000", "2030-01-01T00:00",
    ])
    func parsesLeniently(_ text: String) {
        #expect(WireDate.parse(text) == Self.instant, "\(text)")
    }

    @Test func keepsFractions() {
        #expect(WireDate.parse("2030-01-01T00:00:00.250+00:00") == Self.instant + 0.25)
        #expect(WireDate.parse("2030-01-01 00:00:00.123456")!.timeIntervalSince(Self.instant) - 0.123456 < 1e-6)
    }

    @Test(arguments: ["", "never", "2030-13-01", "2030-02-30", "2030-01-01T", "2030-01-01T00:00:00+", "2030-01-01T00:00:00.Z", "2030-01-01T00:00:00 junk"])
    func rejectsGarbage(_ text: String) {
        #expect(WireDate.parse(text) == nil, "\(text)")
    }

    @Test func formatsAsTheServerDoes() {
        #expect(WireDate.format(Self.instant) == "2030-01-01T00:00:00.000+00:00")
        #expect(WireDate.format(Date(timeIntervalSince1970: 951_782_400.5)) == "2000-02-29T00:00:00.500+00:00")
        #expect(WireDate.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000+00:00")
        for seconds in stride(from: -2_000_000_000.0, to: 4_000_000_000, by: 123_456_789.0) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(WireDate.parse(WireDate.format(date)) == date)
        }
    }
}

struct WireEncodingTests {
    @Test func queriesAsCompactJSON() {
        #expect(KeyQuery.limit(25).wireJSON == #"{"method":"limit","values":[25]}"#)
        #expect(KeyQuery.orderDesc("$createdAt").wireJSON == #"{"method":"orderDesc","attribute":"$createdAt"}"#)
        #expect(KeyQuery.equal("name", ["a", "b"]).wireJSON == #"{"method":"equal","attribute":"name","values":["a","b"]}"#)
        #expect(KeyQuery.lessThan("expire", "2026-11-01T00:00:00.000+00:00").wireJSON
            == #"{"method":"lessThan","attribute":"expire","values":["2026-11-01T00:00:00.000+00:00"]}"#)
        #expect(KeyQuery.startsWith("name", "tenant-").wireJSON == #"{"method":"startsWith","attribute":"name","values":["tenant-"]}"#)
        #expect(KeyQuery.equal("name", ["é \"q\"\n"]).wireJSON == #"{"method":"equal","attribute":"name","values":["\u00e9 \"q\"\n"]}"#)
    }

    @Test func listParametersEncodedLikeTheSDK() {
        let query = FormEncoding.query(FormEncoding.listParameters(queries: [.limit(2), .equal("name", ["a b"])], total: false))
        #expect(query == "queries%5B0%5D=%7B%22method%22%3A%22limit%22%2C%22values%22%3A%5B2%5D%7D&queries%5B1%5D=%7B%22method%22%3A%22equal%22%2C%22attribute%22%3A%22name%22%2C%22values%22%3A%5B%22a+b%22%5D%7D&total=false")
        #expect(FormEncoding.query(FormEncoding.listParameters(queries: [], total: true)) == "")
    }

    @Test func bodiesInSDKOrder() {
        let fields = KeyFields(name: "n", scopes: ["a"], expire: .at(WireDateTests.instant), description: "d")
        #expect(fields.body(keyId: "id").encoded(.python) == #"{"keyId":"id","name":"n","scopes":["a"],"expire":"2030-01-01T00:00:00.000+00:00","description":"d"}"#)
        #expect(KeyFields(name: "n", scopes: []).body(keyId: nil).encoded(.python) == #"{"name":"n","scopes":[]}"#)
    }

    @Test func keyDecodingIsLenient() throws {
        let body = #"{"$id":"k","$createdAt":"2026-10-24 09:00:00.000","name":"N","expire":"","scopes":["a"],"secret":"standard_x","accessedAt":"","sdks":["python"],"extra":1}"#
        let key = try WireModel.key(HTTPResponse(status: 200, headers: [], body: Array(body.utf8)))
        #expect(key.expire == .never)
        #expect(key.accessedAt == nil)
        #expect(key.description == "")
        #expect(key.updatedAt == key.createdAt)
        #expect(key.sdks == ["python"])
        let bad = #"{"$id":"k","expire":"soon","scopes":[],"secret":"s"}"#
        #expect(throws: APIError.malformedResponse(status: 200, detail: "key field expire is not a date: soon")) {
            try WireModel.key(HTTPResponse(status: 200, headers: [], body: Array(bad.utf8)))
        }
    }

    @Test func keyListsReadByteForByte() throws {
        // Escapes, non-ASCII, a surrogate pair, unknown nested fields, total as a float.
        let name = "Tab\tquote\" slash/ back\\ é 😀 \u{1}"
        let escapedName = #"Tab\tquote\" slash\/ back\\ \u00e9 \ud83d\ude00 \u0001"#
        let body = #"{"total":2.0,"keys":[{"$id":"a","name":""# + escapedName
            + #"","scopes":["x","y"],"secret":"standard_1","expire":null,"extra":{"n":[1,2.5e3,true,false,null]}},"#
            + #" {"$id":"b","scopes":[],"secret":"standard_2","name":"B"} ], "more": "ignored"}"#
        let list = try WireModel.keyList(HTTPResponse(status: 200, headers: [], body: Array(body.utf8)))
        #expect(list.total == 2)
        #expect(list.keys.map(\.id) == ["a", "b"])
        #expect(list.keys[0].name == name)
        #expect(list.keys[0].scopes == ["x", "y"])
        #expect(list.keys[0].expire == .never)
        #expect(list.keys[1].secret.reveal() == "standard_2")
        // The same name through JSONSerialization, as a cross-check of the escapes.
        let reference = try JSONSerialization.jsonObject(with: Data((#"[""# + escapedName + #""]"#).utf8)) as? [String]
        #expect(reference?.first == name)

        for broken in [
            #"{"total":1,"keys":[{"$id":"a","scopes":[],"secret":"s"}]"#,  // unterminated
            #"{"total":1,"keys":[{"$id":"a","scopes":[],"secret":"standard_12"#,  // a string that runs to the end
            #"{"total":1,"keys":[{"$id":"a","scopes":[],"secret":"s"}]} x"#,  // trailing bytes
            #"{"total":1,"keys":[{"$id":"a\q","scopes":[],"secret":"s"}]}"#,  // bad escape
            #"{"total":1,"keys":[{"$id":"a\ud83d","scopes":[],"secret":"s"}]}"#,  // lone surrogate
            "{\"total\":1,\"keys\":[{\"$id\":\"a\u{1}\",\"scopes\":[],\"secret\":\"s\"}]}",  // raw control byte
            #"{"total":1.5,"keys":[]}"#,  // fractional total
            #"{"total":1,"keys":[{"$id":"a","scopes":[],"secret":"s",}]}"#,  // trailing comma
        ] {
            #expect(throws: APIError.self, "\(broken)") {
                try WireModel.keyList(HTTPResponse(status: 200, headers: [], body: Array(broken.utf8)))
            }
        }
    }

    @Test func errorBodies() {
        let json = #"{"message":"Key not found.","code":404,"type":"key_not_found","version":"1.9.6"}"#
        #expect(WireModel.error(HTTPResponse(status: 404, headers: [], body: Array(json.utf8)))
            == .server(status: 404, type: "key_not_found", message: "Key not found."))
        #expect(WireModel.error(HTTPResponse(status: 502, headers: [], body: Array("<html>Bad gateway</html>\n".utf8)))
            == .server(status: 502, type: "unknown", message: "<html>Bad gateway</html>"))
        #expect(WireModel.error(HTTPResponse(status: 500, headers: [], body: []))
            == .server(status: 500, type: "unknown", message: "HTTP 500 with no error body"))
    }

    @Test func retryAfterAndBackoff() {
        #expect(RetryPolicy.retryAfter("2") == .seconds(2))
        #expect(RetryPolicy.retryAfter("Wed, 21 Oct 2015 07:28:10 GMT", now: Date(timeIntervalSince1970: 1_445_412_480)) == .seconds(10))
        #expect(RetryPolicy.retryAfter("soon") == nil)
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxRetryAfter: .seconds(5))
        for attempt in 1...8 {
            let delay = policy.delay(afterAttempt: attempt, retryAfter: nil)
            #expect(delay >= .zero && delay <= min(.seconds(1), .milliseconds(100 * (1 << (attempt - 1)))))
        }
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(30)) == .seconds(5))
    }

    @Test func sessionCookie() {
        let response = HTTPResponse(status: 201, headers: [
            HTTPHeader(name: "Set-Cookie", value: "a_session_console_legacy=zzz; path=/"),
            HTTPHeader(name: "set-cookie", value: "a_session_console=abc; expires=Thu, 01 Jan 2030 00:00:00 GMT; path=/; httponly"),
        ], body: [])
        #expect(SessionCookie.find(in: response)?.reveal() == "abc")
        let fallback = HTTPResponse(status: 201, headers: [HTTPHeader(name: "X-Fallback-Cookies", value: #"{"a_session_console":"fb"}"#)], body: [])
        #expect(SessionCookie.find(in: fallback)?.reveal() == "fb")
    }

    @Test func secretsStayRedacted() {
        let error = APIError.noCredential("x")
        #expect(!"\(Credentials(apiKey: Secret("standard_abc"), session: Secret("s3cret")))".contains("standard_abc"))
        #expect(!"\(Credentials(apiKey: Secret("standard_abc"), session: Secret("s3cret")))".contains("s3cret"))
        #expect("\(error)" == "x")
    }
}

struct TargetTests {
    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keyflow-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func flagsBeatEnvironmentBeatScript() throws {
        let dir = try temporaryDirectory()
        let keyFile = dir + "/key"
        try "  standard_fromfile \n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        let environment = ["APPWRITE_ENDPOINT": "https://env.example/v1", "APPWRITE_PROJECT_ID": "envproj",
                           "APPWRITE_API_KEY": "standard_fromenv", "XDG_CONFIG_HOME": dir]
        let script = ScriptTarget(endpoint: "https://script.example", project: "scriptproj")

        let flags = try #require(try TargetResolver(
            options: TargetOptions(endpoint: "https://flag.example/", project: "flagproj", keyFile: keyFile),
            environment: environment).resolve(script: script))
        #expect(flags.endpoint == "https://flag.example/v1")
        #expect(flags.project == "flagproj")
        #expect(flags.credentials.apiKey?.reveal() == "standard_fromfile")
        #expect(flags.apiKeySource == "--key-file \(keyFile)")

        let env = try #require(try TargetResolver(options: TargetOptions(), environment: environment).resolve(script: script))
        #expect(env.endpoint == "https://env.example/v1")
        #expect(env.project == "envproj")
        #expect(env.credentials.apiKey?.reveal() == "standard_fromenv")
        #expect(env.credentials.session == nil)

        let fromScript = try #require(try TargetResolver(options: TargetOptions(), environment: ["XDG_CONFIG_HOME": dir]).resolve(script: script))
        #expect(fromScript.endpoint == "https://script.example/v1")
        #expect(fromScript.project == "scriptproj")
        #expect(fromScript.credentials.isEmpty)

        #expect(try TargetResolver(options: TargetOptions(), environment: ["XDG_CONFIG_HOME": dir]).resolve() == nil)
    }

    @Test func problemsAreNamed() throws {
        let dir = try temporaryDirectory()
        #expect(throws: TargetError.noProject(endpoint: "https://x.example/v1")) {
            try TargetResolver(options: TargetOptions(endpoint: "https://x.example/v1"), environment: ["XDG_CONFIG_HOME": dir]).resolve()
        }
        #expect(throws: TargetError.keyFile(path: dir + "/none", reason: "does not exist")) {
            try TargetResolver(options: TargetOptions(endpoint: "https://x.example/v1", project: "p", keyFile: dir + "/none"), environment: ["XDG_CONFIG_HOME": dir]).resolve()
        }
        #expect(throws: TargetError.badEndpoint("endpoint ftp://x must start with http:// or https:// (from APPWRITE_ENDPOINT)")) {
            try TargetResolver(options: TargetOptions(), environment: ["APPWRITE_ENDPOINT": "ftp://x"]).resolve()
        }
    }

    @Test func storedSessionsPerEndpoint() throws {
        let dir = try temporaryDirectory()
        let store = SessionStore.standard(environment: ["XDG_CONFIG_HOME": dir])
        #expect(store.directory == dir + "/keyflow")
        try store.save(session: Secret("s-one"), email: "a@b.c", for: "https://one.example/v1/")
        try store.save(session: Secret("s-two"), email: "d@e.f", for: "https://two.example")
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try store.entry(for: "https://one.example/v1")?.session.reveal() == "s-one")
        #expect(try store.entry(for: "https://two.example/v1")?.email == "d@e.f")

        let resolved = try #require(try TargetResolver(options: TargetOptions(endpoint: "https://one.example/v1", project: "p"), environment: ["XDG_CONFIG_HOME": dir]).resolve())
        #expect(resolved.credentials.session?.reveal() == "s-one")
        #expect(resolved.sessionSource == "stored login (\(store.path))")
        let overridden = try #require(try TargetResolver(options: TargetOptions(endpoint: "https://one.example/v1", project: "p"), environment: ["XDG_CONFIG_HOME": dir, "APPWRITE_SESSION": "s-env"]).resolve())
        #expect(overridden.credentials.session?.reveal() == "s-env")

        #expect(try store.remove(for: "https://one.example/v1"))
        #expect(try !store.remove(for: "https://one.example/v1"))
        #expect(try store.entry(for: "https://one.example/v1") == nil)
        #expect(try store.endpoints() == ["https://two.example/v1"])

        try "not json".write(toFile: store.path, atomically: true, encoding: .utf8)
        #expect(throws: TargetError.sessionStore(path: store.path, reason: "is not a keyflow session file")) { try store.entry(for: "https://x") }
    }
}
