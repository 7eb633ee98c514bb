// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// The symmetric JWKs MSL wraps session keys in (docs/MSL.md §5.2).
enum MSLJWK {
    /// Which session key a JWK carries.
    enum Role {
        case encryption, hmac

        var algorithm: String { self == .encryption ? "A128CBC" : "HS256" }
        var length: Int { self == .encryption ? MSLSessionKeys.encryptionKeyLength : MSLSessionKeys.hmacKeyLength }
        var keyOps: String { self == .encryption ? #"["encrypt","decrypt"]"# : #"["sign","verify"]"# }
        var use: String { self == .encryption ? "enc" : "sig" }
    }

    /// How the usage is written: `key_ops` (JWK_RSA, JWK_RSAES) or `use` (the JWE mechanisms).
    enum Usage { case keyOps, use }

    /// Bounds on a JWK read back (a real one is about 120 bytes).
    static let limits = JSONParser.Limits(maxDepth: 4, maxMembers: 32, maxElements: 16,
                                          maxStringBytes: 1024, maxInputBytes: 4096)

    /// The UTF-8 JSON of `key` as a JWK, e.g.
    /// `{"kty":"oct","alg":"A128CBC","extractable":false,"key_ops":["encrypt","decrypt"],"k":…}`.
    /// The caller wipes the result.
    static func encode(_ key: SecretBytes, role: Role, usage: Usage) -> [UInt8] {
        let usageMember = usage == .keyOps ? #""key_ops":\#(role.keyOps)"# : #""use":"\#(role.use)""#
        var out: [UInt8] = []
        out.reserveCapacity(160)
        out.append(contentsOf: #"{"kty":"oct","alg":"\#(role.algorithm)","extractable":false,"#.utf8)
        out.append(contentsOf: usageMember.utf8)
        out.append(contentsOf: #","k":""#.utf8)
        key.withUnsafeBytes { out.append(contentsOf: MSLBase64URL.encode($0).utf8) }
        out.append(contentsOf: #""}"#.utf8)
        return out
    }

    /// The key in a JWK read back: not a JSON object → `SESSION_KEY_CREATION_FAILURE`; `kty` not
    /// `oct` or `k` missing, empty or not base64url → `INVALID_JWK`; `k` of the wrong length →
    /// `SESSION_KEY_CREATION_FAILURE`. Everything else in the JWK is ignored.
    static func decode(_ bytes: [UInt8], role: Role) throws(MSLError) -> SecretBytes {
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(bytes, limits: limits)
        } catch {
            throw MSLError(.sessionKeyCreationFailure, "unwrapped key is not JSON")
        }
        guard let object = parsed.objectValue else {
            throw MSLError(.sessionKeyCreationFailure, "unwrapped key is not a JSON object")
        }
        guard let kty = object["kty"]?.stringValue, kty.utf8.elementsEqual("oct".utf8) else {
            throw MSLError(.invalidJWK, "JWK kty is not oct")
        }
        guard let k = object["k"]?.stringValue, !k.isEmpty else { throw MSLError(.invalidJWK, "JWK has no k") }
        var key = try MSLBase64URL.decode(k, error: .invalidJWK)
        defer { SecretBytes.wipe(&key) }
        guard key.count == role.length else {
            throw MSLError(.sessionKeyCreationFailure, "JWK key has \(key.count) bytes, not \(role.length)")
        }
        return SecretBytes(key)
    }
}
