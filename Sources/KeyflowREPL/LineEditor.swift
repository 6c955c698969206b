import CEditLine
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Line editing over libedit's readline-compatible API: a prompt, history recalled with
/// Up, Tab completion from `Completer` (one Tab lists the candidates when it cannot add to
/// the word), Ctrl-C that abandons the line, Ctrl-D that ends input. Used only when
/// standard input is a terminal; one instance per process.
public final class LineEditor: @unchecked Sendable {
    /// What one read returned.
    public enum Input: Sendable, Equatable {
        case line(String)
        /// Ctrl-C: the line was abandoned.
        case interrupted
        /// Ctrl-D on an empty line, or the terminal went away.
        case endOfInput
    }

    public init(history: [String]) {
        _ = interruptFlag.load(ordering: .relaxed)  // initialise before the handler can run
        libedit.withLock { _ in
            _ = libeditConfigured
            for line in history { add_history(line) }
        }
        Interrupts.install()
    }

    /// What completion knows: variables and key names. Updated between statements, and
    /// by a background refresh of the key names.
    public func setCompletionContext(_ context: CompletionContext) {
        completionContext.withLock { $0 = context }
    }

    /// The key names completion knows now.
    public var keyNames: [String] { completionContext.withLock { $0.keyNames } }

    /// Changes part of what completion knows.
    public func updateCompletionContext(_ change: (inout CompletionContext) -> Void) {
        completionContext.withLock { change(&$0) }
    }

    /// Reads one line with editing. Blocks the calling thread: call it off the
    /// cooperative pool (`read(prompt:) async` does).
    public func readBlocking(prompt: String) -> Input {
        interruptFlag.store(0, ordering: .relaxed)
        guard let raw = libedit.withLock({ _ in readline(prompt) }) else {
            if interruptFlag.exchange(0, ordering: .relaxed) != 0 { return .interrupted }
            fputs("\n", keyflow_stderr())  // libedit leaves the cursor after ^D
            return .endOfInput
        }
        defer { free(raw) }
        let line = String(cString: raw)
        if interruptFlag.exchange(0, ordering: .relaxed) != 0 { return .interrupted }
        return .line(line)
    }

    /// Reads one line on a thread of its own, so the blocking read holds no task thread.
    public func read(prompt: String) async -> Input {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: self.readBlocking(prompt: prompt)) }
            thread.start()
        }
    }

    /// Makes a line recallable with Up in this session.
    public func remember(_ line: String) {
        libedit.withLock { _ in _ = add_history(line) }
    }
}

/// Ctrl-C: a SIGINT handler that only sets a flag. The line editor turns it into an
/// abandoned line; while a statement runs, the REPL polls it and cancels the statement.
public enum Interrupts {
    /// Installs the handler (once; later calls do nothing harmful).
    public static func install() {
        _ = interruptFlag.load(ordering: .relaxed)
        _ = keyflow_install_sigint(onInterrupt)
    }

    /// Forgets a Ctrl-C pressed before now.
    public static func clear() {
        interruptFlag.store(0, ordering: .relaxed)
    }

    /// Whether Ctrl-C was pressed since the last call (or `clear`).
    public static func take() -> Bool {
        interruptFlag.exchange(0, ordering: .relaxed) != 0
    }
}

/// libedit's readline layer is one set of process-wide globals and is not thread-safe: two
/// set-ups at once (REPLs made by parallel tests) crashed inside `rl_initialize`. It is
/// configured once, and every call into it holds this lock. (The completion and character
/// callbacks run inside `readline`, on the thread that holds it, and take no lock.)
private let libedit = Mutex(())
/// Configures libedit on first use; a global's initialiser runs exactly once.
private let libeditConfigured: Void = keyflow_rl_configure(completeWord, readCharacter)

private let interruptFlag = Atomic<Int>(0)
/// Set by completion when a Tab found several candidates and nothing to insert: the next
/// read answers a second Tab, which makes libedit list them.
private let listOnNextRead = Atomic<Bool>(false)
/// Whether the character being handled is that supplied Tab (it must not ask for another).
private let syntheticTab = Atomic<Bool>(false)
/// A byte read just after Ctrl-C, kept for the next line (-1: none).
private let pendingByte = Atomic<Int>(-1)
private let completionContext = Mutex(CompletionContext())

