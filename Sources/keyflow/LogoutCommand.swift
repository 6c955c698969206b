import ArgumentParser
import Foundation
import KeyflowClient

/// `keyflow logout`: ends the stored console session for an endpoint and forgets it.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "End the stored console session for an endpoint and remove it.")

    @Option(help: "The endpoint to sign out of (else APPWRITE_ENDPOINT, else the only stored one).")
    var endpoint: String?

    @Flag(help: "Do not verify TLS certificates (a warning is printed).")
    var insecure = false

    func run() async throws {
        let resolver = TargetResolver(options: TargetOptions(endpoint: endpoint, insecure: insecure))
        let store = resolver.store
        let target: String
        do {
            if let found = try resolver.endpoint() {
                target = found.value
            } else {
                let stored = try store.endpoints()
                guard stored.count == 1 else {
                    throw ValidationError(stored.isEmpty
                        ? "no stored session"
                        : "sessions are stored for \(stored.joined(separator: ", ")): name one with --endpoint")
                }
                target = stored[0]
            }
            guard let entry = try store.entry(for: target) else {
                print("No stored session for \(target)")
                return
            }
            if insecure { printError("warning: --insecure: TLS certificates are not verified for \(target)") }
            // End it on the server too; the local copy goes whatever the server says.
            let client = AppwriteClient(ClientConfiguration(
                endpoint: target, project: "console", credentials: Credentials(session: entry.session),
                insecure: insecure, totalTimeout: .seconds(10), retry: RetryPolicy(maxAttempts: 2)))
            var note = ""
            do {
                try await client.deleteCurrentSession()
            } catch {
                note = " (the server did not confirm ending it: \(error))"
            }
            try store.remove(for: target)
            print("Signed out of \(target)\(note)")
        } catch let error as TargetError {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}
