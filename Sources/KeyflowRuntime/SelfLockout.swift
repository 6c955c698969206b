import Foundation
import KeyflowClient
import KeyflowLanguage

/// The steps that would lock keyflow out of the project halfway through a run: deleting the
/// API key it authenticates with, retiring it with `grace 0`, taking `keys.read` or
/// `keys.write` from it, or shortening its expiry. A plan marks each such step with a
/// warning; a run refuses before its first write unless `--allow-self` says it is meant.
/// Rotating the credential with a grace period is safe: once the successor is delivered,
/// the rest of the run authenticates with it (`Rotation.execute`, `KeysAPI.adopt`).
public enum SelfLockout {
    /// Why `step` would lock out the credential whose secret is `own`; nil when it would not.
    public static func danger(of step: Step, own: Secret?) -> String? {
        guard let own, !own.isEmpty else { return nil }
        switch step.action {
        case .delete(let key) where key.secret == own:
            return "deletes the API key keyflow is using (\(key.id))"
        case .rotate(let r) where r.old.secret == own && r.grace == 0:
            return "rotates the API key keyflow is using (\(r.old.id)) with grace 0, deleting it at once"
        case .update(let before, let fields) where before.secret == own:
            let removed = before.scopes.filter { ["keys.read", "keys.write"].contains($0) && !fields.scopes.contains($0) }
            if !removed.isEmpty { return "takes \(removed.joined(separator: " and ")) from the API key keyflow is using (\(before.id))" }
            if case .at(let end) = fields.expire, FieldChange.sameExpiry(before.expire, fields.expire) == false {
                if case .at(let was) = before.expire, end >= was { return nil }
                return "shortens the expiry of the API key keyflow is using (\(before.id)) to \(Format.expiry(fields.expire))"
            }
            return nil
        default:
            return nil
        }
    }

    static func diagnostic(_ step: Step, _ danger: String, refusing: Bool) -> Diagnostic {
        Diagnostic(
            refusing ? .error : .warning, id: "self-lockout",
            summary: "`\(step.statement)` \(danger)",
            detail: refusing ? "no key was changed: keyflow checks this before its first write" : "the run would refuse it without --allow-self",
            help: "pass --allow-self if this is meant, or authenticate with another key", range: step.range)
    }
}