/// The SIGINT handler: async-signal-safe (one atomic store).
private func onInterrupt(_ signal: Int32) {
    interruptFlag.store(1, ordering: .relaxed)
}

/// libedit's character reader: one UTF-8 character from standard input as a code point.
/// SIGINT may be delivered to any thread, so the read waits in short polls and checks the
/// flag between them; after Ctrl-C it returns a newline so that readline returns and the
/// line can be dropped.
private func readCharacter(_ stream: UnsafeMutablePointer<FILE>?) -> Int32 {
    // A Tab that could only list: libedit lists on a second Tab, so one is supplied.
    if listOnNextRead.exchange(false, ordering: .relaxed) {
        syntheticTab.store(true, ordering: .relaxed)
        return 9
    }
    syntheticTab.store(false, ordering: .relaxed)
    let interrupted: Int32 = -2
    func byte() -> Int32 {
        var c: UInt8 = 0
        while true {
            if interruptFlag.load(ordering: .relaxed) != 0 { return interrupted }
            let held = pendingByte.exchange(-1, ordering: .relaxed)
            if held >= 0 { return Int32(held) }
            var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            let n = Glibc.read(0, &c, 1)
            if n == 1 {
                // Ctrl-C already seen: this byte was typed after it, so it starts the next line.
                if interruptFlag.load(ordering: .relaxed) != 0 {
                    pendingByte.store(Int(c), ordering: .relaxed)
                    return interrupted
                }
                return Int32(c)
            }
            if n == 0 { return -1 }
            if errno == EINTR || errno == EAGAIN { continue }
            return -1
        }
    }
    let first = byte()
    if first == interrupted { return 10 }
    if first < 0x80 { return first }
    let following = first >= 0xF0 ? 3 : first >= 0xE0 ? 2 : first >= 0xC0 ? 1 : 0
    var scalar = first & (0x3F >> Int32(following))
    for _ in 0..<following {
        let next = byte()
        if next == interrupted { return 10 }
        if next < 0 { return -1 }
        scalar = (scalar << 6) | (next & 0x3F)
    }
    return scalar
}

/// libedit's completion hook. libedit replaces the text after its last word-break
/// character; the completer may have started its word earlier (a key name with spaces),
/// so candidates are cut or extended to libedit's word.
private func completeWord(
    _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    keyflow_rl_completion_over()
    guard let text, let buffer = keyflow_rl_line_buffer() else { return nil }
    let point = Int(keyflow_rl_point())
    let lineBytes = Array(UnsafeRawBufferPointer(start: buffer, count: point))
    let word = String(cString: text)
    let context = completionContext.withLock { $0 }
    let completion = Completer.complete(line: String(decoding: lineBytes, as: UTF8.self), cursor: point, context: context)
    guard !completion.candidates.isEmpty else { return nil }

    let editStart = max(0, point - word.utf8.count)
    func fitted(_ candidate: String) -> String {
        if editStart >= completion.start {
            return String(decoding: candidate.utf8.dropFirst(editStart - completion.start), as: UTF8.self)
        }
        return String(decoding: lineBytes[editStart..<completion.start], as: UTF8.self) + candidate
    }
    let single = completion.candidates.count == 1
    let inserted = fitted(single ? completion.candidates[0] : completion.commonPrefix)
    // Listed key names are shown whole, in quotes, so names with spaces stay apart.
    let shown = single ? [] : completion.candidates.map { $0.hasSuffix("\"") ? "\"" + $0 : $0 }
    // Several candidates and nothing to add: list them at once (`databases.` Tab), as
    // libedit would on a second Tab.
    if !single && inserted == word && !syntheticTab.load(ordering: .relaxed) {
        listOnNextRead.store(true, ordering: .relaxed)
    }

    // libedit frees the array and its strings with free(). It tells a single match by
    // reading matches[2] even when matches[1] is NULL, so there are always at least three
    // slots, the unused ones NULL (reading past two slots made the appended space flaky).
    let count = max(3, shown.count + 2)
    let slots = calloc(count, MemoryLayout<UnsafeMutablePointer<CChar>?>.stride)!
        .bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: count)
    slots[0] = strdup(inserted)
    for (i, candidate) in shown.enumerated() { slots[i + 1] = strdup(candidate) }
    keyflow_rl_set_append_character(single && !inserted.hasSuffix(".") ? 32 : 0)
    return slots
}
