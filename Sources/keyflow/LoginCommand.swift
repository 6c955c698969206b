import ArgumentParser
import Foundation
import KeyflowClient

/// `keyflow login`: signs in to the console and stores the session (0600) for the endpoint,
/// or for the context in force (`--context NAME`, `KEYFLOW_CONTEXT`, else the current one
/// unless `--endpoint` was given).
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in to the Appwrite console and store the session for an endpoint.",
        discussion: "The password is read from the terminal without echo (or from standard input when it is not a terminal).")

    @Option(help: "The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).")
    var endpoint: String?

    @Option(help: "The console account's email (asked for when not given).")
    var email: String?

    @Flag(help: "Do not verify TLS certificates (a warning is printed).")
    var insecure = false

    @Option(help: "Store the session for this context (else KEYFLOW_CONTEXT, else the current one); its endpoint is the default.", completion: .custom(ContextCommand.completeName))
    var context: String?

    func run() async throws {
        let resolver = TargetResolver(options: TargetOptions(endpoint: endpoint, insecure: insecure, context: context))
        let target: String
        let named: Context?
        do {
            named = try resolver.loginContext()
            guard let found = try resolver.endpoint(script: nil, context: named) else {
                throw ValidationError("no endpoint: give --endpoint or set APPWRITE_ENDPOINT")
            }
            target = found.value
        } catch let error as TargetError {
            throw failure(error)
        }
        if insecure { printError("warning: --insecure: TLS certificates are not verified for \(target)") }

        let email = try self.email ?? Terminal.readLine(prompt: "Email: ", echo: true)
        guard !email.isEmpty else { throw ValidationError("no email given") }
        let password = Secret(try Terminal.readLine(prompt: "Password: ", echo: false))
        guard !password.isEmpty else { throw ValidationError("no password given") }

        let session: Secret
        do {
            session = try await AppwriteClient.createConsoleSession(endpoint: target, email: email, password: password, insecure: insecure)
        } catch {
            printError("error: sign-in to \(target) failed: \(error)")
            throw ExitCode(1)
        }
        do {
            if let named {
                try resolver.store.save(session: session, email: email, context: named.name, endpoint: target)
            } else {
                try resolver.store.save(session: session, email: email, for: target)
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let label = named.map { " for \($0.label)" } ?? ""
        print("Signed in to \(target) as \(email)\(label); session stored in \(resolver.store.path)")
    }
}

/// Reading a line from the user: the prompt on standard error, echo off for secrets
/// when standard input is a terminal.
enum Terminal {
    static func readLine(prompt: String, echo: Bool) throws -> String {
        let interactive = isatty(STDIN_FILENO) == 1
        if interactive { FileHandle.standardError.write(Data(prompt.utf8)) }
        var saved = termios()
        let hide = interactive && !echo && tcgetattr(STDIN_FILENO, &saved) == 0
        if hide {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if hide {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        }
        guard let line = Swift.readLine(strippingNewline: true) else {
            throw ValidationError("standard input ended before the \(prompt.trimmingCharacters(in: CharacterSet(charactersIn: ": ")).lowercased()) was given")
        }
        return line.trimmingCharacters(in: .whitespaces)
    }
}
