import Crypto
import Foundation
import KeyflowBasics

/// Ephemeral keys: `ephemeral_` + an HS256 JWT whose payload is
/// `{"projectId":…,"scopes":[…],"exp":<unix seconds>}` (docs/appwrite-api.md §6.1). Stateless:
/// nothing is stored, a valid signature and a future `exp` are all that count.
struct EphemeralTokens: Sendable {
    let key: SymmetricKey

    init(secretHex: String) {
        var bytes: [UInt8] = []
        var it = secretHex.utf8.makeIterator()
        while let hi = it.next(), let lo = it.next(), let h = hexDigit(hi), let l = hexDigit(lo) { bytes.append(h << 4 | l) }
        key = SymmetricKey(data: bytes)
    }

    typealias Claims = EphemeralClaims

    func mint(_ claims: Claims) -> String {
        let header = base64URL(Array(#"{"typ":"JWT","alg":"HS256"}"#.utf8))
        var w = JSONWriter(capacity: 256, style: .server)
        w.raw("{")
        w.key("projectId", first: true)
        w.string(claims.projectID)
        w.key("scopes")
        w.strings(claims.scopes)
        w.key("exp")
        w.raw(String(claims.expiresAt))
        w.raw("}")
        let payload = base64URL(Array(w.text.utf8))
        let signingInput = header + "." + payload
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return signingInput + "." + base64URL(Array(mac))
    }

    /// The claims of a token with a valid signature that has not expired; nil otherwise
    /// (the caller then falls back to a guest, docs/appwrite-api.md §6.2).
    func verify(_ token: String, nowSeconds: Int64) -> Claims? {
        guard let parts = CompactJWT(token),
            HMAC<SHA256>.isValidAuthenticationCode(parts.signature, authenticating: parts.signingInput, using: key),
            let claims = Claims(parts), claims.expiresAt > nowSeconds
        else { return nil }
        return claims
    }
}
