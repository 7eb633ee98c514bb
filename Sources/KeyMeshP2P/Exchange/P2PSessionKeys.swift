// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The four 32-byte keys split from the OKM (docs/P2P.md §6), and what is computed from them.
public struct P2PSessionKeys: Sendable {
    /// Key for A → B messages, OKM[0..32).
    public let initiatorToResponder: SecretBytes
    /// Key for B → A messages, OKM[32..64).
    public let responderToInitiator: SecretBytes
    /// OKM[64..96): the SessionVerifier key.
    let confirm: SecretBytes
    /// OKM[96..128): the VCS source.
    let code: SecretBytes

    /// Splits a 128-byte OKM.
    public init(okm: SecretBytes) throws(P2PError) {
        guard okm.count == 128 else { throw .malformed("OKM must be 128 bytes") }
        let parts = okm.split([32, 32, 32, 32])
        initiatorToResponder = parts[0]
        responderToInitiator = parts[1]
        confirm = parts[2]
        code = parts[3]
    }

    /// Derives the keys of `transcript` from `ikm`.
    public init(ikm: SecretBytes, transcript: P2PKeyAgreement.Transcript) throws(P2PError) {
        try self.init(okm: P2PKeyAgreement.okm(ikm: ikm, salt: transcript.salt))
    }

    /// The SessionVerifier: base64 of HMAC-SHA-256(k_confirm, "org.keymesh.p2p.v1 responder").
    public var sessionVerifier: String {
        Base64.encode(HMACSHA256.mac(key: confirm, message: P2PKeyAgreement.verifierMessage))
    }

    /// Whether `auth` is our SessionVerifier, compared in constant time over the MAC bytes.
    public func acceptsVerifier(_ auth: String) -> Bool {
        guard let raw = try? P2PJSONReader.decode(auth, length: 32, field: "auth") else { return false }
        return HMACSHA256.isValid(tag: raw, key: confirm, message: P2PKeyAgreement.verifierMessage)
    }

    /// The VCS: the top 25 bits of k_code's first 4 bytes, as 5 symbols (docs/P2P.md §7).
    public var vcs: String {
        let value = code.withUnsafeBytes { raw in
            (UInt32(raw[0]) << 24) | (UInt32(raw[1]) << 16) | (UInt32(raw[2]) << 8) | UInt32(raw[3])
        }
        return P2PAuthCode.symbols(of: value >> 7)
    }
}

extension P2PSessionKeys: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "P2PSessionKeys(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
