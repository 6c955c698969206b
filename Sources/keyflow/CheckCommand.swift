import ArgumentParser
import Foundation
import KeyflowLanguage

/// `keyflow check FILE... [--json]`: lex, parse, resolve and type-check; no network.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check scripts without touching the network: syntax, names, types, scopes.",
        discussion: "Exits 0 when every file is clean and 2 when any has an error.")

    @Argument(help: "Script files to check.")
    var files: [String]

    @Flag(help: "Print diagnostics as JSON objects, one per line, on standard output.")
    var json = false

    func run() async throws {
        var renderer = DiagnosticRenderer()
        var errors = 0
        var failedFiles = 0
        for file in files {
            let diagnostics: [Diagnostic]
            if let bytes = SourceFile.read(file) {
                renderer.sources[file] = bytes
                diagnostics = compile(bytes: bytes, file: file).1
            } else {
                diagnostics = [SourceFile.unreadable(file)]
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
            renderer.sources[file] = nil
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

/// Reading script files for the language commands.
enum SourceFile {
    static func read(_ path: String) -> [UInt8]? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return [UInt8](data)
    }

    static func unreadable(_ path: String) -> Diagnostic {
        let here = SourceLocation(offset: 0, line: 1, column: 1)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        let reason = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "permission denied"
        return Diagnostic(id: "unreadable-file", summary: "cannot read \(path): \(reason)", range: SourceRange(file: path, start: here, end: here))
    }
}
