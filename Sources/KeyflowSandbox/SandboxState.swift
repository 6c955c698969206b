/// Everything a running sandbox serves from: durable storage, the in-memory key index,
/// console accounts, organizations (teams, their projects, their keys), the ephemeral-key
/// signer and the server's options.
struct SandboxState: Sendable {
    static let consoleProject = "console"
    /// The server version the sandbox answers as (`/health/version`, error bodies).
    static let version = "1.9.6"

    let storage: Storage
    /// Project keys.
    let index: KeyIndex
    /// Organization keys (`KeyRecord.projectID` is the team id).
    let organizationIndex: KeyIndex
    let accounts: Accounts
    let organizations: Organizations
    let tokens: EphemeralTokens
    /// Servers 1.9.1–1.9.5: an API key with `keys.write` may create keys.
    let legacyKeyCreate: Bool
}
