import ArgumentParser
import Foundation
import KeyflowClient

/// `keyflow context list|show|use|add|remove`: the named contexts of config.toml
/// (KeyflowClient's `ContextStore`). Nothing here prints a secret.
struct ContextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "Manage named contexts: an endpoint, a project and where their credentials come from.",
        discussion: """
            Contexts live in $XDG_CONFIG_HOME/keyflow/config.toml (else ~/.config/keyflow/config.toml), \
            mode 0600. A context names its credentials (an environment variable, a file, or the session of \
            keyflow login --context NAME); it never holds one. Select one with --context NAME, \
            KEYFLOW_CONTEXT, or keyflow context use NAME; flags and APPWRITE_* variables still win.

            Examples:
              keyflow context add staging --endpoint https://staging.example.com/v1 \\
                --project shop-staging --api-key-env STAGING_APPWRITE_KEY
              keyflow context use staging
              keyflow plan --context prod rotate.kf
            """,
        subcommands: [List.self, Show.self, Use.self, Add.self, Remove.self])

    static var store: ContextStore { ContextStore.standard() }

    /// The shell completions' candidates for a context's name: the contexts config.toml holds.
    @Sendable static func completeName(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        ((try? store.load())?.names ?? []).filter { $0.hasPrefix(prefix) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the contexts; * marks the current one.")

        func run() async throws {
            let config = try contextCall { () throws(ContextError) in try ContextCommand.store.load() }
            guard !config.contexts.isEmpty else {
                print("No contexts (add one with keyflow context add NAME --endpoint URL --project ID)")
                return
            }
            let width = config.names.map(\.count).max() ?? 0
            for name in config.names {
                let context = config.contexts[name]!
                let mark = config.current == name ? "*" : " "
                print("\(mark) \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(context.endpoint)  project \(ContextConfig.quoted(context.project))")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a context (else the one in force: KEYFLOW_CONTEXT, else the current one), without secrets.")

        @Argument(help: "The context's name.", completion: .custom(ContextCommand.completeName))
        var name: String?

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let resolver = TargetResolver(options: TargetOptions(context: name), environment: environment)
            let found: (context: Context, source: String)?
            do {
                found = try resolver.context()
            } catch {
                throw failure(error)
            }
            guard let (context, source) = found else {
                printError("error: no context is in force: name one, or make one current with keyflow context use NAME")
                throw ExitCode(2)
            }
            let current = (try? resolver.contexts.load().current) == context.name
            print("context \(ContextConfig.quoted(context.name))" + (current ? " (current)" : name == nil ? " (from \(source))" : ""))
            var rows: [(String, String)] = [("endpoint", context.endpoint), ("project", context.project)]
            if let organization = context.organization { rows.append(("organization", organization)) }
            rows.append(("api key", describe(env: context.apiKeyEnv, file: context.apiKeyFile, environment: environment) ?? "none named"))
            if let described = describe(env: context.organizationKeyEnv, file: context.organizationKeyFile, environment: environment) {
                rows.append(("organization key", described))
            }
            let session: String
            if let entry = try? resolver.store.entry(context: context.name) {
                let endpoint = entry.endpoint ?? context.endpoint
                session = "stored login as \(entry.email) to \(endpoint)"
                    + (endpoint == ClientConfiguration.normalise(endpoint: context.endpoint) ? "" : " (not this context's endpoint: not used)")
            } else {
                session = "none (keyflow login --context \(context.name))"
            }
            rows.append(("console session", session))
            let width = rows.map(\.0.count).max()! + 1
            for (label, value) in rows {
                print("  \((label + ":").padding(toLength: width, withPad: " ", startingAt: 0))  \(value)")
            }
        }

        /// Where a credential comes from and whether it is there; never the credential.
        func describe(env: String?, file: String?, environment: [String: String]) -> String? {
            if let env {
                let set = !(environment[env]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "").isEmpty
                return "from environment variable \(env) (\(set ? "set" : "not set"))"
            }
            if let file {
                return "from file \(file) (\(FileManager.default.isReadableFile(atPath: file) ? "readable" : "missing or unreadable"))"
            }
            return nil
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a context the current one.")

        @Argument(help: "The context's name.", completion: .custom(ContextCommand.completeName))
        var name: String

        func run() async throws {
            let store = ContextCommand.store
            try contextCall { () throws(ContextError) in try store.use(name) }
            let context = try contextCall { () throws(ContextError) in try store.load().context(name) }
            print("Now using context \(ContextConfig.quoted(name)): \(context.endpoint) project \(ContextConfig.quoted(context.project))")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a context.",
            discussion: "Credentials are named, never given: an environment variable or a file for each key, or the session of keyflow login --context NAME.")

        @Argument(help: "The context's name (letters, digits, -, _ and .).")
        var name: String

        @Option(help: "The Appwrite API endpoint, /v1 included.")
        var endpoint: String

        @Option(help: "The project id.")
        var project: String

        @Option(help: "The organization id, for an organization key and `projects`.")
        var organization: String?

        @Option(name: .customLong("api-key-env"), help: "The environment variable holding the API key.")
        var apiKeyEnv: String?

        @Option(name: .customLong("api-key-file"), help: "A file holding the API key (its first line).", completion: .file())
        var apiKeyFile: String?

        @Option(name: .customLong("organization-key-env"), help: "The environment variable holding an organization key.")
        var organizationKeyEnv: String?

        @Option(name: .customLong("organization-key-file"), help: "A file holding an organization key.", completion: .file())
        var organizationKeyFile: String?

        func validate() throws {
            if apiKeyEnv != nil && apiKeyFile != nil { throw ValidationError("give --api-key-env or --api-key-file, not both") }
            if organizationKeyEnv != nil && organizationKeyFile != nil {
                throw ValidationError("give --organization-key-env or --organization-key-file, not both")
            }
        }

        func run() async throws {
            // A file is kept as an absolute path: the context is used from any folder.
            func absolute(_ path: String?) -> String? {
                path.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
            }
            let context = Context(
                name: name, endpoint: ClientConfiguration.normalise(endpoint: endpoint), project: project,
                organization: organization, apiKeyEnv: apiKeyEnv, apiKeyFile: absolute(apiKeyFile),
                organizationKeyEnv: organizationKeyEnv, organizationKeyFile: absolute(organizationKeyFile))
            let store = ContextCommand.store
            try contextCall { () throws(ContextError) in try store.add(context) }
            print("Added context \(ContextConfig.quoted(name)) to \(store.path); select it with --context \(name) or keyflow context use \(name)")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a context (and forget its stored session on this machine).")

        @Argument(help: "The context's name.", completion: .custom(ContextCommand.completeName))
        var name: String

        func run() async throws {
            let store = ContextCommand.store
            try contextCall { () throws(ContextError) in try store.remove(name) }
            var note = ""
            let sessions = SessionStore.standard()
            if (try? sessions.remove(context: name)) == true {
                note = "; its stored console session was forgotten here (keyflow logout --context would also have ended it on the server)"
            }
            print("Removed context \(ContextConfig.quoted(name))\(note)")
        }
    }
}

/// Runs a `ContextStore` call; a problem is printed, with exit 2 for a name that is unknown,
/// taken or invalid, 1 for the file.
@discardableResult
func contextCall<T>(_ body: () throws(ContextError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw failure(.context(error))
    }
}

/// Prints a target problem and gives the exit status: 2 for a context that is unknown, taken or
/// badly named (nothing was sent), 1 otherwise.
func failure(_ error: TargetError) -> ExitCode {
    printError("error: \(error)")
    if case .context(let problem) = error {
        switch problem {
        case .unknown, .exists, .badName, .inlineSecret, .invalid: return ExitCode(2)
        default: return ExitCode(1)
        }
    }
    return ExitCode(1)
}
