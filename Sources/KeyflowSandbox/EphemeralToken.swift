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

    struct Claims: Equatable {
        var projectID: String
        var scopes: [String]
        var expiresAt: Int64
    }

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
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerBytes = base64URLDecode(parts[0]),
            let payloadBytes = base64URLDecode(parts[1]),
            let signature = base64URLDecode(parts[2])
        else { return nil }
        let signingInput = Array((parts[0] + "." + parts[1]).utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else { return nil }
        guard let header = JSONValue.parse(headerBytes), header["alg"] == .string("HS256"),
            let payload = JSONValue.parse(payloadBytes),
            case .string(let projectID)? = payload["projectId"],
            case .array(let scopeValues)? = payload["scopes"],
            case .integer(let exp)? = payload["exp"]
        else { return nil }
        var scopes: [String] = []
        for value in scopeValues {
            guard case .string(let s) = value else { return nil }
            scopes.append(s)
        }
        guard exp > nowSeconds else { return nil }
        return Claims(projectID: projectID, scopes: scopes, expiresAt: exp)
    }
}

func base64URL(_ bytes: [UInt8]) -> String {
    Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

func base64URLDecode(_ text: Substring) -> [UInt8]? {
    var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    guard !s.contains("=") else { return nil }
    while s.count % 4 != 0 { s += "=" }
    return Data(base64Encoded: s).map(Array.init)
}
