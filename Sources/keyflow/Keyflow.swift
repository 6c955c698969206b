import ArgumentParser
import Foundation
import Glibc
import KeyflowClient

/// The `keyflow` command: a thin shell that wires flags to the libraries.
/// Each subcommand lives in its own file, named after it.
@main
struct Keyflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyflow",
        abstract: "Check, plan and run API-key workflows against Appwrite's Keys API.",
        version: "0.1.0",
        subcommands: [
            CheckCommand.self, FmtCommand.self,
            PlanCommand.self, RunCommand.self,
            ReplCommand.self, LspCommand.self,
            ServeCommand.self,
            LoginCommand.self, LogoutCommand.self, DoctorCommand.self, ContextCommand.self, BenchClientCommand.self,
            HelpCommand.self,
        ]
    )

    /// The commands that talk to a server, the REPL included (`keyflow` alone starts it).
    static let networkCommands: Set<String> = ["run", "plan", "repl", "login", "logout", "doctor", "bench-client", "lsp"]

    /// ArgumentParser's own `main`, after libcurl has begun loading on a thread of its own
    /// for the commands that need it: its 40 libraries load while the arguments are parsed
    /// and the script is read.
    static func main() async {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first.map(networkCommands.contains) ?? true {
            // The global executor's first use looks dispatch up with dlsym and starts a
            // thread; both wait for the dynamic loader's lock, which dlopen holds while it
            // loads libcurl. Enqueueing a task does both, here and now, before the loading
            // begins (no need to wait for the task itself).
            Task.detached {}
            AppwriteClient.prepare()
        }
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            leave(0)
        } catch let code as ExitCode {
            leave(code.rawValue)
        } catch {
            // ArgumentParser answers every command-line mistake with EX_USAGE (64) and the whole
            // usage text; keyflow's usage errors exit 2 (docs/language.md §12.7) with one line
            // saying what is wrong and one saying where to look.
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid command line"
            let path = (["keyflow"] + commandPath(Array(arguments))).joined(separator: " ")
            usageError(message, hint: "\(path) --help lists its arguments and options", code: 2)
        }
    }

    /// Prints a usage error and its hint on standard error and leaves with `code`.
    static func usageError(_ message: String, hint: String, code: Int32) -> Never {
        let first = message.first.map { $0.lowercased() + message.dropFirst() } ?? message
        FileHandle.standardError.write(Data("keyflow: error: \(first)\n  help: \(hint)\n".utf8))
        leave(code)
    }

    /// The subcommands named at the start of `arguments` (`["context", "add"]`).
    static func commandPath(_ arguments: [String]) -> [String] {
        commandChain(arguments).map { $0._commandName }
    }

    /// The subcommand types named at the start of `arguments`, outermost first.
    static func commandChain(_ arguments: [String]) -> [any ParsableCommand.Type] {
        var chain: [any ParsableCommand.Type] = []
        var command: any ParsableCommand.Type = Keyflow.self
        for argument in arguments {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            chain.append(next)
            command = next
        }
        return chain
    }

    /// Ends the process once a command has said all it had to say, without the exit
    /// handlers: libcurl's, OpenSSL's and the C++ runtime's clean-up frees what the kernel
    /// is about to take back anyway, and no handler of ours is needed.
    static func leave(_ code: Int32) -> Never {
        fflush(nil)  // every C stream (stderr is unbuffered)
        _exit(code)
    }
}
