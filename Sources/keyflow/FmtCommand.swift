import ArgumentParser
import Foundation
import KeyflowBasics
import KeyflowCLI
import KeyflowLanguage

/// `keyflow fmt [--check | --diff] FILE...`: rewrite scripts in the canonical layout.
struct FmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Format scripts in the canonical layout (comments kept, meaning unchanged).",
        discussion: """
            Rewrites each file in place when its layout differs. With --check, changes nothing, \
            lists the files that are not formatted and exits 1 if there are any. With --diff, changes \
            nothing, prints a unified diff from each file to its canonical layout (patch -p0 applies \
            it) and exits 1 if there is any. A file with syntax errors is left untouched and makes the \
            command exit 2.
            """)

    @Argument(help: "Script files to format (- formats standard input to standard output).", completion: .file(extensions: FileKinds.script))
    var files: [String]

    @Flag(help: "Only report files whose layout differs; exit 1 if any.")
    var check = false

    @Flag(help: "Print a unified diff to the canonical layout instead of rewriting; exit 1 if there is one.")
    var diff = false

    func validate() throws {
        if check && diff { throw ValidationError("--check and --diff contradict each other: give one") }
    }

    // Synchronous, so it runs on the main thread, as `check` does (CheckCommand.swift).
    func run() throws {
        var failed = false
        var unformatted = false
        for file in files {
            let name = ScriptFile.name(file)
            let bytes: [UInt8]
            switch ScriptFile.read(file) {
            case .success(let read): bytes = read
            case .failure(let unreadable):
                report([unreadable.diagnostic], renderer: DiagnosticRenderer())
                failed = true
                continue
            }
            let (formatted, diagnostics) = Formatter.format(bytes: bytes, file: name)
            guard let formatted else {
                report(diagnostics, renderer: DiagnosticRenderer(sources: [name: bytes]))
                failed = true
                continue
            }
            if diff {
                let text = UnifiedDiff.diff(
                    old: String(decoding: bytes, as: UTF8.self), new: formatted, oldName: name, newName: name)
                if !text.isEmpty {
                    unformatted = true
                    FileHandle.standardOutput.write(Data(text.utf8))
                }
                continue
            }
            if file == "-" && !check {
                // Standard input in, the canonical layout out (for editors and pipes).
                FileHandle.standardOutput.write(Data(formatted.utf8))
                if Array(formatted.utf8) != bytes { unformatted = true }
                continue
            }
            if Array(formatted.utf8) == bytes { continue }
            unformatted = true
            if check {
                print(name)
                continue
            }
            do {
                try ScriptFile.replace(file, with: Data(formatted.utf8))
            } catch {
                FileHandle.standardError.write(Data("keyflow: cannot write \(file): \(error.localizedDescription)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(2) }
        if (check || diff) && unformatted { throw ExitCode(1) }
    }

    func report(_ diagnostics: [Diagnostic], renderer: DiagnosticRenderer) {
        FileHandle.standardError.write(Data(renderer.render(diagnostics).utf8))
    }
}
