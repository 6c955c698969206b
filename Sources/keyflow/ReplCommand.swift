import ArgumentParser
import Foundation
import KeyflowClient
import KeyflowREPL
import KeyflowRuntime
import KeyflowSandbox

/// `keyflow repl`: statements run as they are entered, against the same runtime session
/// `keyflow run` uses. Without a terminal on stdin it is `keyflow run -`.
struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Explore a project's keys interactively: each statement runs as it is entered.",
        discussion: """
            With no endpoint configured it works on the local sandbox. Type :help for every statement \
            with an example; Tab completes keywords, scopes, key names and variables. With standard input \
            from a pipe or file it reads statements without prompt or editing, like `keyflow run -`.
            """)

    @Option(help: "Appwrite endpoint, e.g. https://cloud.appwrite.io/v1 (else APPWRITE_ENDPOINT).")
    var endpoint: String?

    @Option(help: "Project id (else APPWRITE_PROJECT_ID).")
    var project: String?

    @Option(help: "File holding the project API key (else APPWRITE_API_KEY).")
    var keyFile: String?

    @Flag(help: "Use the local sandbox even without a terminal.")
    var sandbox = false

    func run() async throws {
        guard isatty(0) == 1 else {
            var arguments = ["-"]
            if let endpoint { arguments += ["--endpoint", endpoint] }
            if let project { arguments += ["--project", project] }
            if let keyFile { arguments += ["--key-file", keyFile] }
            if sandbox { arguments.append("--sandbox") }
            var run: any AsyncParsableCommand = try RunCommand.parse(arguments)
            try await run.run()
            return
        }
        let environment = ProcessInfo.processInfo.environment
        let session: Session
        var stop: (@Sendable () async -> Void)? = nil
        do {
            let options = TargetOptions(endpoint: endpoint, project: project, keyFile: keyFile)
            if let resolved = try TargetResolver(options: options, environment: environment).resolve() {
                let c = resolved.credentials
                session = Session(
                    api: AppwriteClient(resolved.clientConfiguration()),
                    target: TargetDescription(
                        endpoint: resolved.endpoint, project: resolved.project, isSandbox: false,
                        credential: c.apiKey != nil && c.session != nil ? "api key + session" : c.session != nil ? "session" : c.apiKey != nil ? "api key" : "no credential"),
                    hasSession: c.session != nil)
            } else {
                let directory = environment["KEYFLOW_SANDBOX"].flatMap { $0.isEmpty ? nil : $0 } ?? ".keyflow/sandbox"
                let running = try await Sandbox.start(SandboxConfiguration(directory: URL(fileURLWithPath: directory)))
                let c = running.credentials
                stop = { await running.stop() }
                session = Session(
                    api: AppwriteClient(
                        ClientConfiguration(
                            endpoint: c.endpoint, project: c.project,
                            credentials: Credentials(apiKey: Secret(c.apiKey), session: Secret(c.session)))),
                    target: TargetDescription(
                        endpoint: c.endpoint, project: c.project, isSandbox: true, sandboxDirectory: directory,
                        credential: "api key + session"),
                    hasSession: true)
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let colour = isatty(1) == 1 && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
        let repl = REPL(session: session, history: HistoryFile.defaultPath(environment: environment).map { HistoryFile(path: $0) }, colour: colour)
        let code = await repl.run()
        await stop?()
        if code != 0 { throw ExitCode(code) }
    }
}
