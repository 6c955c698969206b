import Foundation
import KeyflowBasics
import KeyflowClient
import KeyflowLanguage
import KeyflowRuntime

/// The interactive loop: reads chunks with the line editor, runs each through the same
/// runtime `Session` that `keyflow run` uses, prints what it reports, and carries the
/// variables from one chunk to the next.
public final class REPL: @unchecked Sendable {
    let session: Session
    let editor: LineEditor
    let history: HistoryFile?
    let style: PlanText.Style
    /// Terminal columns, read before each statement (the terminal may be resized).
    let columns: @Sendable () -> Int
    let output: Output

    var planMode = false
    /// Types of the variables bound so far, for the checker and completion.
    var types: [String: ValueType] = [:]
    /// Lines entered, oldest first (the history file's, then this session's).
    var entered: [String]
    /// Set when Ctrl-C skipped the wait for the first key names.
    let startupWaitSkipped = Latch()
    /// The running background refresh of the key names, if any.
    var refresh: Task<Void, Never>?
    var assembler = InputAssembler()
    /// Each chunk is named `<repl>` in diagnostics; this counts them for `:history`.
    let file = "<repl>"

    public init(
        session: Session, history: HistoryFile?, colour: Bool,
        columns: @escaping @Sendable () -> Int = Terminal.columns
    ) {
        self.session = session
        self.history = history
        let recorded = (try? history?.load()) ?? []
        self.entered = recorded
        self.editor = LineEditor(history: recorded)
        self.style = PlanText.Style(colour: colour)
        self.columns = columns
        self.output = Output()
    }

    /// `sandbox>`, `PROJECT@host>` or `CONTEXT:PROJECT@host>`, with `(plan)` while `:plan on`.
    var plainPrompt: String {
        let target = session.target
        let name =
            target.isSandbox
            ? "sandbox" : (target.context.map { "\($0):" } ?? "") + "\(target.project)@\(Self.host(of: target.endpoint))"
        return name + (planMode ? " (plan)" : "") + "> "
    }

    /// The prompt as the line editor gets it: coloured on a terminal, its escape codes
    /// between libedit's invisible-text markers (\u{1} … \u{2}) so they take no columns.
    var prompt: String {
        let plain = plainPrompt
        guard style.enabled else { return plain }
        return Palette.invisibleEscapes(style.prompt(String(plain.dropLast()))) + " "
    }

    /// The continuation prompt: as wide as the prompt, so continued lines line up.
    var continuationPrompt: String {
        let width = plainPrompt.count
        return String(repeating: " ", count: max(0, width - 5)) + "...> "
    }

    static func host(of endpoint: String) -> String {
        guard let url = URL(string: endpoint), let host = url.host else { return endpoint }
        return url.port.map { "\(host):\($0)" } ?? host
    }

    /// Runs until Ctrl-D or `:quit`; returns the exit status (0).
    public func run() async -> Int32 {
        output.out(session.target.line)
        output.out("Type :help for help, Tab to complete, Ctrl-D to leave.")
        await loadKeyNamesAtStart()
        while true {
            let input = await editor.read(prompt: assembler.isEmpty ? prompt : continuationPrompt)
            switch input {
            case .endOfInput:
                return 0
            case .interrupted:
                assembler.reset()
            case .line(let line):
                if assembler.isEmpty && line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
                record(line)
                if assembler.isEmpty, MetaCommand.isMetaCommand(line) {
                    if await meta(line) == .quit { return 0 }
                    continue
                }
                if case .complete(let source, let parsed) = assembler.add(line) {
                    await evaluate(source, parsed)
                }
            }
        }
    }

    func record(_ line: String) {
        guard HistoryFile.mayRecord(line) else { return }
        editor.remember(line)
        entered.append(line)
        do {
            try history?.append(line)
        } catch {
            output.err("warning: \(error)")
        }
    }

    // MARK: - Statements

    /// Checks a complete chunk against the session's variables, then plans or runs it.
    func evaluate(_ source: String, _ parsed: ParseResult) async {
        var renderer = DiagnosticRenderer(sources: [file: Array(source.utf8)])
        renderer.palette = style
        var program = parsed.program
        if parsed.hasErrors {
            // A line that is an expression (`k.scopes`, `count(keys)`) prints its value.
            guard let expression = Self.expression(source, parsed, file: file) else {
                output.err(renderer.render(parsed.diagnostics), newline: false)
                return
            }
            switch expression {
            case .expression(let expr):
                program = Program(statements: [Statement(.print([expr]), range: expr.range)], range: expr.range)
            case .invalid(let diagnostics):
                output.err(renderer.render(diagnostics), newline: false)
                if let typo = Hints.mistypedFirstWord(source, variables: Set(types.keys)) { output.err("  help: " + typo) }
                return
            }
        }
        let checked = Checker.check(program, options: CheckOptions(predeclared: types))
        if checked.hasErrors {
            let keyNames = editor.keyNames
            let errors = checked.diagnostics.filter(\.isError).map { Hints.adjusted($0, source: source, keyNames: keyNames) }
            output.err(renderer.render(errors), newline: false)
            return
        }
        let warnings = checked.diagnostics.filter { !$0.isError }
        if !warnings.isEmpty { output.err(renderer.render(warnings), newline: false) }

        let outcome = await execute(program, source: source)
        if outcome.summary.status == .ok && !planMode {
            types = checked.bindings
            updateCompletion()
        }
        if outcome.summary.mode == .run && !outcome.finished.isEmpty {
            // The names written are completable at once; the full list follows in the background.
            let written = outcome.finished.filter { if case .delete = $0.action { false } else { true } }.map(\.keyName)
            editor.updateCompletionContext { $0.keyNames = Array(Set($0.keyNames + written)).sorted() }
            refreshKeyNamesInBackground()
        }
    }

