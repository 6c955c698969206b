import Foundation
import KeyflowClient

/// What the first line of every plan and run names.
public struct TargetDescription: Sendable, Hashable {
    public var endpoint: String
    public var project: String
    public var isSandbox: Bool
    /// The embedded sandbox's data folder.
    public var sandboxDirectory: String?
    /// Which credentials are in use: `api key`, `session`, `api key + session`, `none`.
    public var credential: String

    public init(endpoint: String, project: String, isSandbox: Bool, sandboxDirectory: String? = nil, credential: String) {
        self.endpoint = endpoint
        self.project = project
        self.isSandbox = isSandbox
        self.sandboxDirectory = sandboxDirectory
        self.credential = credential
    }

    /// `target: https://… project "p" (api key)` or `target: local sandbox …`.
    public var line: String {
        if isSandbox {
            return "target: local sandbox \(endpoint) project \(Format.quoted(project))"
                + (sandboxDirectory.map { " (data in \($0))" } ?? "")
        }
        return "target: \(endpoint) project \(Format.quoted(project)) (\(credential))"
    }
}

/// A resolved remote target with its credentials (never printed).
public struct Target: Sendable {
    public var endpoint: String
    public var project: String
    /// A project API key (`standard_…`): everything but create on current servers.
    public var apiKey: Secret?
    /// A console session: everything, create included.
    public var session: Secret?
    public var isSandbox: Bool
    public var sandboxDirectory: String?

    public init(
        endpoint: String, project: String, apiKey: Secret?, session: Secret?, isSandbox: Bool = false,
        sandboxDirectory: String? = nil
    ) {
        self.endpoint = endpoint
        self.project = project
        self.apiKey = apiKey
        self.session = session
        self.isSandbox = isSandbox
        self.sandboxDirectory = sandboxDirectory
    }

    public var description: TargetDescription {
        let credential =
            switch (apiKey != nil, session != nil) {
            case (true, true): "api key + session"
            case (true, false): "api key"
            case (false, true): "session"
            case (false, false): "no credential"
            }
        return TargetDescription(
            endpoint: endpoint, project: project, isSandbox: isSandbox, sandboxDirectory: sandboxDirectory,
            credential: credential)
    }
}

/// Where endpoint, project and credentials come from (LANGUAGE.md §8): flags, then the
/// environment, then the script's `use` statement. Credentials never come from a script.
public struct TargetSettings: Sendable {
    public var endpointFlag: String?
    public var projectFlag: String?
    public var keyFile: String?
    /// `--sandbox`: use the embedded sandbox even without a terminal.
    public var sandboxFlag: Bool
    public var environment: [String: String]
    /// From the script's `use endpoint "…" project "…"`.
    public var useEndpoint: String?
    public var useProject: String?
    public var stdinIsTerminal: Bool
    /// A stored `keyflow login` session for an endpoint, if any.
    public var storedSession: @Sendable (String) -> Secret?

    public init(
        endpointFlag: String? = nil, projectFlag: String? = nil, keyFile: String? = nil, sandboxFlag: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment, useEndpoint: String? = nil,
        useProject: String? = nil, stdinIsTerminal: Bool = isatty(0) == 1,
        storedSession: @escaping @Sendable (String) -> Secret? = { _ in nil }
    ) {
        self.endpointFlag = endpointFlag
        self.projectFlag = projectFlag
        self.keyFile = keyFile
        self.sandboxFlag = sandboxFlag
        self.environment = environment
        self.useEndpoint = useEndpoint
        self.useProject = useProject
        self.stdinIsTerminal = stdinIsTerminal
        self.storedSession = storedSession
    }
}

/// The outcome of resolving a target.
public enum TargetChoice: Sendable {
    case remote(Target)
    /// No endpoint anywhere and a person at the terminal (or `--sandbox`): start the
    /// embedded sandbox over this folder.
    case embeddedSandbox(directory: String)
}

/// A target that cannot be resolved: a usage error (exit 2), nothing sent.
public struct TargetError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var help: String?
    public var description: String { message + (help.map { "\n  help: \($0)" } ?? "") }
}

extension TargetSettings {
    public func resolve() throws(TargetError) -> TargetChoice {
        let env = { (name: String) -> String? in
            guard let v = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        guard let endpoint = endpointFlag ?? env("APPWRITE_ENDPOINT") ?? useEndpoint else {
            if sandboxFlag || stdinIsTerminal {
                let dir = env("KEYFLOW_SANDBOX") ?? ".keyflow/sandbox"
                return .embeddedSandbox(directory: dir)
            }
            throw TargetError(
                message: "no endpoint configured and no terminal: refusing to fall back to the local sandbox",
                help: "set APPWRITE_ENDPOINT and APPWRITE_PROJECT_ID (or pass --endpoint and --project); "
                    + "pass --sandbox to rehearse against the local sandbox on purpose")
        }
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            throw TargetError(message: "endpoint \(Format.quoted(endpoint)) is not an http:// or https:// URL",
                              help: "an Appwrite endpoint looks like https://cloud.appwrite.io/v1")
        }
        guard let project = projectFlag ?? env("APPWRITE_PROJECT_ID") ?? useProject else {
            throw TargetError(
                message: "no project id for \(endpoint)",
                help: "pass --project ID, set APPWRITE_PROJECT_ID, or write `use endpoint \"…\" project \"ID\"` in the script")
        }
        var apiKey: Secret?
        if let keyFile {
            guard let data = FileManager.default.contents(atPath: keyFile) else {
                throw TargetError(message: "cannot read the key file \(keyFile)", help: nil)
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw TargetError(message: "the key file \(keyFile) is empty", help: nil) }
            apiKey = Secret(text)
        } else if let key = env("APPWRITE_API_KEY") {
            apiKey = Secret(key)
        }
        let session = env("APPWRITE_SESSION").map(Secret.init) ?? storedSession(endpoint)
        return .remote(Target(endpoint: endpoint, project: project, apiKey: apiKey, session: session))
    }
}
