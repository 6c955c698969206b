import ArgumentParser
import Foundation
import KeyflowLanguage

/// `keyflow help [TOPIC…]`: the language's help topics (`KeyflowLanguage/Help.swift`, the
/// same text as the REPL's `:help` and the language server's hover), or a command's options
/// when TOPIC names a command (`help context add`). Takes the place of ArgumentParser's
/// built-in `help`, which would print the top-level help for any topic and exit 0.
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
        let chain = Keyflow.commandChain(topic)
        if chain.count == topic.count, let command = chain.last, command != HelpCommand.self {
            print(Keyflow.helpMessage(for: command), terminator: "")
            if let t = Help.topic(name) { print("\n`\(name)` in the language: keyflow help \(t.name)") }
            return
        }
        guard let text = Help.text(name) else {
            let list = "`keyflow help` lists the topics"
            let hint = Help.suggestion(for: name).map { "did you mean `keyflow help \($0)`? \(list)" } ?? list
            Keyflow.usageError("no help topic `\(name)`", hint: hint, code: 2)
        }
        print(text, terminator: "")
    }
}
