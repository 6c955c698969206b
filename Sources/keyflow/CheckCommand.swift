import ArgumentParser
import Foundation
import KeyflowCLI
import KeyflowLanguage

/// `keyflow check FILE... [--json]`: lex, parse, resolve and type-check; no network.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check scripts without touching the network: syntax, names, types, scopes.",
        discussion: "Exits 0 when every file is clean and 2 when any has an error.")

    @Argument(help: "Script files to check (- reads one from standard input).", completion: .file(extensions: FileKinds.script))
    var files: [String]

    @Flag(help: "Print diagnostics as JSON objects, one per line, on standard output.")
    var json = false

    func run() async throws {
        var renderer = DiagnosticRenderer()
        var errors = 0
        var failedFiles = 0
        for file in files {
            let diagnostics: [Diagnostic]
            let name = ScriptFile.name(file)
            switch ScriptFile.read(file) {
            case .success(let bytes):
                renderer.sources[name] = bytes
                diagnostics = compile(bytes: bytes, file: name).1
            case .failure(let unreadable):
                diagnostics = [unreadable.diagnostic]
            }
            let fileErrors = diagnostics.filter(\.isError).count
            errors += fileErrors
            if fileErrors > 0 { failedFiles += 1 }
            for d in diagnostics {
                if json {
                    print(renderer.json(d))
                } else {
                    FileHandle.standardError.write(Data(renderer.render(d).utf8))
                }
            }
            renderer.sources[name] = nil
        }
        if errors > 0 {
            if !json {
                let summary = "\(errors) error\(errors == 1 ? "" : "s") in \(failedFiles) file\(failedFiles == 1 ? "" : "s")\n"
                FileHandle.standardError.write(Data(summary.utf8))
            }
            throw ExitCode(2)
        }
    }
}
