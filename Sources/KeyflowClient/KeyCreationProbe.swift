/// Whether a credential may create keys, found without creating one: a create of an id that
/// exists passes the scope and parameter checks, then meets either the server's refusal of
/// key-authorised creation (403 `key_creation_denied`) or the duplicate (409
/// `key_already_exists`), docs/appwrite-api.md §6.2. `keyflow doctor` reports it; a run asks it before its first write
/// when its plan creates keys. The one probe there is.
public enum KeyCreationProbe: Sendable, Hashable {
    /// The server lets this credential create keys (a console session; API keys on servers
    /// 1.9.1–1.9.5 and `serve --legacy-key-create`).
    case allowed
    /// 403 `key_creation_denied`: creates need a console session.
    case denied
    /// Something else answered (no keys.write, unreachable, no credential, …).
    case unclear(APIError)

    /// Probes with the credential `api` uses for creates; `existingId` must be the id of a
    /// key of the project (any will do). Nothing is created, and nothing is ever deleted.
    public static func run(_ api: any KeysAPI, existingId: String) async -> KeyCreationProbe {
        do {
            // Cannot succeed (the id is taken); a client that reads an uncertain create back
            // finds a key that holds other fields than these, so it answers the 409.
            _ = try await api.createKey(id: existingId, fields: KeyFields(name: "keyflow creation probe", scopes: []))
            return .allowed
        } catch {
            if error.status == 409 { return .allowed }
            if error.type == "key_creation_denied" { return .denied }
            return .unclear(error)
        }
    }
}
