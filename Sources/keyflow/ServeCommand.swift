import ArgumentParser
import Foundation
import KeyflowCLI
import KeyflowRuntime
import KeyflowServeFlags

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
            On first start over an empty data directory it creates a console user and session, an organization \
            the user owns with its projects (--projects, or the one --project) and an organization API key, and \
            an API key with keys.read and keys.write in the first project, and writes them to DIR/sandbox.json \
            (mode 0600). \
            When ready it prints one line naming the endpoint and the project.

            Examples:
              keyflow serve --port 8080 --data /tmp/sandbox
              keyflow serve --projects shop,shop-staging --chaos 503=0.1 --seed 7
            """)

    @OptionGroup var flags: ServeFlags

    func run() throws {
        let server: String
        do {
            server = try SandboxProcess.executable()
        } catch {
            FileHandle.standardError.write(Data("keyflow serve: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let argv = ([server] + flags.arguments).map { strdup($0) } + [nil]
        execv(server, argv)
        FileHandle.standardError.write(Data("keyflow serve: cannot start \(server): \(String(cString: strerror(errno)))\n".utf8))
        throw ExitCode(1)
    }
}
