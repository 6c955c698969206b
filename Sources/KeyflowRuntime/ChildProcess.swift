import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program without a shell: input on stdin, stdout and stderr captured together,
/// killed (with its process group) when it outlives the timeout.
package enum ChildProcess {
    package enum Status: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case failedToStart(String)
    }

    package struct Result: Sendable {
        package var status: Status
        package var output: Data
    }

    /// Output kept from the child (the tail matters for error messages).
    static let outputLimit = 64 * 1024

    package static func run(
        executable: String, arguments: [String], environment: [String: String], input: Data,
        timeout: TimeInterval
    ) async -> Result {
        await onThread { runBlocking(executable, arguments, environment, input, timeout) }
    }

    /// Runs blocking work (waiting on a child) on a thread of its own, not on one of the
    /// cooperative pool's few threads, which other tasks need meanwhile.
    package static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (cont: CheckedContinuation<T, Never>) in
            Thread { cont.resume(returning: work()) }.start()
        }
    }

    /// A started child: its pid, the write end of its stdin and the read end of its
    /// stdout and stderr (one pipe). The caller closes both and reaps the pid.
    package struct Spawned {
        package var pid: pid_t
        package var input: Int32
        package var output: Int32
    }

    /// Starts `executable` without a shell, in a process group of its own, with default
    /// signal handling and a pipe on each side. No other child of ours inherits the pipes.
    package static func spawn(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) -> Swift.Result<Spawned, SpawnFailure> {
        signal(SIGPIPE, SIG_IGN)  // a child that does not read its stdin must not kill us
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0]
        spawnLock.lock()
        defer { spawnLock.unlock() }
        guard pipe(&inPipe) == 0 else { return .failure(SpawnFailure(reason: "pipe: \(errnoText())")) }
        guard pipe(&outPipe) == 0 else {
            close(inPipe[0]); close(inPipe[1])
            return .failure(SpawnFailure(reason: "pipe: \(errnoText())"))
        }
        // Every end is close-on-exec, and no other spawn of ours runs between pipe() and
        // here (spawnLock), so no other child inherits these pipes; dup2 in the child
        // clears the flag on 0, 1 and 2.
        for fd in inPipe + outPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, inPipe[0])
        posix_spawn_file_actions_addclose(&actions, outPipe[1])

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)

        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(inPipe[0])
        close(outPipe[1])
        if rc != 0 {
            close(inPipe[1]); close(outPipe[0])
            return .failure(SpawnFailure(reason: String(cString: strerror(rc))))
        }
        return .success(Spawned(pid: pid, input: inPipe[1], output: outPipe[0]))
    }

    package struct SpawnFailure: Error, CustomStringConvertible {
        package var reason: String
        package var description: String { reason }
    }

    private static func runBlocking(
        _ executable: String, _ arguments: [String], _ environment: [String: String], _ input: Data,
        _ timeout: TimeInterval
    ) -> Result {
        let spawned: Spawned
        switch spawn(executable, arguments, environment: environment) {
        case .success(let s): spawned = s
        case .failure(let failure): return Result(status: .failedToStart(failure.reason), output: Data())
        }
        let pid = spawned.pid

        // The timeout kills the whole process group, which also closes the output pipe. It is
        // a timer, not a thread blocked on a semaphore: a blocked global-queue thread is one
        // the cooperative pool may need (two sinks waiting on a 2-core machine stalled every
        // other task of the run until they ended).
        let watchdog = Watchdog(pid: pid)
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { watchdog.expire() }

        input.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(spawned.input, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
        }
        close(spawned.input)

        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = read(spawned.output, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
            if output.count > outputLimit { output = output.suffix(outputLimit) }
        }
        close(spawned.output)

        // Wait for the exit without reaping, so the pid cannot be reused while the
        // watchdog may still signal its group; then disarm the watchdog and reap.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        let timedOut = watchdog.disarm()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if timedOut { return Result(status: .timedOut, output: output) }
        let low = status & 0x7f
        if low == 0 { return Result(status: .exited((status >> 8) & 0xff), output: output) }
        return Result(status: .signalled(low), output: output)
    }

    private static let spawnLock = NSLock()

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Kills a child's process group when its time is up, unless the child has ended first.
private final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private let pid: pid_t
    private var ended = false
    private var fired = false
    init(pid: pid_t) { self.pid = pid }

    func expire() {
        lock.withLock {
            guard !ended else { return }
            fired = true
            kill(-pid, SIGKILL)
        }
    }

    /// Called once the child has exited (not yet reaped); tells whether the timeout killed it.
    func disarm() -> Bool {
        lock.withLock {
            ended = true
            return fired
        }
    }
}
