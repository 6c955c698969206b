import Foundation
import KeyflowBasics
import KeyflowClient
import KeyflowRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// The embedded default of docs/language.md §13: the sandbox server (`keyflow-sandbox`, installed
/// beside `keyflow`) started as a child on loopback with a free port over a data folder, for
/// `plan`, `run` and the REPL when no endpoint is set. The child holds a pipe from us on its
/// stdin and exits when it closes, so it ends with us even when we are killed.
public enum SandboxProcess {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The server's name beside the running `keyflow`.
    public static let executableName = "keyflow-sandbox"

    /// The path of `keyflow-sandbox` in the folder of the running executable.
    public static func executable() throws(Failure) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let me = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        let folder = (me as NSString).deletingLastPathComponent
        let path = (folder as NSString).appendingPathComponent(executableName)
        guard access(path, X_OK) == 0 else {
            throw Failure(
                description: "\(executableName) is not in \(folder): it is built and installed with keyflow "
                    + "(swift build --product \(executableName), then copy it beside keyflow)")
        }
        return path
    }

    /// Starts the server over `directory`, waits for the line that says it listens, and reads
    /// the credentials it wrote to `directory/sandbox.json`.
    @Sendable public static func start(_ directory: String) async throws -> EmbeddedTarget {
        let server = try executable()
        let spawned: ChildProcess.Spawned
        switch ChildProcess.spawn(server, ["--port", "0", "--data", directory, "--exit-with-parent"]) {
        case .success(let s): spawned = s
        case .failure(let failure): throw Failure(description: "cannot start \(server): \(failure.reason)")
        }
        let child = Child(spawned)

        // The first line is the server's: "keyflow sandbox listening on URL project ID", or
        // its error (then it exits, and the pipe ends).
        let line = await ChildProcess.onThread { child.readLine() }
        child.drain()
        let words = line.split(separator: " ")
        guard line.hasPrefix("keyflow sandbox listening on "), words.count >= 7, words[5] == "project" else {
            await child.stop()
            let said = line.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: said.isEmpty ? "\(executableName) exited before it listened" : said)
        }
        let endpoint = String(words[4]), project = String(words[6])
        let credentials = URL(fileURLWithPath: directory).appendingPathComponent("sandbox.json")
        guard let file = CredentialsFile(path: credentials.path) else {
            await child.stop()
            throw Failure(description: "cannot read the sandbox's credentials in \(credentials.path)")
        }
        return EmbeddedTarget(
            endpoint: endpoint, project: project, apiKey: Secret(file.apiKey), session: Secret(file.session),
            organization: file.organization, organizationKey: file.organizationKey.map(Secret.init),
            directory: directory, stop: { await child.stop() })
    }

    /// The fields of DIR/sandbox.json keyflow reads. `apiKey` and `session` are required; the
    /// organization fields (docs/appwrite-api.md §12) are optional, so that files written by
    /// sandboxes before organizations still load.
    struct CredentialsFile {
        var apiKey: String
        var session: String
        /// The organization (team) id.
        var organization: String?
        /// An organization API key (`organization_…`).
        var organizationKey: String?
        /// The organization's project ids.
        var projects: [String]?

        init?(path: String) {
            guard let data = FileManager.default.contents(atPath: path), let json = JSONValue.parse(data),
                let apiKey = json["apiKey"]?.stringValue, let session = json["session"]?.stringValue
            else { return nil }
            self.apiKey = apiKey
            self.session = session
            organization = json["organization"]?.stringValue
            organizationKey = json["organizationKey"]?.stringValue
            projects = json["projects"]?.stringsValue
        }
    }

    /// The running server: its pid and our ends of its pipes.
    private final class Child: @unchecked Sendable {
        private let lock = NSLock()
        private let pid: pid_t
        private let input: Int32
        private let output: Int32
        private var stopped = false

        init(_ spawned: ChildProcess.Spawned) {
            pid = spawned.pid
            input = spawned.input
            output = spawned.output
        }

        /// Reads up to the first newline (or the end of the output).
        func readLine() -> String {
            var bytes: [UInt8] = []
            var byte: UInt8 = 0
            while bytes.count < 64 * 1024 {
                let n = read(output, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 || byte == UInt8(ascii: "\n") { break }
                bytes.append(byte)
            }
            if bytes.isEmpty || !bytes.starts(with: "keyflow sandbox listening".utf8) {
                // An error: keep reading what the server says until it exits.
                while bytes.count < 64 * 1024 {
                    let n = read(output, &byte, 1)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    bytes.append(byte)
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        /// Reads and drops whatever else it writes, so that it never blocks on a full pipe;
        /// closes our end when it exits.
        func drain() {
            let output = self.output
            Thread {
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = read(output, &buffer, buffer.count)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                }
                close(output)
            }.start()
        }

        /// Closes its stdin (it exits on that), asks it to stop, and reaps it.
        func stop() async {
            let first = lock.withLock {
                defer { stopped = true }
                return !stopped
            }
            guard first else { return }
            close(input)
            kill(pid, SIGTERM)
            let pid = self.pid
            await ChildProcess.onThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }
        }
    }
}
