import Foundation
import KeyflowBasics
import KeyflowTestSupport
import Testing

@testable import KeyflowClient

/// Named contexts: config.toml's format and permissions, and where they sit in the target's
/// precedence (flags → environment → context → the script's `use`).
struct ContextTests {
    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keyflow-contexts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes config.toml with the given mode.
    func writeConfig(_ text: String, in dir: String, mode: mode_t = 0o600) throws -> String {
        try FileManager.default.createDirectory(atPath: dir + "/keyflow", withIntermediateDirectories: true)
        let path = dir + "/keyflow/config.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    static let twoContexts = """
        current = "staging"

        [contexts.staging]
        endpoint = "https://staging.example.com"
        project = "shop-staging"
        api_key_env = "STAGING_KEY"

        [contexts.prod]
        endpoint = "https://cloud.example.com/v1"
        project = "shop"
        organization = "acme"
        organization_key_env = "PROD_ORG_KEY"
        """

    @Test func parsesContextsAndTheCurrentOne() throws {
        let config = try ContextConfig.parse(Self.twoContexts, path: "config.toml")
        #expect(config.current == "staging")
        #expect(config.names == ["prod", "staging"])
        let prod = try config.context("prod")
        #expect(prod.endpoint == "https://cloud.example.com/v1")
        #expect(prod.organization == "acme")
        #expect(prod.organizationKeyEnv == "PROD_ORG_KEY")
        #expect(prod.apiKeyEnv == nil)
        // What is written reads back the same.
        #expect(try ContextConfig.parse(config.encoded(), path: "config.toml") == config)
    }

    /// The example of docs/language.md §13 is a valid config.
    @Test func theDocumentedExampleParses() throws {
        let doc = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/language.md"), encoding: .utf8)
        let start = try #require(doc.range(of: "```toml\n"))
        let end = try #require(doc.range(of: "```", range: start.upperBound..<doc.endIndex))
        let config = try ContextConfig.parse(String(doc[start.upperBound..<end.lowerBound]), path: "docs/language.md")
        #expect(config.current == "staging")
        #expect(config.names == ["prod", "staging"])
        #expect(try config.context("prod").organizationKeyEnv == "ACME_ORG_KEY")
    }

    @Test func unknownContextsListTheKnownOnes() throws {
        let config = try ContextConfig.parse(Self.twoContexts, path: "config.toml")
        #expect(throws: ContextError.unknown(name: "qa", known: ["prod", "staging"])) { try config.context("qa") }
        #expect(ContextError.unknown(name: "qa", known: ["prod", "staging"]).description == #"no context "qa"; known contexts: prod, staging"#)
    }

    @Test(arguments: [
        ("[contexts.prod]\nendpoint = \"https://x/v1\"\nproject = \"p\"\napi_key = \"hunter2\"\n", "contexts.prod.api_key"),
        ("[contexts.prod]\nendpoint = \"https://x/v1\"\nproject = \"p\"\nsession = \"a1b2\"\n", "contexts.prod.session"),
        ("[contexts.prod]\nendpoint = \"https://x/v1\"\nproject = \"standard_0123456789abcdef\"\n", "contexts.prod.project"),
        ("[contexts.prod]\nendpoint = \"https://x/v1\"\nproject = \"p\"\norganization = \"\(String(repeating: "ab12", count: 20))\"\n", "contexts.prod.organization"),
        ("api_token = \"t\"\n", "api_token"),
    ])
    func inlineSecretsAreRefusedByKeyWithoutTheValue(text: String, key: String) throws {
        do {
            _ = try ContextConfig.parse(text, path: "config.toml")
            Issue.record("accepted an inline secret")
        } catch {
            #expect(error == .inlineSecret(path: "config.toml", key: key))
            #expect(error.description.contains(key))
            for secret in ["hunter2", "a1b2", "standard_0123456789abcdef", "ab12ab12"] {
                #expect(!error.description.contains(secret))
            }
        }
    }

    @Test func malformedConfigsNameTheProblem() throws {
        #expect(throws: ContextError.invalid(path: "c", key: "contexts.prod.project", reason: "is missing")) {
            try ContextConfig.parse("[contexts.prod]\nendpoint = \"https://x/v1\"\n", path: "c")
        }
        #expect(throws: ContextError.invalid(path: "c", key: "contexts.prod.colour", reason: "is not a known setting (endpoint, project, organization, api_key_env, api_key_file, organization_key_env, organization_key_file)")) {
            try ContextConfig.parse("[contexts.prod]\nendpoint = \"https://x/v1\"\nproject = \"p\"\ncolour = \"red\"\n", path: "c")
        }
        #expect(throws: ContextError.invalid(path: "c", key: "contexts.prod.api_key_env", reason: "and api_key_file are both set: give one")) {
            try ContextConfig.parse("[contexts.prod]\nendpoint = \"https://x/v1\"\nproject = \"p\"\napi_key_env = \"K\"\napi_key_file = \"/k\"\n", path: "c")
        }
        #expect(throws: ContextError.invalid(path: "c", key: "contexts.prod.api_key_env", reason: "must name an environment variable (letters, digits and _)")) {
            try ContextConfig.parse("[contexts.prod]\nendpoint = \"https://x/v1\"\nproject = \"p\"\napi_key_env = \"$KEY\"\n", path: "c")
        }
        do {
            _ = try ContextConfig.parse("current = \n", path: "c")
            Issue.record("accepted broken TOML")
        } catch {
            guard case .syntax(let path, _) = error else { Issue.record("\(error)"); return }
            #expect(path == "c")
        }
    }

    @Test func aFileOthersCanReadIsRefused() throws {
        let dir = try temporaryDirectory()
        let path = try writeConfig(Self.twoContexts, in: dir, mode: 0o644)
        let store = ContextStore.standard(environment: ["XDG_CONFIG_HOME": dir])
        #expect(store.path == path)
        #expect(throws: ContextError.permissions(path: path, mode: 0o644)) { try store.load() }
        #expect(ContextError.permissions(path: path, mode: 0o644).description.contains("chmod 600 \(path)"))
        // Resolution refuses too, with the same message.
        #expect(throws: TargetError.context(.permissions(path: path, mode: 0o644))) {
            try TargetResolver(options: TargetOptions(), environment: ["XDG_CONFIG_HOME": dir]).resolve()
        }
        chmod(path, 0o600)
        #expect(try store.load().current == "staging")
    }

    @Test func addUseRemoveWriteTheFile0600() throws {
        let dir = try temporaryDirectory()
        let store = ContextStore.standard(environment: ["XDG_CONFIG_HOME": dir])
        try store.add(Context(name: "staging", endpoint: "https://staging.example.com/v1", project: "s", apiKeyEnv: "STAGING_KEY"))
        try store.add(Context(name: "prod", endpoint: "https://cloud.example.com/v1", project: "p", apiKeyFile: "/etc/keyflow/prod-key"))
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(throws: ContextError.exists(name: "prod")) {
            try store.add(Context(name: "prod", endpoint: "https://x/v1", project: "p"))
        }
        #expect(throws: ContextError.badName("../x")) { try store.add(Context(name: "../x", endpoint: "https://x/v1", project: "p")) }
        #expect(throws: ContextError.inlineSecret(path: store.path, key: "contexts.qa.project")) {
            try store.add(Context(name: "qa", endpoint: "https://x/v1", project: "standard_abcdef0123456789"))
        }
        try store.use("prod")
        #expect(try store.load().current == "prod")
        #expect(throws: ContextError.unknown(name: "qa", known: ["prod", "staging"])) { try store.use("qa") }
        try store.remove("prod")
        let config = try store.load()
        #expect(config.current == nil)
        #expect(config.names == ["staging"])
        #expect(try String(contentsOfFile: store.path, encoding: .utf8).contains("api_key_env = \"STAGING_KEY\""))
    }

    /// Flags → environment → context → the script's `use`, each part on its own.
    @Test func precedenceFlagsEnvironmentContextScript() throws {
        let dir = try temporaryDirectory()
        let keyFile = dir + "/prod-key"
        try "standard_prodfile\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        _ = try writeConfig(
            Self.twoContexts + "\napi_key_file = \"\(keyFile)\"\n", in: dir)
        let script = ScriptTarget(endpoint: "https://script.example/v1", project: "scriptproj")
        let base = ["XDG_CONFIG_HOME": dir, "STAGING_KEY": "standard_staging", "PROD_ORG_KEY": "org-secret"]

        // The current context beats the script, and says it did.
        let current = try #require(try TargetResolver(options: TargetOptions(), environment: base).resolve(script: script))
        #expect(current.endpoint == "https://staging.example.com/v1")
        #expect(current.project == "shop-staging")
        #expect(current.context == "staging")
        #expect(current.contextSource == "current in \(dir)/keyflow/config.toml")
        #expect(current.endpointSource == #"context "staging""#)
        #expect(current.projectSource == #"context "staging""#)
        #expect(current.credentials.apiKey?.reveal() == "standard_staging")
        #expect(current.apiKeySource == #"context "staging" (api_key_env STAGING_KEY)"#)
        #expect(current.overrides == [
            #"warning: context "staging" overrides the script's `use` endpoint: https://staging.example.com/v1 instead of https://script.example/v1"#,
            #"warning: context "staging" overrides the script's `use` project: shop-staging instead of scriptproj"#,
        ])

        // KEYFLOW_CONTEXT beats current; --context beats KEYFLOW_CONTEXT.
        let env = try #require(try TargetResolver(options: TargetOptions(), environment: base.merging(["KEYFLOW_CONTEXT": "prod"]) { $1 }).resolve())
        #expect(env.context == "prod")
        #expect(env.contextSource == "KEYFLOW_CONTEXT")
        #expect(env.credentials.apiKey?.reveal() == "standard_prodfile")
        #expect(env.apiKeySource == #"context "prod" (api_key_file \#(keyFile))"#)
        #expect(env.credentials.organizationKey?.reveal() == "org-secret")
        #expect(env.credentials.organization == "acme")
        #expect(env.organizationSource == #"context "prod""#)
        let flag = try #require(try TargetResolver(
            options: TargetOptions(context: "staging"), environment: base.merging(["KEYFLOW_CONTEXT": "prod"]) { $1 }).resolve())
        #expect(flag.context == "staging")
        #expect(flag.contextSource == "--context")

        // The environment beats the context, part by part; flags beat both.
        let mixed = try #require(try TargetResolver(
            options: TargetOptions(project: "flagproj"),
            environment: base.merging(["APPWRITE_ENDPOINT": "https://env.example/v1", "APPWRITE_API_KEY": "standard_env"]) { $1 }
        ).resolve(script: script))
        #expect(mixed.endpoint == "https://env.example/v1")
        #expect(mixed.endpointSource == "APPWRITE_ENDPOINT")
        #expect(mixed.project == "flagproj")
        #expect(mixed.projectSource == "--project")
        #expect(mixed.credentials.apiKey?.reveal() == "standard_env")
        #expect(mixed.context == "staging")
        #expect(mixed.overrides == [
            "warning: APPWRITE_ENDPOINT overrides the script's `use` endpoint: https://env.example/v1 instead of https://script.example/v1",
            "warning: --project overrides the script's `use` project: flagproj instead of scriptproj",
        ])

        // Another endpoint never gets the context's credentials.
        let elsewhere = try #require(try TargetResolver(
            options: TargetOptions(endpoint: "https://elsewhere.example/v1"), environment: base).resolve())
        #expect(elsewhere.context == "staging" && elsewhere.project == "shop-staging")
        #expect(elsewhere.credentials.isEmpty && elsewhere.apiKeySource == nil)

        // A context's variable that is not set is an error naming it (not a silent fallback).
        #expect(throws: TargetError.contextCredential(context: "staging", reason: "takes its api key from STAGING_KEY (api_key_env), which is not set")) {
            try TargetResolver(options: TargetOptions(), environment: ["XDG_CONFIG_HOME": dir]).resolve()
        }
        // An unknown context, by flag or variable.
        #expect(throws: TargetError.context(.unknown(name: "qa", known: ["prod", "staging"]))) {
            try TargetResolver(options: TargetOptions(context: "qa"), environment: base).resolve()
        }
        #expect(throws: TargetError.context(.unknown(name: "qa", known: ["prod", "staging"]))) {
            try TargetResolver(options: TargetOptions(), environment: base.merging(["KEYFLOW_CONTEXT": "qa"]) { $1 }).resolve()
        }
    }

    @Test func withoutAConfigNothingChanges() throws {
        let dir = try temporaryDirectory()
        let script = ScriptTarget(endpoint: "https://script.example", project: "scriptproj")
        let resolved = try #require(try TargetResolver(options: TargetOptions(), environment: ["XDG_CONFIG_HOME": dir]).resolve(script: script))
        #expect(resolved.context == nil && resolved.contextSource == nil)
        #expect(resolved.overrides.isEmpty)
        #expect(try TargetResolver(options: TargetOptions(), environment: ["XDG_CONFIG_HOME": dir]).resolve() == nil)
        // The same value as the script's is no override.
        let same = try #require(try TargetResolver(options: TargetOptions(endpoint: "https://script.example/v1/"), environment: ["XDG_CONFIG_HOME": dir]).resolve(script: script))
        #expect(same.overrides.isEmpty)
    }

    @Test func aContextsStoredLoginIsUsedForItsEndpointOnly() throws {
        let dir = try temporaryDirectory()
        _ = try writeConfig(
            "[contexts.prod]\nendpoint = \"https://cloud.example.com/v1\"\nproject = \"p\"\n", in: dir)
        let store = SessionStore.standard(environment: ["XDG_CONFIG_HOME": dir])
        try store.save(session: Secret("s-endpoint"), email: "e@x", for: "https://cloud.example.com/v1")
        try store.save(session: Secret("s-context"), email: "c@x", context: "prod", endpoint: "https://cloud.example.com/v1")
        #expect(try store.entry(context: "prod")?.endpoint == "https://cloud.example.com/v1")

        let resolved = try #require(try TargetResolver(options: TargetOptions(context: "prod"), environment: ["XDG_CONFIG_HOME": dir]).resolve())
        #expect(resolved.credentials.session?.reveal() == "s-context")
        #expect(resolved.sessionSource == #"stored login for context "prod" (\#(store.path))"#)
        // Another endpoint (a flag's) never gets the context's session.
        let elsewhere = try #require(try TargetResolver(
            options: TargetOptions(endpoint: "https://other.example/v1", context: "prod"), environment: ["XDG_CONFIG_HOME": dir]).resolve())
        #expect(elsewhere.credentials.session == nil)
        // Without the context, the endpoint's own login, as before.
        let plain = try #require(try TargetResolver(
            options: TargetOptions(endpoint: "https://cloud.example.com/v1", project: "p"), environment: ["XDG_CONFIG_HOME": dir]).resolve())
        #expect(plain.credentials.session?.reveal() == "s-endpoint")
        #expect(try store.remove(context: "prod"))
        #expect(try store.entry(for: "https://cloud.example.com/v1") != nil)
    }
}
