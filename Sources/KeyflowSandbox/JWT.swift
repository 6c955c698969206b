import Foundation
import KeyflowBasics

// The parsing half of ephemeral keys (docs/appwrite-api.md §6.1): splitting a compact JWT
// and reading its claims, without the HMAC (EphemeralToken.swift), so that the request
// fuzzer can compile it alone (docs/fuzzing.md).

/// A compact JWT's three base64url parts, decoded.
struct CompactJWT {
    /// `header.payload`, the bytes the signature covers.
    let signingInput: [UInt8]
    let header: [UInt8]
    let payload: [UInt8]
    let signature: [UInt8]

    /// Nil unless `token` is three dot-separated base64url parts.
    init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let header = base64URLDecode(parts[0]),
            let payload = base64URLDecode(parts[1]),
            let signature = base64URLDecode(parts[2])
        else { return nil }
        self.signingInput = Array((parts[0] + "." + parts[1]).utf8)
        self.header = header
        self.payload = payload
        self.signature = signature
    }
}

/// The claims of an ephemeral key's payload: `{"projectId":…,"scopes":[…],"exp":<unix seconds>}`.
struct EphemeralClaims: Equatable {
    var projectID: String
    var scopes: [String]
    var expiresAt: Int64

    init(projectID: String, scopes: [String], expiresAt: Int64) {
        self.projectID = projectID
        self.scopes = scopes
        self.expiresAt = expiresAt
    }

    /// The claims of a token whose header says HS256; nil when a claim is missing or mistyped.
    /// (The signature is not looked at here.)
    init?(_ jwt: CompactJWT) {
        guard let header = JSONValue.parse(jwt.header), header["alg"] == .string("HS256"),
            let payload = JSONValue.parse(jwt.payload),
            case .string(let projectID)? = payload["projectId"],
            case .array(let scopeValues)? = payload["scopes"],
            case .integer(let exp)? = payload["exp"]
        else { return nil }
        var scopes: [String] = []
        for value in scopeValues {
            guard case .string(let s) = value else { return nil }
            scopes.append(s)
        }
        self.init(projectID: projectID, scopes: scopes, expiresAt: exp)
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
