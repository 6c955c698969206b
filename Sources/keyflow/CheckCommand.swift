import ArgumentParser
import Foundation
import KeyflowCLI
import KeyflowLanguage
import KeyflowRuntime

/// `keyflow check FILE... [--json | --format text|json|github]`: lex, parse, resolve and type-check; no network.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check scripts without touching the network: syntax, names, types, scopes.",
        discussion: "Exits 0 when every file is clean and 2 when any has an error.")

    @Argument(help: "Script files to check (- reads one from standard input).", completion: .file(extensions: FileKinds.script))
    var files: [String]

    @OptionGroup var output: OutputFlags

    @OptionGroup var color: ColorFlag

    // Synchronous, so the front end runs on the main thread (Keyflow.main calls it there).
    // glibc grows the main thread's heap with brk, 128 KB at a time; a worker thread's
    // heap grows one page at a time with mprotect: 16,718 calls, a tenth of the time, for
    // the 100,000-statement script of docs/BENCHMARKS.md when `check` was async.
    func run() throws {
        let printer = Printer(
            format: output.chosen,
            errorColour: color.choice.palette(isTerminal: isatty(2) == 1, environment: ProcessInfo.processInfo.environment),
            progress: false)
        var errors = 0
        var failedFiles = 0
        for file in files {
            let diagnostics: [Diagnostic]
            let name = ScriptFile.name(file)
            switch ScriptFile.read(file) {
            case .success(let bytes):
                printer.know(file: name, bytes: bytes)
                let (program, found) = compile(bytes: bytes, file: name)
                KeptUntilExit.keep(program)
                diagnostics = found
            case .failure(let unreadable):
                diagnostics = [unreadable.diagnostic]
            }
            let fileErrors = diagnostics.filter(\.isError).count
            errors += fileErrors
            if fileErrors > 0 { failedFiles += 1 }
            for d in diagnostics { printer.emit(.diagnostic(d)) }
        }
        if errors > 0 {
            printer.status("\(errors) error\(errors == 1 ? "" : "s") in \(failedFiles) file\(failedFiles == 1 ? "" : "s")")
            throw ExitCode(2)
        }
    }
}
