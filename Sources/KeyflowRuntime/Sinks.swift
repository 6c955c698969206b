import Foundation
import KeyflowClient

#if canImport(Glibc)
    import Glibc
#endif

/// Where a secret may leave the program (docs/language.md §11). Nothing else ever writes one.
public enum SecretSink: Sendable, Hashable, CustomStringConvertible {
    /// The secret and a newline, mode 0600, atomically.
    case file(path: String)
    /// `VAR=secret` in a dotenv file: one line replaced or appended, every other byte kept.
    case env(variable: String, path: String)
    /// A command (split into words, no shell) that reads the secret on stdin.
    case run(command: String)
    /// Standard output, for interactive use.
    case stdout

    public var description: String {
        switch self {
        case .file(let path): "file \(Format.quoted(path))"
        case .env(let variable, let path): "env \(Format.quoted(variable)) in \(Format.quoted(path))"
        case .run(let command): "run \(Format.quoted(command))"
        case .stdout: "stdout"
        }
    }

    var kindName: String {
        switch self {
        case .file: "file"
        case .env: "env"
        case .run: "run"
        case .stdout: "stdout"
        }
    }
}

/// Why a sink failed. Messages never contain the secret: command output is scrubbed.
public struct SinkError: Error, Sendable, Hashable, CustomStringConvertible {
    public var sink: SecretSink
    public var reason: String
    public var description: String { "\(sink): \(reason)" }
}

/// Delivers secrets to sinks. `baseDirectory` resolves relative paths (the current directory).
public struct SinkWriter: Sendable {
    public var baseDirectory: String
    /// How long a `run` sink may take before it is killed and counted as failed.
    public var commandTimeout: TimeInterval
    /// Receives the `stdout` sink's line; defaults to the process's standard output.
    public var standardOutput: @Sendable (String) -> Void

    public init(
        baseDirectory: String = FileManager.default.currentDirectoryPath, commandTimeout: TimeInterval = 30,
        standardOutput: @escaping @Sendable (String) -> Void = { line in FileHandle.standardOutput.write(Data(line.utf8)) }
    ) {
        self.baseDirectory = baseDirectory
        self.commandTimeout = commandTimeout
        self.standardOutput = standardOutput
    }

