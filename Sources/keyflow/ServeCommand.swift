import ArgumentParser
import Foundation
import KeyflowCLI
import KeyflowRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// `keyflow serve`: becomes the sandbox server, `keyflow-sandbox`, installed beside keyflow
/// (same process id, so signals and `kill` reach the server itself).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a local Appwrite-compatible Keys API server (the sandbox).",
        discussion: """
            Options: --host ADDR (default 127.0.0.1), --port N (0 picks a free one), --data DIR \
            (default $KEYFLOW_SANDBOX or ./.keyflow/sandbox), --project ID, --projects A,B,C, --legacy-key-create, \
            --chaos SPEC, --seed N, --latency DURATION. `keyflow serve --help` lists them in full.

            On first start over an empty data directory it creates a console user and session, an organization \
            the user owns with its projects (--projects, or the one --project) and an organization API key, and \
            an API key with keys.read and keys.write in the first project, and writes them to DIR/sandbox.json \
            (mode 0600). \
            When ready it prints one line naming the endpoint and the project.
            """,
        helpNames: [])

    @Argument(parsing: .captureForPassthrough, help: "Options for the server (see above).")
    var options: [String] = []

    func run() throws {
        let server: String
        do {
            server = try SandboxProcess.executable()
        } catch {
            FileHandle.standardError.write(Data("keyflow serve: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let argv = ([server] + options).map { strdup($0) } + [nil]
        execv(server, argv)
        FileHandle.standardError.write(Data("keyflow serve: cannot start \(server): \(String(cString: strerror(errno)))\n".utf8))
        throw ExitCode(1)
    }
}
