import ArgumentParser
import Foundation
import KeyflowClient

/// `keyflow logout`: ends the stored console session for an endpoint (or a context, as
/// `login` chose it) and forgets it.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "End the stored console session for an endpoint and remove it.")

    @Option(help: "The endpoint to sign out of (else APPWRITE_ENDPOINT, else the only stored one).")
    var endpoint: String?

    @Flag(help: "Do not verify TLS certificates (a warning is printed).")
    var insecure = false

    @Option(help: "Sign out of this context's stored session (else KEYFLOW_CONTEXT, else the current one).", completion: .custom(ContextCommand.completeName))
    var context: String?

    func run() async throws {
        let resolver = TargetResolver(options: TargetOptions(endpoint: endpoint, insecure: insecure, context: context))
        let store = resolver.store
        let target: String
        let named: Context?
        do {
            named = try resolver.loginContext()
        } catch {
            throw failure(error)
        }
        do {
            if let named {
                guard let entry = try store.entry(context: named.name) else {
                    print("No stored session for \(named.label)")
                    return
                }
                target = entry.endpoint ?? ClientConfiguration.normalise(endpoint: named.endpoint)
                if insecure { printError("warning: --insecure: TLS certificates are not verified for \(target)") }
                let note = await Self.end(entry.session, at: target, insecure: insecure)
                try store.remove(context: named.name)
                print("Signed out of \(target) for \(named.label)\(note)")
                return
            }
            if let found = try resolver.endpoint(script: nil, context: nil) {
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
            let note = await Self.end(entry.session, at: target, insecure: insecure)
            try store.remove(for: target)
            print("Signed out of \(target)\(note)")
        } catch let error as TargetError {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// Ends the session on the server too; the local copy goes whatever the server says.
    /// Returns a note when the server did not confirm.
    static func end(_ session: Secret, at target: String, insecure: Bool) async -> String {
        let client = AppwriteClient(ClientConfiguration(
            endpoint: target, project: "console", credentials: Credentials(session: session),
            insecure: insecure, totalTimeout: .seconds(10), retry: RetryPolicy(maxAttempts: 2)))
        do {
            try await client.deleteCurrentSession()
            return ""
        } catch {
            return " (the server did not confirm ending it: \(error))"
        }
    }
}
