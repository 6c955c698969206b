import Foundation
import KeyflowLanguage

/// Bulk statements and `for ... parallel N`: jobs run side by side, their output in order.
extension Interpreter {
    /// Runs `count` jobs, at most `limit` at once. Each job's events are held back and
    /// released in job order, so output reads in source order. After a failure no new job
    /// starts; running ones finish; the first failure (in job order) is thrown.
    func runOrdered(
        count: Int, limit: Int, emit: @escaping EventHandler,
        _ job: @escaping @Sendable (Int, @escaping EventHandler) async throws(RuntimeError) -> Void
    ) async throws(RuntimeError) {
        if count == 0 { return }
        // A simulation waits on no network: jobs one after another finish sooner than tasks
        // that would only take turns on the same cores.
        if limit <= 1 || count == 1 || !executor.runsConcurrently {
            for i in 0..<count { try await job(i, emit) }
            return
        }
        let buffers = (0..<count).map { _ in EventBuffer() }
        var done = [Bool](repeating: false, count: count)
        var flushed = 0
        var failure: (index: Int, error: RuntimeError)?
        await withTaskGroup(of: (Int, RuntimeError?).self) { group in
            var next = 0
            func launch() {
                let i = next
                next += 1
                let buffer = buffers[i]
                group.addTask {
                    do throws(RuntimeError) {
                        try await job(i, { buffer.append($0) })
                        return (i, nil)
                    } catch {
                        return (i, error)
                    }
                }
            }
            while next < min(limit, count) { launch() }
            while let (i, error) = await group.next() {
                done[i] = true
                if let error, failure.map({ i < $0.index }) ?? true { failure = (i, error) }
                while flushed < count && done[flushed] {
                    buffers[flushed].drain(into: emit)
                    flushed += 1
                }
                if failure == nil && next < count { launch() }
            }
        }
        for i in flushed..<count where done[i] { buffers[i].drain(into: emit) }
        if let failure { throw failure.error }
    }
}

/// Events of one job, held until their turn.
final class EventBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [Event] = []
    func append(_ e: Event) { lock.withLock { events.append(e) } }
    func drain(into emit: EventHandler) {
        let taken = lock.withLock {
            defer { events = [] }
            return events
        }
        taken.forEach(emit)
    }
}

/// How far each job of a loop got, for the note of a failure that stopped it.
final class JobStates: @unchecked Sendable {
    enum State { case notStarted, running, done, cutOff }
    private let lock = NSLock()
    private var states: [State]

    init(count: Int) { states = Array(repeating: .notStarted, count: count) }

    func set(_ i: Int, _ state: State) { lock.withLock { states[i] = state } }

    /// `done: a, b; cut off: c; not started: d, e` (empty groups left out).
    func report(names: [String]) -> String {
        let taken = lock.withLock { states }
        func group(_ label: String, _ wanted: State) -> String? {
            let members = taken.indices.filter { taken[$0] == wanted }.map { names[$0] }
            return members.isEmpty ? nil : "\(label): " + members.joined(separator: ", ")
        }
        return [group("done", .done), group("cut off", .cutOff), group("cut off", .running), group("not started", .notStarted)]
            .compactMap { $0 }.joined(separator: "; ")
    }
}
