import Foundation
import TOMLKit

/// A named target (docs/language.md §13): an endpoint, a project, an organization, and where
/// each credential comes from. Never a secret itself: a credential is named by an environment
/// variable or a file, or is the session `keyflow login --context NAME` stored.
public struct Context: Sendable, Hashable {
    public var name: String
    public var endpoint: String
    public var project: String
    public var organization: String?
    public var apiKeyEnv: String?
    public var apiKeyFile: String?
    public var organizationKeyEnv: String?
    public var organizationKeyFile: String?

    public init(
        name: String, endpoint: String, project: String, organization: String? = nil, apiKeyEnv: String? = nil,
        apiKeyFile: String? = nil, organizationKeyEnv: String? = nil, organizationKeyFile: String? = nil
    ) {
        self.name = name
        self.endpoint = endpoint
        self.project = project
        self.organization = organization
        self.apiKeyEnv = apiKeyEnv
        self.apiKeyFile = apiKeyFile
        self.organizationKeyEnv = organizationKeyEnv
        self.organizationKeyFile = organizationKeyFile
    }

    /// The keys a context table may hold, in the order they are written.
    public static let keys = [
        "endpoint", "project", "organization", "api_key_env", "api_key_file", "organization_key_env",
        "organization_key_file",
    ]

    /// Which is `source`'s label: `context "prod"`.
    public var label: String { "context \(ContextConfig.quoted(name))" }

    /// Where the API key comes from, in words (never the key).
    public var apiKeyOrigin: String? {
        apiKeyEnv.map { "environment variable \($0)" } ?? apiKeyFile.map { "file \($0)" }
    }

    /// Where the organization key comes from, in words (never the key).
    public var organizationKeyOrigin: String? {
        organizationKeyEnv.map { "environment variable \($0)" } ?? organizationKeyFile.map { "file \($0)" }
    }

    func value(_ key: String) -> String? {
        switch key {
        case "endpoint": endpoint
        case "project": project
        case "organization": organization
        case "api_key_env": apiKeyEnv
        case "api_key_file": apiKeyFile
        case "organization_key_env": organizationKeyEnv
        case "organization_key_file": organizationKeyFile
        default: nil
        }
    }
}

/// `config.toml`: the named contexts and the current one.
///
/// ```toml
/// current = "staging"
///
/// [contexts.staging]
/// endpoint = "https://staging.example.com/v1"
/// project = "shop-staging"
/// api_key_env = "STAGING_APPWRITE_KEY"
/// ```
public struct ContextConfig: Sendable, Hashable {
    public var current: String?
    /// By name.
    public var contexts: [String: Context]

    public init(current: String? = nil, contexts: [String: Context] = [:]) {
        self.current = current
        self.contexts = contexts
    }

    public var names: [String] { contexts.keys.sorted() }

    /// The named context, or `.unknown` listing the known ones.
    public func context(_ name: String) throws(ContextError) -> Context {
        guard let context = contexts[name] else { throw .unknown(name: name, known: names) }
        return context
    }

