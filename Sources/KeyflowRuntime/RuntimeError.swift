import Foundation
import KeyflowClient
import KeyflowLanguage

/// A failure while evaluating or executing a script, with the diagnostic that explains it
/// (source range of the statement or expression at fault) and the exit code it means.
public struct RuntimeError: Error, Sendable {
    public enum Kind: Sendable {
        /// API error, sink failure, unreachable target, bad value at runtime (exit 1).
        case failure
        /// An `assert` failed (exit 3).
        case assertion
        /// Invalid script or command line, nothing sent (exit 2).
        case usage
    }

    public var kind: Kind
    public var diagnostic: Diagnostic

    public init(_ kind: Kind = .failure, _ diagnostic: Diagnostic) {
        self.kind = kind
        self.diagnostic = diagnostic
    }

    /// The same error with `note` added to its detail.
    func noting(_ note: String) -> RuntimeError {
        let d = diagnostic
        return RuntimeError(
            kind,
            Diagnostic(
                d.severity, id: d.id, summary: d.summary, detail: [d.detail, note].compactMap { $0 }.joined(separator: "; "),
                help: d.help, range: d.range, notes: d.notes))
    }

    public var exitCode: Int32 {
        switch kind {
        case .failure: 1
        case .assertion: 3
        case .usage: 2
        }
    }

    public var status: Summary.Status {
        switch kind {
        case .failure: .failed
        case .assertion: .assertFailed
        case .usage: .invalid
        }
    }
}