    /// When the chunk does not start with a statement keyword, its expression parse
    /// (nil when it does start with one: the statement's own diagnostics apply).
    static func expression(_ source: String, _ parsed: ParseResult, file: String) -> BareExpression? {
        let first = source.drop { $0 == " " || $0 == "\t" }.prefix { $0.isLetter || $0 == "_" }
        if Vocabulary.statementKeywords.contains(String(first)) { return nil }
        if first == "in", source.drop(while: { $0 == " " || $0 == "\t" }).dropFirst(2).drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("project") {
            return nil  // `in project EXPR { … }`
        }
        let (expr, diagnostics) = Parser.parseExpression(source: source, file: file)
        if let expr, !diagnostics.contains(where: \.isError) { return .expression(expr) }
        return .invalid(diagnostics)
    }

    enum BareExpression {
        case expression(Expr)
        case invalid([Diagnostic])
    }

    struct Outcome {
        var summary: Summary
        var interrupted: Bool
        var finished: [Step]
    }

    /// Plans or runs a checked program; Ctrl-C cancels it (its in-flight requests are
    /// aborted by the client) and one block says which steps completed, which were cut off
    /// in flight and which never started — instead of the run's failure report.
    func execute(_ program: Program, source: String) async -> Outcome {
        let report = TextReport(style: style, sources: [file: Array(source.utf8)])
        let log = StepLog()
        let output = self.output
        let planning = planMode
        let emit: EventHandler = { event in
            if case .finished(let step, _, _) = event { log.append(step) }
            if log.interrupted {
                // After Ctrl-C the failures are the cancellation itself: summed up below.
                switch event {
                case .failed(let step, _, _):
                    log.cutOff(step)
                    return
                case .diagnostic(let d) where d.isError: return
                case .summary(let s):
                    log.notStarted(s.notDone)
                    return
                default: break
                }
            }
            // A statement that changed and checked nothing needs no summary line in a REPL.
            if case .summary(let s) = event, s.status == .ok, s.changes == 0, s.upToDate == 0 { return }
            guard let (stream, text) = report.render(event) else { return }
            stream == .stdout ? output.out(text) : output.err(text)
        }
        let options = RunOptions(announceTarget: false)
        let session = self.session
        Interrupts.clear()
        let width = columns()
        let palette = style
        let task = Task {
            // `list` fits its table to the terminal.
            await KeyTable.$width.withValue(width) {
                await KeyTable.$palette.withValue(palette) {
                    planning
                        ? await session.plan(program, source: source, options: options, emit: emit)
                        : await session.run(program, source: source, options: options, emit: emit)
                }
            }
        }
        let watcher = Task {
            while !Task.isCancelled {
                if Interrupts.take() {
                    log.interrupt()
                    task.cancel()
                    return
                }
                try? await Task.sleep(for: .milliseconds(40))
            }
        }
        let summary = await task.value
        watcher.cancel()
        await watcher.value
        let done = log.steps
        if log.interrupted { output.err(Self.interruption(log)) }
        return Outcome(summary: summary, interrupted: log.interrupted, finished: done)
    }

    /// The lines printed after Ctrl-C: the terminal's `^C` echo erased, then every step
    /// of the statement by what became of it.
    static func interruption(_ log: StepLog) -> String {
        let done = log.steps, cut = log.cutOffSteps, waiting = log.notStartedSteps
        var text = "\r\u{1B}[KInterrupted: "
        text += done.isEmpty ? "no step completed" : "\(done.count) step\(done.count == 1 ? "" : "s") completed"
        if !cut.isEmpty { text += ", \(cut.count) cancelled in flight" }
        if !waiting.isEmpty { text += ", \(waiting.count) not started" }
        text += "."
        for step in done { text += "\n  ✓ \(step.kind) \(Format.quoted(step.keyName))" }
        for step in cut {
            text += "\n  ? \(step.kind) \(Format.quoted(step.keyName)) — cancelled in flight: the server may still apply it"
        }
        for step in waiting { text += "\n  - \(step.kind) \(Format.quoted(step.keyName)) — not started" }
        return text
    }

    // MARK: - Completion

