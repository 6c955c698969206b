import ArgumentParser
import Foundation
import KeyflowLanguage

/// `keyflow fmt [--check] FILE...`: rewrite scripts in the canonical layout.
struct FmtCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Format scripts in the canonical layout (comments kept, meaning unchanged).",
        discussion: """
            Rewrites each file in place when its layout differs. With --check, changes nothing, \
            lists the files that are not formatted and exits 1 if there are any. A file with \
            syntax errors is left untouched and makes the command exit 2.
            """)

    @Argument(help: "Script files to format.")
    var files: [String]

    @Flag(help: "Only report files whose layout differs; exit 1 if any.")
    var check = false

    func run() async throws {
        var failed = false
        var unformatted = false
        for file in files {
            guard let bytes = SourceFile.read(file) else {
                report([SourceFile.unreadable(file)], renderer: DiagnosticRenderer())
                failed = true
                continue
            }
            let (formatted, diagnostics) = Formatter.format(bytes: bytes, file: file)
            guard let formatted else {
                report(diagnostics, renderer: DiagnosticRenderer(sources: [file: bytes]))
                failed = true
                continue
            }
            if Array(formatted.utf8) == bytes { continue }
            unformatted = true
            if check {
                print(file)
                continue
            }
            do {
                try SourceFile.replace(file, with: Data(formatted.utf8))
            } catch {
                FileHandle.standardError.write(Data("keyflow: cannot write \(file): \(error.localizedDescription)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(2) }
        if check && unformatted { throw ExitCode(1) }
    }

    func report(_ diagnostics: [Diagnostic], renderer: DiagnosticRenderer) {
        FileHandle.standardError.write(Data(renderer.render(diagnostics).utf8))
    }
}

extension SourceFile {
    /// Writes a temporary file beside `path` with the same permissions and renames it
    /// over `path`, so a reader never sees a half-written script.
    static func replace(_ path: String, with data: Data) throws {
        let url = URL(fileURLWithPath: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).keyflow-fmt-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: attributes[.posixPermissions] ?? 0o644]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
