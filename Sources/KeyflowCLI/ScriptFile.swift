import Foundation
#if canImport(Glibc)
import Glibc
#endif
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

    /// The script's bytes. Reading stops past `SourceLimits.maxScriptBytes`, so a device
    /// (`/dev/zero`) or a pipe that never ends is refused instead of filling memory; a
    /// named pipe or `<(command)` is read like a file.
    public static func read(_ path: String) -> Result<[UInt8], Unreadable> {
        let here = SourceLocation(offset: 0, line: 1, column: 1)
        let range = SourceRange(file: name(path), start: here, end: here)
        func failure(_ reason: String) -> Result<[UInt8], Unreadable> {
            .failure(Unreadable(diagnostic: Diagnostic(id: "unreadable-file", summary: "cannot read \(path): \(reason)", range: range)))
        }
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            return failure(errno == ENOENT ? "no such file" : errno == EACCES ? "permission denied" : String(cString: strerror(errno)))
        }
        defer { if fd != 0 { close(fd) } }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { return failure("it is a directory") }
        let limit = SourceLimits.maxScriptBytes
        if (info.st_mode & S_IFMT) == S_IFREG && Int(info.st_size) > limit {
            return .failure(Unreadable(diagnostic: .scriptTooLarge(Int(info.st_size), range)))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                return failure(errno == EISDIR ? "it is a directory" : String(cString: strerror(errno)))
            }
            bytes += chunk[0..<n]
            if bytes.count > limit { return .failure(Unreadable(diagnostic: .scriptTooLarge(nil, range))) }
        }
        return .success(bytes)
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
