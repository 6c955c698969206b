import ArgumentParser
import Foundation
import KeyflowSandbox

#if canImport(Glibc)
    import Glibc
#endif

/// The sandbox server's own executable, `keyflow-sandbox`: what `keyflow serve` execs, and
/// what plan, run and the REPL start as a child for the embedded sandbox. Kept out of
/// `keyflow` itself, so that the web server and SQLite do not weigh on every start of it.
@main
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyflow serve",
        abstract: "Run a local Appwrite-compatible Keys API server (the sandbox).",
        discussion: """
            On first start over an empty data directory it creates a console user and session, an organization \
            the user owns with its projects (--projects, or the one --project) and an organization API key, and \
            an API key with keys.read and keys.write in the first project, and writes them to DIR/sandbox.json \
            (mode 0600). \
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

    @Option(help: "The organization's project ids on first start, comma-separated (the first holds the API key).")
    var projects: String?

    @Flag(help: "Behave like servers 1.9.1–1.9.5: an API key with keys.write may create keys.")
    var legacyKeyCreate = false

    @Option(help: "Fault injection, e.g. 500=0.05,503=0.05,429=0.05,reset=0.02,delay=0.05:2s,commit-then-500=0.02")
    var chaos: String?

    @Option(help: "Seed for --chaos draws (same seed, same faults).")
    var seed: UInt64?

    @Option(help: "Delay every request by this long, as over a network (e.g. 25ms, 0.1s); GET /_sandbox/requests counts them.")
    var latency: String?

    @Flag(help: .hidden)
    var exitWithParent = false

    func run() async throws {
        let plan: ChaosPlan
        do {
            plan = try chaos.map(ChaosPlan.parse) ?? .none
        } catch {
            throw ValidationError(error.description)
        }
        var delay = Duration.zero
        if let latency {
            guard let ms = ChaosPlan.milliseconds(latency) else {
                throw ValidationError("--latency: '\(latency)' is not a duration (use for example 25ms or 0.1s)")
            }
            delay = .milliseconds(ms)
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        let directory = data ?? ProcessInfo.processInfo.environment["KEYFLOW_SANDBOX"] ?? ".keyflow/sandbox"
        var configuration = SandboxConfiguration(
            directory: URL(fileURLWithPath: directory), host: host, port: port, projectID: project,
            projectIDs: projects.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) },
            legacyKeyCreate: legacyKeyCreate, chaos: plan, seed: seed)
        configuration.latency = delay
        if exitWithParent { Self.exitWhenStdinCloses() }
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

    /// The embedded sandbox's parent holds our stdin open; it closes when the parent exits
    /// or is killed, and the sandbox follows it (no server outlives the keyflow that started it).
    static func exitWhenStdinCloses() {
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(0, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { Glibc.exit(0) }
            }
        }
        thread.start()
    }
}