    /// Whether delivering `secret` would change nothing (the file or dotenv line already holds it).
    /// `run` and `stdout` are never up to date: they deliver every time they are asked to.
    public func isUpToDate(_ sink: SecretSink, secret: Secret) -> Bool {
        switch sink {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: resolve(path)) else { return false }
            return data == Data((secret.reveal() + "\n").utf8)
        case .env(let variable, let path):
            guard let data = FileManager.default.contents(atPath: resolve(path)) else { return false }
            let wanted = Data("\(variable)=\(secret.reveal())".utf8)
            return DotEnv.lines(of: data).contains { DotEnv.defines($0.content, variable) && $0.content == wanted }
        case .run, .stdout:
            return false
        }
    }

    public func deliver(_ secret: Secret, to sink: SecretSink, keyID: String, keyName: String) async throws(SinkError) {
        switch sink {
        case .file(let path):
            try writeAtomically(Data((secret.reveal() + "\n").utf8), to: path, sink: sink)
        case .env(let variable, let path):
            guard DotEnv.isValidName(variable) else {
                throw SinkError(sink: sink, reason: "\(Format.quoted(variable)) is not a valid variable name")
            }
            let full = resolve(path)
            let old: Data
            do {
                old = try Self.readRegularFile(full) ?? Data()
            } catch {
                throw SinkError(sink: sink, reason: error.reason)
            }
            try writeAtomically(DotEnv.setting(variable, to: secret.reveal(), in: old), to: path, sink: sink)
        case .run(let command):
            try await runCommand(command, secret: secret, keyID: keyID, keyName: keyName, sink: sink)
        case .stdout:
            standardOutput(secret.reveal() + "\n")
        }
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
    }

    struct FileProblem: Error { var reason: String }

    /// The file's bytes, nil when it does not exist; refuses symlinks and non-regular files.
    static func readRegularFile(_ path: String) throws(FileProblem) -> Data? {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return nil }
            throw FileProblem(reason: "cannot inspect \(path): \(String(cString: strerror(errno)))")
        }
        if (st.st_mode & S_IFMT) == S_IFLNK { throw FileProblem(reason: "\(path) is a symbolic link; refusing to write through it") }
        if (st.st_mode & S_IFMT) != S_IFREG { throw FileProblem(reason: "\(path) is not a regular file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileProblem(reason: "cannot read \(path)")
        }
        return data
    }

    /// Temporary file in the target's folder (created 0700 when missing), written, fsynced,
    /// renamed over the target, folder fsynced. The target is never half-written.
    func writeAtomically(_ data: Data, to path: String, sink: SecretSink) throws(SinkError) {
        let full = resolve(path)
        let dir = (full as NSString).deletingLastPathComponent
        let fail = { (reason: String) in SinkError(sink: sink, reason: reason) }
        var st = stat()
        if lstat(full, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK { throw fail("\(path) is a symbolic link; refusing to write through it") }
            if (st.st_mode & S_IFMT) != S_IFREG { throw fail("\(path) exists and is not a regular file") }
        }
        if !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(
                    atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw fail("cannot create folder \(dir): \(error.localizedDescription)")
            }
        }
        let base = (full as NSString).lastPathComponent
        var template = Array("\(dir)/.\(base).keyflow-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw fail("cannot create a temporary file in \(dir): \(String(cString: strerror(errno)))") }
        let tmp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        if fchmod(fd, 0o600) != 0 {
            close(fd)
            throw fail("cannot set mode 0600 on \(tmp): \(String(cString: strerror(errno)))")
        }
        let written = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        if !written {
            let why = String(cString: strerror(errno))
            close(fd)
            throw fail("cannot write \(tmp): \(why)")
        }
        if fsync(fd) != 0 {
            let why = String(cString: strerror(errno))
            close(fd)
            throw fail("cannot fsync \(tmp): \(why)")
        }
        close(fd)
        // Re-check just before the rename: a symlink planted meanwhile is still refused.
        if lstat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK {
            throw fail("\(path) is a symbolic link; refusing to write through it")
        }
        if rename(tmp, full) != 0 { throw fail("cannot rename over \(path): \(String(cString: strerror(errno)))") }
        ok = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    func runCommand(_ command: String, secret: Secret, keyID: String, keyName: String, sink: SecretSink) async throws(SinkError) {
        let words: [String]
        do {
            words = try CommandLineWords.split(command)
        } catch {
            throw SinkError(sink: sink, reason: error.message)
        }
        guard let program = words.first else { throw SinkError(sink: sink, reason: "the command is empty") }
        guard let executable = CommandLineWords.locate(program, cwd: baseDirectory) else {
            throw SinkError(sink: sink, reason: "command not found: \(program)")
        }
        let result = await ChildProcess.run(
            executable: executable, arguments: Array(words.dropFirst()),
            environment: ["KEYFLOW_KEY_ID": keyID, "KEYFLOW_KEY_NAME": keyName],
            input: Data((secret.reveal() + "\n").utf8), timeout: commandTimeout)
        let output = Self.scrub(result.output, secret: secret)
        switch result.status {
        case .exited(0): return
        case .exited(let code):
            throw SinkError(sink: sink, reason: "exited with status \(code)" + (output.isEmpty ? "" : ": \(output)"))
        case .signalled(let sig):
            throw SinkError(sink: sink, reason: "killed by signal \(sig)" + (output.isEmpty ? "" : ": \(output)"))
        case .timedOut:
            throw SinkError(sink: sink, reason: "timed out after \(Format.duration(Int(commandTimeout)))")
        case .failedToStart(let why):
            throw SinkError(sink: sink, reason: "cannot start \(program): \(why)")
        }
    }

    /// The command's output, secret removed, trimmed to its last 20 lines.
    static func scrub(_ output: Data, secret: Secret) -> String {
        var text = String(decoding: output, as: UTF8.self)
        if !secret.isEmpty { text = text.replacingOccurrences(of: secret.reveal(), with: "«secret»") }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(20)
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension Error {
    fileprivate var reason: String { (self as? SinkWriter.FileProblem)?.reason ?? "\(self)" }
}

/// dotenv editing: one variable's line replaced (or appended), every other byte kept.
enum DotEnv {
    struct Line {
        var content: Data  // without the line ending
        var ending: Data  // "\n", "\r\n" or empty (last line)
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    static func lines(of data: Data) -> [Line] {
        var out: [Line] = []
        var start = data.startIndex
        var i = data.startIndex
        while i < data.endIndex {
            if data[i] == UInt8(ascii: "\n") {
                var end = i
                if end > start, data[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                out.append(Line(content: data[start..<end], ending: data[end...i]))
                start = i + 1
            }
            i += 1
        }
        if start < data.endIndex { out.append(Line(content: data[start...], ending: Data())) }
        return out
    }

    /// `VAR=…`, `export VAR=…`, with optional leading blanks and blanks around `=`.
    static func defines(_ line: Data, _ variable: String) -> Bool {
        var text = Substring(String(decoding: line, as: UTF8.self))
        text = text.drop { $0 == " " || $0 == "\t" }
        if text.hasPrefix("export ") { text = text.dropFirst(7).drop { $0 == " " || $0 == "\t" } }
        guard text.hasPrefix(variable) else { return false }
        return text.dropFirst(variable.count).drop { $0 == " " || $0 == "\t" }.first == "="
    }

    /// Replaces every line that defines `variable` by `variable=value` (so no stale value
    /// survives), or appends the line when none does.
    static func setting(_ variable: String, to value: String, in old: Data) -> Data {
        let wanted = Data("\(variable)=\(value)".utf8)
        var out = Data()
        var replaced = false
        let all = lines(of: old)
        for line in all {
            if defines(line.content, variable) {
                out += wanted
                replaced = true
            } else {
                out += line.content
            }
            out += line.ending
        }
        if !replaced {
            if let last = all.last, last.ending.isEmpty { out += Data("\n".utf8) }
            out += wanted + Data("\n".utf8)
        }
        return out
    }
}

/// Splits a `run` sink's command into words: blanks separate, `'…'` is literal, `"…"` allows
/// `\"` and `\\`, a backslash outside quotes escapes the next character. No shell is involved.
public enum CommandLineWords {
    public struct SplitError: Error, Sendable { public var message: String }

    public static func split(_ line: String) throws(SplitError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var it = line.makeIterator()
        while let c = it.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let d = it.next() {
                    if d == "'" { closed = true; break }
                    current.append(d)
                }
                if !closed { throw SplitError(message: "unterminated ' quote in the command") }
            case "\"":
                inWord = true
                var closed = false
                while let d = it.next() {
                    if d == "\"" { closed = true; break }
                    if d == "\\" {
                        guard let e = it.next() else { break }
                        if e != "\"" && e != "\\" { current.append("\\") }
                        current.append(e)
                    } else {
                        current.append(d)
                    }
                }
                if !closed { throw SplitError(message: "unterminated \" quote in the command") }
            case "\\":
                inWord = true
                guard let e = it.next() else { throw SplitError(message: "the command ends with a lone backslash") }
                current.append(e)
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// A program path: as given when it contains a slash (relative to `cwd`), else searched on PATH.
    public static func locate(_ program: String, cwd: String) -> String? {
        if program.contains("/") {
            let full = program.hasPrefix("/") ? program : (cwd as NSString).appendingPathComponent(program)
            return access(full, X_OK) == 0 ? full : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(program)"
            var st = stat()
            if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
