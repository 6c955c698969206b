import ArgumentParser
import Foundation
import KeyflowSandbox
import KeyflowServeFlags

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

    @OptionGroup var flags: ServeFlags

    @Flag(help: .hidden)
    var exitWithParent = false

    /// Usage errors exit 2 with one line and a hint, as keyflow's do (docs/language.md §12.7);
    /// ArgumentParser alone would exit 64 with the whole usage text.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            let first = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid command line"
            FileHandle.standardError.write(Data("keyflow serve: error: \(first)\n  help: keyflow serve --help lists its options\n".utf8))
            Glibc.exit(2)
        }
    }

    func run() async throws {
        let plan: ChaosPlan
        do {
            plan = try flags.chaos.map(ChaosPlan.parse) ?? .none
        } catch {
            throw ValidationError(error.description)
        }
        var delay = Duration.zero
        if let latency = flags.latency {
            guard let ms = ChaosPlan.milliseconds(latency) else {
                throw ValidationError("--latency: '\(latency)' is not a duration (use for example 25ms or 0.1s)")
            }
            delay = .milliseconds(ms)
        }
        let directory = flags.data ?? ProcessInfo.processInfo.environment["KEYFLOW_SANDBOX"] ?? ".keyflow/sandbox"
        var configuration = SandboxConfiguration(
            directory: URL(fileURLWithPath: directory), host: flags.host, port: flags.port, projectID: flags.project,
            projectIDs: flags.projects.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) },
            legacyKeyCreate: flags.legacyKeyCreate, chaos: plan, seed: flags.seed)
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