    /// A context name: letters, digits, `-`, `_` and `.`, starting with a letter or digit.
    public static func validName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, CharacterSet.alphanumerics.contains(first), name.count <= 64 else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    /// Parses the file's text. `path` is only for messages. Every problem names the key, never
    /// a value that could be a secret.
    public static func parse(_ text: String, path: String) throws(ContextError) -> ContextConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .syntax(path: path, message: "\(error.description) at line \(error.source.begin.line)")
        } catch {
            throw .syntax(path: path, message: "\(error)")
        }
        var config = ContextConfig()
        for key in table.keys {
            switch key {
            case "current":
                guard let value = table[key]?.string else { throw .invalid(path: path, key: key, reason: "must be a string") }
                config.current = value.isEmpty ? nil : value
            case "contexts":
                guard let contexts = table[key]?.table else {
                    throw .invalid(path: path, key: key, reason: "must be a table of [contexts.NAME] tables")
                }
                for name in contexts.keys {
                    guard let fields = contexts[name]?.table else {
                        throw .invalid(path: path, key: "contexts.\(name)", reason: "must be a table")
                    }
                    config.contexts[name] = try context(name: name, fields: fields, path: path)
                }
            default:
                if secretLooking(key: key) { throw .inlineSecret(path: path, key: key) }
                throw .invalid(path: path, key: key, reason: "is not a known setting (current, contexts)")
            }
        }
        return config
    }

    static func context(name: String, fields: TOMLTable, path: String) throws(ContextError) -> Context {
        let where_ = "contexts.\(name)"
        guard validName(name) else {
            throw .invalid(path: path, key: where_, reason: "is not a valid context name (letters, digits, -, _ and .)")
        }
        var values: [String: String] = [:]
        for key in fields.keys {
            let full = "\(where_).\(key)"
            guard Context.keys.contains(key) else {
                if secretLooking(key: key) { throw .inlineSecret(path: path, key: full) }
                throw .invalid(path: path, key: full, reason: "is not a known setting (\(Context.keys.joined(separator: ", ")))")
            }
            guard let value = fields[key]?.string else { throw .invalid(path: path, key: full, reason: "must be a string") }
            if secretLooking(value: value) { throw .inlineSecret(path: path, key: full) }
            if !value.isEmpty { values[key] = value }
        }
        guard let endpoint = values["endpoint"] else { throw .invalid(path: path, key: "\(where_).endpoint", reason: "is missing") }
        if let problem = ClientConfiguration.problem(endpoint: endpoint) {
            throw .invalid(path: path, key: "\(where_).endpoint", reason: problem)
        }
        guard let project = values["project"] else { throw .invalid(path: path, key: "\(where_).project", reason: "is missing") }
        for (env, file) in [("api_key_env", "api_key_file"), ("organization_key_env", "organization_key_file")]
        where values[env] != nil && values[file] != nil {
            throw .invalid(path: path, key: "\(where_).\(env)", reason: "and \(file) are both set: give one")
        }
        for env in ["api_key_env", "organization_key_env"] {
            if let variable = values[env], !validVariable(variable) {
                throw .invalid(path: path, key: "\(where_).\(env)", reason: "must name an environment variable (letters, digits and _)")
            }
        }
        return Context(
            name: name, endpoint: endpoint, project: project, organization: values["organization"],
            apiKeyEnv: values["api_key_env"], apiKeyFile: values["api_key_file"],
            organizationKeyEnv: values["organization_key_env"], organizationKeyFile: values["organization_key_file"])
    }

    /// A setting's name that means a secret given inline: `api_key`, `session`, `password`…
    static func secretLooking(key: String) -> Bool {
        let lower = key.lowercased()
        return ["key", "secret", "session", "token", "password"].contains { lower.contains($0) }
    }

    /// A value that looks like a secret whatever its key: an Appwrite key's prefix, or a long
    /// unbroken run of letters and digits (keys and sessions are hundreds of characters).
    static func secretLooking(value: String) -> Bool {
        if ["standard_", "ephemeral_", "dynamic_"].contains(where: value.hasPrefix) { return true }
        let compact = value.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }
        return compact && value.count >= 64
    }

    static func validVariable(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !CharacterSet.decimalDigits.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }
    }

    /// The file's text: a comment, `current`, then one table per context, sorted by name.
    public func encoded() -> String {
        var out = "# keyflow contexts (docs/language.md §13). Credentials are named, never written here.\n"
        if let current { out += "current = \(Self.quoted(current))\n" }
        for name in names {
            let context = contexts[name]!
            let bare = name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") }
            out += "\n[contexts.\(bare ? name : Self.quoted(name))]\n"
            for key in Context.keys {
                if let value = context.value(key) { out += "\(key) = \(Self.quoted(value))\n" }
            }
        }
        return out
    }

    /// A TOML basic string (also how names are quoted in messages).
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Why the contexts could not be read or changed. No case carries a secret.
public enum ContextError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Group or others may read or write the file.
    case permissions(path: String, mode: UInt16)
    case unreadable(path: String, reason: String)
    case syntax(path: String, message: String)
    case invalid(path: String, key: String, reason: String)
    case inlineSecret(path: String, key: String)
    case unknown(name: String, known: [String])
    case exists(name: String)
    case badName(String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .permissions(let path, let mode):
            "\(path) can be read or changed by others (mode \(String(mode, radix: 8))): run chmod 600 \(path)"
        case .unreadable(let path, let reason): "\(path) \(reason)"
        case .syntax(let path, let message): "\(path) is not valid TOML: \(message)"
        case .invalid(let path, let key, let reason): "\(path): \(key) \(reason)"
        case .inlineSecret(let path, let key):
            "\(path): \(key) holds what looks like a secret; a context names its credentials instead (api_key_env, api_key_file, organization_key_env, organization_key_file, or keyflow login --context NAME)"
        case .unknown(let name, let known):
            "no context \(ContextConfig.quoted(name)); "
                + (known.isEmpty
                    ? "no contexts are configured (add one with keyflow context add)"
                    : "known contexts: \(known.joined(separator: ", "))")
        case .exists(let name): "a context \(ContextConfig.quoted(name)) exists already: remove it first"
        case .badName(let name):
            "\(ContextConfig.quoted(name)) is not a valid context name (letters, digits, -, _ and ., starting with a letter or digit)"
        case .unwritable(let path, let reason): "\(path) \(reason)"
        }
    }
}

