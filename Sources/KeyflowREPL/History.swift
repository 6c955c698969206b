import Foundation

/// The REPL's history file: one entered line per line of text, kept mode 0600 in the
/// user's state folder (`$XDG_STATE_HOME/keyflow/history`, else
/// `~/.local/state/keyflow/history`) so that it survives sessions. A line that carries
/// secret material is never written (docs/language.md §11: no secret in REPL history).
public struct HistoryFile: Sendable {
    public let path: String
    /// Entries kept; the file is trimmed to this many when it grows to twice as many.
    public let limit: Int

    public init(path: String, limit: Int = 1000) {
        self.path = path
        self.limit = limit
    }

    /// Where the history lives for this user, from the environment.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/keyflow/history"
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/state/keyflow/history"
    }

    /// Whether a line may be recorded: not blank, not starting with a space (the usual
    /// "keep this out of history" convention), and free of secret material.
    public static func mayRecord(_ line: String) -> Bool {
        guard let first = line.first, first != " ", first != "\t" else { return false }
        return !SecretDetector.containsSecret(line)
    }

    /// The recorded lines, oldest first (the last `limit`). A missing file is an empty history.
    public func load() throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        try tightenPermissions()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(limit).map(String.init)
    }

    /// Appends a line when `mayRecord` allows it; returns whether it was written.
    @discardableResult
    public func append(_ line: String) throws -> Bool {
        guard Self.mayRecord(line), !line.contains("\n") else { return false }
        try createFolder()
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HistoryError.cannotWrite(path, errno: errno) }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw HistoryError.cannotWrite(path, errno: errno) }
        try trimIfNeeded()
        return true
    }

    /// Rewrites the file with its last `limit` lines once it holds twice as many.
    func trimIfNeeded() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let count = data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        guard count >= 2 * limit else { return }
        let kept = try load()
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HistoryError.cannotWrite(temporary, errno: errno) }
        let bytes = Array(kept.map { $0 + "\n" }.joined().utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw HistoryError.cannotWrite(path, errno: errno)
        }
    }

    /// The folder is created 0700; an existing file wider than 0600 is narrowed.
    func createFolder() throws {
        let folder = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw HistoryError.notAFolder(folder) }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw HistoryError.cannotWrite(folder, errno: EACCES)
        }
    }

    func tightenPermissions() throws {
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        if st.st_mode & 0o077 != 0 { _ = chmod(path, 0o600) }
    }
}

public enum HistoryError: Error, Sendable, CustomStringConvertible {
    case cannotWrite(String, errno: Int32)
    case notAFolder(String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let code): "cannot write the history file \(path): \(String(cString: strerror(code)))"
        case .notAFolder(let path): "cannot keep history: \(path) is not a folder"
        }
    }
}

/// Recognises secret material in a line of input: Appwrite key secrets (`standard_…`,
/// `ephemeral_…`), console session cookies (`a_session_…`), JWTs, passwords, and any
/// long unbroken run of hex or base64 characters.
public enum SecretDetector {
    static let markers = ["standard_", "ephemeral_", "a_session_", "password", "passwd", "cookie", "x-appwrite-key"]

    public static func containsSecret(_ line: String) -> Bool {
        let lower = line.lowercased()
        if markers.contains(where: lower.contains) { return true }
        return longestToken(in: line) >= (line.contains("eyJ") ? 20 : 40)
    }

    /// Length of the longest run of base64 characters that mixes letters and digits
    /// (a token, not a word).
    static func longestToken(in line: String) -> Int {
        var best = 0
        var run = 0
        var letters = false
        var digits = false
        for c in line.utf8 {
            let isDigit = c >= 0x30 && c <= 0x39
            let isLetter = (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            if isDigit || isLetter || c == 0x2B || c == 0x2F || c == 0x3D {
                run += 1
                letters = letters || isLetter
                digits = digits || isDigit
                if letters && digits { best = max(best, run) }
            } else {
                run = 0
                letters = false
                digits = false
            }
        }
        return best
    }
}