// One wording pattern for every runtime problem: lower case, the cause first, then what to do.
extension RuntimeError {
    static func typeMismatch(expected: String, found: Value, _ range: SourceRange) -> RuntimeError {
        RuntimeError(.failure, Diagnostic(id: "type-mismatch", summary: "expected \(expected), found \(found.typeName)", range: range))
    }
    static func noKeyNamed(_ name: String, expired: [Key], candidates: [String], _ range: SourceRange) -> RuntimeError {
        let help: String? =
            if !expired.isEmpty { "only expired keys have this name: \(expired.map(\.id).joined(separator: ", "))" }
            else if !candidates.isEmpty { "did you mean \(candidates.map(Format.quoted).joined(separator: " or "))?" }
            else { nil }
        return RuntimeError(.failure, Diagnostic(id: "no-such-key", summary: "no active key named \(Format.quoted(name))", help: help, range: range))
    }
    static func severalKeysNamed(_ name: String, _ keys: [Key], _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure,
            Diagnostic(
                id: "ambiguous-key", summary: "\(keys.count) active keys are named \(Format.quoted(name))",
                detail: "candidates: " + keys.map { "\($0.id) (created \(Format.time($0.createdAt)))" }.joined(separator: ", "),
                help: "select one with id \"…\", or act on every one with all \(Format.quoted(name))", range: range))
    }
    static func noKeyWithID(_ id: String, _ range: SourceRange) -> RuntimeError {
        RuntimeError(.failure, Diagnostic(id: "no-such-key", summary: "no key with id \(Format.quoted(id))", range: range))
    }
    static func keyGone(_ key: Key, _ range: SourceRange) -> RuntimeError {
        RuntimeError(.failure, Diagnostic(id: "no-such-key", summary: "key \(Format.quoted(key.name)) (\(key.id)) no longer exists", range: range))
    }
    static func undefined(_ name: String, _ range: SourceRange) -> RuntimeError {
        RuntimeError(.failure, Diagnostic(id: "undefined-name", summary: "undefined name `\(name)`", range: range))
    }
    static func cannotCombine(_ l: Value, _ r: Value, adding: Bool, _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure,
            Diagnostic(
                id: "bad-operands", summary: "cannot \(adding ? "add" : "subtract") \(r.typeName) \(adding ? "to" : "from") \(l.typeName)",
                help: adding && l.typeName == "string" ? "join strings with interpolation: \"${a}${b}\"" : nil, range: range))
    }
    static func cannotCompare(_ l: Value, _ r: Value, _ range: SourceRange) -> RuntimeError {
        RuntimeError(.failure, Diagnostic(id: "bad-operands", summary: "cannot compare \(l.typeName) with \(r.typeName)", range: range))
    }
    static func secretsCannotBeCompared(_ range: SourceRange) -> RuntimeError {
        RuntimeError(.failure, Diagnostic(id: "bad-operands", summary: "secrets cannot be compared", range: range))
    }
    static func environmentVariableUnset(_ name: String, _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure,
            Diagnostic(
                id: "env-unset", summary: "environment variable \(name) is not set",
                help: "set it, or give a default: env(\"\(name)\", \"…\")", range: range))
    }
    static func cannotRead(_ path: String, resolved: String, _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure,
            Diagnostic(
                id: "cannot-read", summary: "cannot read \(path)", help: "lines() reads a file relative to the script's folder (\(resolved))",
                range: range))
    }
    static func stringTooLong(_ limit: Int, _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure,
            Diagnostic(
                id: "limit-string", summary: "this string would be longer than \(Format.bytes(limit))",
                detail: "a script may build strings of at most \(Format.bytes(limit))", range: range))
    }
    static func listTooLong(_ limit: Int, _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure, Diagnostic(id: "limit-list", summary: "this list would hold more than \(limit) items", range: range))
    }
    static func tooManyIterations(_ limit: Int, _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure,
            Diagnostic(
                id: "limit-iterations", summary: "the script's loops ran more than \(limit) times",
                help: "raise the limit with --max-iterations if this is intended", range: range))
    }
    static func tooManySteps(_ limit: Int, _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure,
            Diagnostic(
                id: "limit-steps", summary: "the script would take more than \(limit) steps",
                help: "raise the limit with --max-steps if this is intended", range: range))
    }
    static func notARegularFile(_ path: String, what: String, _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure,
            Diagnostic(id: "cannot-read", summary: "lines() reads regular files; \(path) is \(what)", range: range))
    }
    static func fileTooLarge(_ path: String, size: Int, limit: Int, _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure,
            Diagnostic(
                id: "limit-file", summary: "lines(): \(path) is \(Format.bytes(size)), more than the \(Format.bytes(limit)) it reads",
                range: range))
    }
    static func negativeGrace(_ range: SourceRange) -> RuntimeError {
        RuntimeError(.failure, Diagnostic(id: "negative-grace", summary: "grace must not be negative", help: "write for example `grace 1h`", range: range))
    }
    static func graceWindowOver(_ key: Key, predecessor p: Key, _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure,
            Diagnostic(
                id: "nothing-to-roll-back",
                summary: "the grace window of \(Format.quoted(key.name))'s rotation is over: the old key \(p.id) expired \(Format.expiry(p.expire))",
                help: "an expired key cannot be brought back; rotate again instead", range: range))
    }
    static func nothingToRollBack(_ key: Key, _ range: SourceRange) -> RuntimeError {
        RuntimeError(
            .failure,
            Diagnostic(
                id: "nothing-to-roll-back",
                summary: "nothing to roll back: \(Format.quoted(key.name)) (\(key.id)) is not part of a rotation in its grace window",
                range: range))
    }
    static func step(_ error: StepError, statement: String, _ range: SourceRange) -> RuntimeError {
        let help = error.apiError?.remedy
        let id =
            switch error {
            case .api: "api-error"
            case .sink: "sink-failed"
            }
        return RuntimeError(.failure, Diagnostic(id: id, summary: "\(statement): \(error)", help: help, range: range))
    }
    static func api(_ error: APIError, during: String, _ range: SourceRange) -> RuntimeError {
        RuntimeError(.failure, Diagnostic(id: "api-error", summary: "\(during): \(error)", help: error.remedy, range: range))
    }
    static func assertion(_ message: String, _ range: SourceRange, detail: String? = nil) -> RuntimeError {
        RuntimeError(.assertion, Diagnostic(id: "assert-failed", summary: "assertion failed: \(message)", detail: detail, range: range))
    }
    static func usage(_ summary: String, help: String? = nil, _ range: SourceRange) -> RuntimeError {
        RuntimeError(.usage, Diagnostic(id: "usage", summary: summary, help: help, range: range))
    }
    /// `projects` or `in project` (docs/language.md §7.19, §8.4) before the runtime's
    /// organization support exists. Placeholder: the organization runtime replaces it.
}