    /// Fetches the project's key names for completion (once, before the first prompt).
    /// Says why when the keys cannot be listed (a wrong endpoint or credential shows at once).
    func refreshKeyNames() async {
        do {
            let names = try await KeyCache.fetchAll(from: session.api).map(\.name)
            editor.updateCompletionContext { $0.keyNames = Array(Set(names)).sorted() }
        } catch {
            if !Task.isCancelled && !startupWaitSkipped.isOpen { output.err("warning: cannot list the project's keys (\(error)); Tab will not complete key names") }
        }
    }

    /// The key names before the first prompt, so that Tab knows them at once; Ctrl-C (a
    /// slow or unreachable server) stops the wait and they arrive in the background.
    func loadKeyNamesAtStart() async {
        Interrupts.clear()
        let loaded = Latch()
        let fetch = Task {
            await self.refreshKeyNames()
            loaded.open()
        }
        while !loaded.isOpen {
            if Interrupts.take() {
                startupWaitSkipped.open()  // a late failure must not print over the line being typed
                output.err("\r\u{1B}[Kkey names are still loading: Tab completes them once they arrive")
                refresh = fetch
                return
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// After a write: the next prompt does not wait for the list.
    func refreshKeyNamesInBackground() {
        refresh?.cancel()
        let api = session.api, editor = self.editor
        refresh = Task {
            guard let keys = try? await KeyCache.fetchAll(from: api), !Task.isCancelled else { return }
            editor.updateCompletionContext { $0.keyNames = Array(Set(keys.map(\.name))).sorted() }
        }
    }

    /// Variables (and whether each holds a key) for completion.
    func updateCompletion() {
        var variables: [String: CompletionContext.VariableKind] = [:]
        for (name, type) in types { variables[name] = type == .key ? .key : type == .project ? .project : .other }
        editor.updateCompletionContext { $0.variables = variables }
    }

    // MARK: - Meta-commands

    func meta(_ line: String) async -> MetaCommand? {
        switch MetaCommand.parse(line) {
        case .failure(let error):
            output.err("error: \(error)")
            return nil
        case .success(let command):
            switch command {
            case .help(let topic):
                if let text = REPLHelp.text(topic: topic) {
                    output.out(text)
                } else {
                    output.err("error: " + REPLHelp.unknownTopic(topic ?? ""))
                }
            case .plan(let on):
                if let on { planMode = on }
                output.out(planMode
                    ? "plan mode on: statements are planned (reads only); nothing is written"
                    : "plan mode off: statements run")
            case .target:
                output.out(session.target.line)
            case .vars:
                let values = session.environment.values
                if values.isEmpty { output.out("no variables yet: bind one with `let NAME = EXPR` or `... as NAME`") }
                let width = values.keys.map(\.count).max() ?? 0
                for name in values.keys.sorted() {
                    let value = values[name]!
                    output.out(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value.typeName + "  " + value.displayText)
                }
            case .history(let count):
                let shown = entered.suffix(count ?? 20)
                let first = entered.count - shown.count + 1
                for (i, line) in shown.enumerated() { output.out(String(format: "%5d  ", first + i) + line) }
            case .quit:
                break
            }
            return command
        }
    }
}

/// What became of a statement's steps, collected from the event handler, and whether
/// Ctrl-C cancelled it.
final class StepLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _steps: [Step] = []
    private var _cutOff: [Step] = []
    private var _notStarted: [Step] = []
    private var _interrupted = false
    func append(_ step: Step) { lock.withLock { _steps.append(step) } }
    func cutOff(_ step: Step) { lock.withLock { _cutOff.append(step) } }
    func notStarted(_ steps: [Step]) { lock.withLock { _notStarted += steps } }
    func interrupt() { lock.withLock { _interrupted = true } }
    /// Steps that finished.
    var steps: [Step] { lock.withLock { _steps } }
    /// Steps whose request was in flight when Ctrl-C cancelled it.
    var cutOffSteps: [Step] { lock.withLock { _cutOff } }
    /// Steps planned that never started.
    var notStartedSteps: [Step] { lock.withLock { _notStarted } }
    var interrupted: Bool { lock.withLock { _interrupted } }
}

/// A flag set once, read from another task.
final class Latch: @unchecked Sendable {
    private let lock = NSLock()
    private var _open = false
    func open() { lock.withLock { _open = true } }
    var isOpen: Bool { lock.withLock { _open } }
}

/// Unbuffered writes, so output and the prompt (on stderr) never interleave out of order.
struct Output: Sendable {
    func out(_ text: String, newline: Bool = true) { write(1, text + (newline ? "\n" : "")) }
    func err(_ text: String, newline: Bool = true) { write(2, text + (newline ? "\n" : "")) }

    private func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR { continue } else { return } }
            bytes = bytes.dropFirst(n)
        }
    }
}

/// The terminal's size.
public enum Terminal {
    /// Columns of the terminal on stdout (or stderr), 80 when unknown.
    @Sendable public static func columns() -> Int {
        var size = winsize()
        for fd in [Int32(1), 2] where ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return 80
    }
}
