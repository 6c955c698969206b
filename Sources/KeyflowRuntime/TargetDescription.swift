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