/// `$XDG_CONFIG_HOME/keyflow/config.toml` (else `~/.config/keyflow/config.toml`): read only
/// when group and others have no access to it (mode 0600), written 0600 in a 0700 folder, to a
/// temporary file, synced and renamed over the old one.
public struct ContextStore: Sendable {
    public let directory: String
    public var path: String { directory + "/config.toml" }

    public init(directory: String) { self.directory = directory }

    /// The same folder as the session store's.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ContextStore {
        ContextStore(directory: SessionStore.standard(environment: environment).directory)
    }

    /// The configuration; empty when there is no file.
    public func load() throws(ContextError) -> ContextConfig {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return ContextConfig() }
            throw .unreadable(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))")
        }
        let mode = UInt16(info.st_mode & 0o7777)
        guard mode & 0o077 == 0 else { throw .permissions(path: path, mode: mode) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .unreadable(path: path, reason: "is not UTF-8 text") }
        return try ContextConfig.parse(text, path: path)
    }

    public func save(_ config: ContextConfig) throws(ContextError) {
        let text = config.encoded()
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .unwritable(path: directory, reason: "cannot be created")
        }
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, 0o600)
        guard fd >= 0 else { throw .unwritable(path: temporary, reason: String(cString: strerror(errno))) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fchmod(fd, 0o600) == 0 && fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .unwritable(path: path, reason: "could not be written")
        }
    }

    /// Loads, changes and saves.
    public func update(_ change: (inout ContextConfig) throws(ContextError) -> Void) throws(ContextError) {
        var config = try load()
        try change(&config)
        try save(config)
    }

    public func add(_ context: Context) throws(ContextError) {
        guard ContextConfig.validName(context.name) else { throw .badName(context.name) }
        // The same checks as reading: what is written can be read back.
        let probe = ContextConfig(contexts: [context.name: context])
        _ = try ContextConfig.parse(probe.encoded(), path: path)
        try update { (config: inout ContextConfig) throws(ContextError) in
            guard config.contexts[context.name] == nil else { throw .exists(name: context.name) }
            config.contexts[context.name] = context
        }
    }

    public func use(_ name: String) throws(ContextError) {
        try update { (config: inout ContextConfig) throws(ContextError) in
            _ = try config.context(name)
            config.current = name
        }
    }

    /// Removes the context (and makes none current if it was).
    public func remove(_ name: String) throws(ContextError) {
        try update { (config: inout ContextConfig) throws(ContextError) in
            _ = try config.context(name)
            config.contexts[name] = nil
            if config.current == name { config.current = nil }
        }
    }
}
