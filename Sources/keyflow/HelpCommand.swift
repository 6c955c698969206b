import ArgumentParser
import Foundation
import KeyflowLanguage

/// `keyflow help [TOPIC…]`: the language's help topics (`KeyflowLanguage/Help.swift`, the
/// same text as the REPL's `:help` and the language server's hover), or a command's options
/// when TOPIC names a command. Takes the place of ArgumentParser's built-in `help`.
struct HelpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "help",
        abstract: "Explain a statement, clause, builtin or topic of the language, or a command's options.",
        discussion: "Without a topic, lists them all. An unknown topic exits 2.")

    @Argument(
        help: "A topic (rotate, in project, sinks, exit-codes, …) or a command (run, plan, …).",
        completion: .list(Help.topics.filter { !$0.contains(" ") } + ["in"]))
    var topic: [String] = []

    func run() throws {
        guard !topic.isEmpty else {
            let commands = Keyflow.configuration.subcommands.map { $0.configuration.commandName ?? "" }.filter { $0 != "help" }
            print(Help.index + "\nCommands (keyflow help COMMAND for its options): " + commands.joined(separator: ", "))
            return
        }
        let name = topic.joined(separator: " ")
        if let command = Keyflow.configuration.subcommands.first(where: { $0.configuration.commandName == name && $0 != HelpCommand.self }) {
            print(Keyflow.helpMessage(for: command), terminator: "")
            if let t = Help.topic(name) { print("\n`\(name)` in the language: keyflow help \(t.name)") }
            return
        }
        guard let text = Help.text(name) else {
            var message = "error: no help topic `\(name)`\n"
            if let near = Help.suggestion(for: name) { message += "  help: did you mean `keyflow help \(near)`?\n" }
            message += "  help: `keyflow help` lists the topics\n"
            FileHandle.standardError.write(Data(message.utf8))
            throw ExitCode(2)
        }
        print(text, terminator: "")
    }
}
