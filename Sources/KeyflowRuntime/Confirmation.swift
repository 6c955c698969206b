import Foundation
import KeyflowClient
import KeyflowLanguage

/// Which runs ask before their first write on a terminal (docs/language.md §12.6b): those
/// that delete keys, retire keys (rotation), or change more than `threshold` keys; and the
/// question they ask. The shells ask it (only a person at a terminal is asked).
public enum Confirmation {
    public static let threshold = 20

    /// Which runs ask.
    public enum Rule: Sendable {
        /// `keyflow run`: any delete or retirement, or more than `threshold` keys changed.
        case run
        /// The REPL, where each statement is typed on purpose: a bulk delete or retirement
        /// (more than one key), or more than `threshold` keys changed.
        case bulk
    }

    public static func isNeeded(_ steps: [Step], rule: Rule = .run) -> Bool {
        let destructive = steps.filter {
            switch $0.action {
            case .delete, .rotate: true
            default: false
            }
        }.count >= (rule == .run ? 1 : 2)
        let keys = Set(steps.compactMap { step -> String? in
            if case .deliver = step.action { return nil }
            return step.keyID.map { "\(step.project)/\($0)" } ?? "ephemeral \(step.range.start.offset)"
        })
        return destructive || keys.count > threshold
    }

    /// `Apply these 3 changes to project "p" on https://…? [y/N] `
    public static func question(_ steps: [Step], target: TargetDescription) -> String {
        var projects: [String] = []
        for step in steps {
            let p = step.project.isEmpty ? target.project : step.project
            if !projects.contains(p) { projects.append(p) }
        }
        let place =
            projects.count == 1
            ? "project \(Format.quoted(projects[0]))" : "projects " + projects.map(Format.quoted).joined(separator: ", ")
        return "Apply these \(steps.count) changes to \(place) on \(target.endpoint)? [y/N] "
    }

    /// Whether an answer typed at the prompt means yes.
    public static func isYes(_ answer: String) -> Bool {
        ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
    }
}

extension Session {
    /// Asks before a run whose steps delete or retire keys, or change many
    /// (`Confirmation`): the refusal when the answer is no.
    func confirmation(_ steps: [Step], _ options: RunOptions) async -> RuntimeError? {
        guard let confirm = options.confirm, Confirmation.isNeeded(steps, rule: options.confirmRule) else { return nil }
        if await confirm(steps, Confirmation.question(steps, target: target)) { return nil }
        return RuntimeError(
            .failure,
            Diagnostic(
                id: "not-confirmed", summary: "the run was not confirmed", detail: "nothing was changed",
                help: "answer y to apply the changes, or pass --yes", range: steps[0].range))
    }
}
