import ArgumentParser
import Foundation
import KeyflowLSP

/// `keyflow lsp`: the language server over standard input and output (docs/editors.md).
struct LspCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Run the language server (LSP over standard input and output) for editors.",
        discussion: """
            Diagnostics as `keyflow check` reports them, completion, hover help, formatting as \
            `keyflow fmt` does, go to definition and semantic tokens. With a target (the flags \
            below, the environment or a context, as for `run`), completion offers its live key and \
            project names. See docs/editors.md for VS Code, Neovim and Helix.
            """)

    @OptionGroup var target: TargetFlags

    func run() throws {
        let server = LanguageServer(target: target.options, environment: ProcessInfo.processInfo.environment)
        Keyflow.leave(server.run())
    }
}
