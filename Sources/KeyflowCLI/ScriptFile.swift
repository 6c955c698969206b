import Foundation
import KeyflowLanguage

/// Reading a script: a file, or `-` for standard input. `check`, `fmt`, `plan` and `run`
/// all read through here, so a missing file, a folder or a file without read permission
/// is reported the same way everywhere (exit 2).
public enum ScriptFile {
    /// Why a script could not be read, as a diagnostic on the path.
    public struct Unreadable: Error, Sendable {
        public var diagnostic: Diagnostic
    }

    /// The name a script's diagnostics carry: the path, or `<stdin>` for `-`.
    public static func name(_ path: String) -> String { path == "-" ? "<stdin>" : path }

    public static func read(_ path: String) -> Result<[UInt8], Unreadable> {
        if path == "-" { return .success(Array(FileHandle.standardInput.readDataToEndOfFile())) }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists, !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) { return .success([UInt8](data)) }
        let reason = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "permission denied"
        let here = SourceLocation(offset: 0, line: 1, column: 1)
        return .failure(
            Unreadable(
                diagnostic: Diagnostic(
                    id: "unreadable-file", summary: "cannot read \(path): \(reason)", range: SourceRange(file: name(path), start: here, end: here))))
    }

    /// `keyflow plan lifetime=30d s.kf`: the path that could not be read is a `name=value`
    /// and no file of that name exists. The diagnostic says so and shows the right order.
    public static func parameterBeforeScript(_ path: String, rest: [String], command: String) -> Diagnostic? {
        guard let eq = path.firstIndex(of: "="), eq != path.startIndex, !FileManager.default.fileExists(atPath: path) else { return nil }
        let script = rest.first { !$0.contains("=") || FileManager.default.fileExists(atPath: $0) }
        let here = SourceLocation(offset: 0, line: 1, column: 1)
        let others = rest.filter { $0 != script }
        return .parameterBeforeScript(
            path, command: command, script: script, parameters: [path] + others,
            SourceRange(file: "<command line>", start: here, end: here))
    }

    /// Writes a temporary file beside `path` with the same permissions and renames it over
    /// `path`, so a reader never sees a half-written script (`fmt`).
    public static func replace(_ path: String, with data: Data) throws {
        let url = URL(fileURLWithPath: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).keyflow-fmt-\(UUID().uuidString)")
        guard
            FileManager.default.createFile(
                atPath: temporary.path, contents: data, attributes: [.posixPermissions: attributes[.posixPermissions] ?? 0o644])
        else {
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
