import Foundation

/// What a finished process wrote and how it ended.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var all: String { stdout + stderr }
}

/// Runs a program to completion (and, for the keyflow binary, validates the JSON events it
/// printed against docs/events.schema.json: `EventSchema`). Standard input is `stdin` (or /dev/null, so it is never a
/// terminal); standard output and error go to temporary files, never to pipes: a daemon
/// the program starts (an embedded sandbox, a tmux server) could hold a pipe open, and a
/// full pipe nobody reads could stall the program. `environment` is the whole environment
/// (nil: this process's); `mergingOutput` sends both streams to `stdout`, interleaved as written.
public func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
    stdin: String? = nil, mergingOutput: Bool = false
) throws -> ProcessOutput {
    let folder = try TestPaths.temporaryFolder("keyflow-process")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let outPath = folder + "/out", errPath = folder + "/err", inPath = folder + "/in"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let stdin {
        try stdin.write(toFile: inPath, atomically: true, encoding: .utf8)
        process.standardInput = FileHandle(forReadingAtPath: inPath)
    } else {
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
    }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = mergingOutput ? out : try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Not waitUntilExit: off the main thread it can spin on Linux.
    while process.isRunning { usleep(1000) }
    try out.close()
    if !mergingOutput { try err.close() }
    func read(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
    let output = ProcessOutput(status: process.terminationStatus, stdout: read(outPath), stderr: mergingOutput ? "" : read(errPath))
    // Every JSON line the keyflow binary prints in a test must be one docs/events.schema.json allows.
    if executable == TestPaths.keyflowBinary && !mergingOutput {
        try EventSchema.shared.validate(EventSchema.eventLines(stdout: output.stdout, arguments: arguments))
    }
    return output
}

/// `runProcess`, waited for on a thread of its own: a test that waits on the cooperative
/// pool's few threads (two on a 2-core machine) starves an in-process sandbox it talks to.
public func runProcessOffThePool(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
    stdin: String? = nil, mergingOutput: Bool = false
) async throws -> ProcessOutput {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result {
                try runProcess(
                    executable, arguments, environment: environment, directory: directory, stdin: stdin, mergingOutput: mergingOutput)
            })
        }.start()
    }
}

/// Runs the keyflow binary (`TestPaths.keyflowBinary`).
public func runKeyflow(
    _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil, stdin: String? = nil
) throws -> ProcessOutput {
    try runProcess(TestPaths.keyflowBinary, arguments, environment: environment, directory: directory, stdin: stdin)
}

/// This process's environment without the variables that would point keyflow at a real
/// target or change its output (`APPWRITE_*`, `KEYFLOW_CONTEXT`, `KEYFLOW_SANDBOX`, `NO_COLOR`, GitHub Actions'
/// `GITHUB_ACTIONS` and `GITHUB_STEP_SUMMARY`), plus `extra`.
public func isolatedEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    for name in [
        "APPWRITE_ENDPOINT", "APPWRITE_PROJECT_ID", "APPWRITE_API_KEY", "APPWRITE_SESSION", "KEYFLOW_CONTEXT", "KEYFLOW_SANDBOX", "NO_COLOR",
        "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY",
    ] {
        environment.removeValue(forKey: name)
    }
    environment.merge(extra) { $1 }
    return environment
}

/// The output of a program that must succeed (`curl`, `tmux`); throws with its output otherwise.
public func capture(_ executable: String, _ arguments: [String]) throws -> Data {
    let result = try runProcess(executable, arguments, mergingOutput: true)
    guard result.status == 0 else { throw TestSupportFailure("\(executable) failed (\(result.status)): \(result.stdout)") }
    return Data(result.stdout.utf8)
}

extension FileHandle {
    /// Reads up to the first newline (a server prints its port or address, then keeps the pipe open).
    public func firstLine() -> String {
        var bytes: [UInt8] = []
        while true {
            let chunk = readData(ofLength: 1)
            if chunk.isEmpty || chunk.first == 10 { break }
            bytes.append(chunk.first!)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// How a bounded child process ended (`runBounded`).
public struct BoundedOutcome: Sendable {
    /// The exit status, nil when the process died by a signal (or was killed at the deadline).
    public var status: Int32?
    /// The signal that ended it, nil when it exited.
    public var signal: Int32?
    /// Whether it was killed for outliving its time limit.
    public var timedOut: Bool
    /// Its peak resident memory in bytes (wait4's ru_maxrss).
    public var peakMemory: Int
    public var seconds: Double
    public var stdout: String
    public var stderr: String
}

/// Runs a program with a time limit, measuring its peak memory: spawned directly and
/// reaped with wait4, whose rusage is the child's own; killed with SIGKILL at the deadline.
/// Standard input is /dev/null; the outputs go to temporary files (as `runProcess`).
public func runBounded(
    _ executable: String, _ arguments: [String], environment: [String: String], directory: String, seconds limit: Double,
    stdin: String = "/dev/null"
) throws -> BoundedOutcome {
    let folder = try TestPaths.temporaryFolder("keyflow-bounded")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let outPath = folder + "/out", errPath = folder + "/err"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    // The child is a shell that changes folder and execs the program: the same process,
    // so wait4's rusage is the program's.
    let argv = (["/bin/sh", "-c", #"cd "$0" && exec "$@""#, directory, executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
    let start = ContinuousClock.now
    let deadline = start + .milliseconds(Int(limit * 1000))
    var status: Int32 = 0
    var usage = rusage()
    var timedOut = false
    while true {
        let reaped = wait4(pid, &status, WNOHANG, &usage)
        if reaped == pid { break }
        if reaped < 0 && errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
        if !timedOut && ContinuousClock.now > deadline {
            timedOut = true
            kill(pid, SIGKILL)
        }
        usleep(2000)
    }
    let elapsed = ContinuousClock.now - start
    func read(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
    let signalled = status & 0x7F != 0 && status & 0x7F != 0x7F
    return BoundedOutcome(
        status: signalled ? nil : (status >> 8) & 0xFF, signal: signalled ? status & 0x7F : nil, timedOut: timedOut,
        peakMemory: Int(usage.ru_maxrss) * 1024,
        seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
        stdout: read(outPath), stderr: read(errPath))
}
