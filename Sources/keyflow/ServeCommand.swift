import ArgumentParser
import Foundation
import KeyflowSandbox

/// `keyflow serve`: runs the Appwrite-compatible Keys API sandbox until killed.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a local Appwrite-compatible Keys API server (the sandbox).",
        discussion: """
            On first start over an empty data directory it creates a project, a console user and session, \
            and an API key with keys.read and keys.write, and writes them to DIR/sandbox.json (mode 0600). \
            When ready it prints one line naming the endpoint and the project.
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 0

    @Option(name: .customLong("data"), help: "Data directory (default: $KEYFLOW_SANDBOX or ./.keyflow/sandbox).")
    var data: String?

    @Option(help: "Project id on first start (default: sandbox).")
    var project: String?

    @Flag(help: "Behave like servers 1.9.1–1.9.5: an API key with keys.write may create keys.")
    var legacyKeyCreate = false

    @Option(help: "Fault injection, e.g. 500=0.05,503=0.05,429=0.05,reset=0.02,delay=0.05:2s,commit-then-500=0.02")
    var chaos: String?

    @Option(help: "Seed for --chaos draws (same seed, same faults).")
    var seed: UInt64?

    func run() async throws {
        let plan: ChaosPlan
        do {
            plan = try chaos.map(ChaosPlan.parse) ?? .none
        } catch {
            throw ValidationError(error.description)
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        let directory = data ?? ProcessInfo.processInfo.environment["KEYFLOW_SANDBOX"] ?? ".keyflow/sandbox"
        let configuration = SandboxConfiguration(
            directory: URL(fileURLWithPath: directory), host: host, port: port, projectID: project,
            legacyKeyCreate: legacyKeyCreate, chaos: plan, seed: seed)
        let running: RunningSandbox
        do {
            running = try await Sandbox.start(configuration)
        } catch {
            FileHandle.standardError.write(Data("keyflow serve: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
        let line = "keyflow sandbox listening on \(running.credentials.endpoint) project \(running.credentials.project)\n"
        FileHandle.standardOutput.write(Data(line.utf8))
        await running.waitUntilStopped()
    }
}
