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
    /// The named context the target came from (docs/language.md §13), if any.
    public var context: String?

    public init(
        endpoint: String, project: String, isSandbox: Bool, sandboxDirectory: String? = nil, credential: String,
        context: String? = nil
    ) {
        self.context = context
        self.endpoint = endpoint
        self.project = project
        self.isSandbox = isSandbox
        self.sandboxDirectory = sandboxDirectory
        self.credential = credential
    }

    /// `target: https://… project "p" (api key)`, `… (api key) context "prod"` or `target: local sandbox …`.
    public var line: String {
        if isSandbox {
            return "target: local sandbox \(endpoint) project \(Format.quoted(project))"
                + (sandboxDirectory.map { " (data in \($0))" } ?? "")
        }
        return "target: \(endpoint) project \(Format.quoted(project)) (\(credential))"
            + (context.map { " context \(Format.quoted($0))" } ?? "")
    }
}
