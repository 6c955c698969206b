import Foundation
import KeyflowClient
import KeyflowRuntime
import KeyflowSandbox

/// The embedded default of LANGUAGE.md §8: the sandbox started in-process on loopback with
/// a free port over a data folder, for `plan`, `run` (and the REPL) when no endpoint is set.
enum EmbeddedSandbox {
    @Sendable static func start(_ directory: String) async throws -> EmbeddedTarget {
        let running = try await Sandbox.start(SandboxConfiguration(directory: URL(fileURLWithPath: directory)))
        let c = running.credentials
        return EmbeddedTarget(
            endpoint: c.endpoint, project: c.project, apiKey: Secret(c.apiKey), session: Secret(c.session),
            directory: directory, stop: { await running.stop() })
    }
}
