import Foundation
import KeyflowTestSupport
import Testing

@testable import KeyflowSandbox

/// The official Python SDKs against the sandbox over HTTP (conformance/*.py). Each script
/// prints `FAIL …` lines and exits non-zero on any failed check; a missing SDK venv fails
/// the test rather than skipping it.
@Suite(.serialized) struct ConformanceTests {
    static let scripts = TestPaths.packageRoot.appendingPathComponent("Tests/KeyflowSandboxTests/conformance")

    /// Runs one conformance script with the SDK python named by `variable`.
    func python(_ variable: String, venv: String, _ script: String, _ arguments: [String] = [], sandbox: URL) async throws {
        guard let python = TestPaths.sdkPython(variable, venv: venv) else {
            Issue.record("no SDK python: set \(variable) or run scripts/bootstrap to create .venv/\(venv)")
            return
        }
        let result = try await runProcessOffThePool(
            python, [Self.scripts.appendingPathComponent(script).path] + arguments,
            environment: ProcessInfo.processInfo.environment.merging([
                "SANDBOX_JSON": sandbox.appendingPathComponent("sandbox.json").path,
                "PYTHONPATH": Self.scripts.path, "PYTHONDONTWRITEBYTECODE": "1",
            ]) { $1 }, mergingOutput: true)
        #expect(result.status == 0, "\(script) \(arguments.joined(separator: " ")) failed:\n\(result.stdout)")
        #expect(result.stdout.contains("conformance checks ok"), "\(script) did not finish:\n\(result.stdout)")
    }

    @Test func sdk27EveryRouteErrorQueryAndExpiry() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let sandbox = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        try await python("KEYFLOW_SDK27", venv: "sdk27", "sdk27_conformance.py", sandbox: dir.url)
        await sandbox.stop()
    }

    @Test func sdk22CreateKeyAgainstLegacyAndCurrentServers() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let legacy = try await Sandbox.start(SandboxConfiguration(directory: dir.url, legacyKeyCreate: true))
        try await python("KEYFLOW_SDK22", venv: "sdk22", "sdk22_create_key.py", ["legacy"], sandbox: dir.url)
        await legacy.stop()
        let current = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        try await python("KEYFLOW_SDK22", venv: "sdk22", "sdk22_create_key.py", ["current"], sandbox: dir.url)
        await current.stop()
    }

    /// The organization routes (docs/appwrite-api.md §4.7) with appwrite 27.0.0's `Organization`
    /// service and with the console SDK appwrite-console 0.14.0, each over a sandbox whose
    /// organization has two projects.
    @Test func sdk27OrganizationRoutesHeadersAndErrors() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let sandbox = try await Sandbox.start(SandboxConfiguration(directory: dir.url, projectIDs: ["alpha", "beta"]))
        try await python("KEYFLOW_SDK27", venv: "sdk27", "sdk27_organization.py", sandbox: dir.url)
        await sandbox.stop()
    }

    @Test func consoleSDKOrganizationKeysTeamsAndCreate() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let sandbox = try await Sandbox.start(SandboxConfiguration(directory: dir.url, projectIDs: ["alpha", "beta"]))
        try await python("KEYFLOW_SDK_CONSOLE", venv: "console014", "console_organization.py", sandbox: dir.url)
        await sandbox.stop()
    }

    @Test func restartKeepsData() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let state = dir.url.appendingPathComponent("before-restart.json").path
        let first = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        try await python("KEYFLOW_SDK27", venv: "sdk27", "restart_write.py", [state], sandbox: dir.url)
        await first.stop()
        let second = try await Sandbox.start(SandboxConfiguration(directory: dir.url))
        #expect(second.credentials.apiKey == first.credentials.apiKey)
        try await python("KEYFLOW_SDK27", venv: "sdk27", "restart_verify.py", [state], sandbox: dir.url)
        await second.stop()
    }
}
