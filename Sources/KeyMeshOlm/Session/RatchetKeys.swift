// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The root key `R_i` of the double ratchet.
struct RootKey: Sendable {
    let secret: SecretBytes

    private static let ratchetInfo = Array("OLM_RATCHET".utf8)

    /// `R_new ‖ C_new,0 = HKDF(salt = R_cur, IKM = X25519(ours, theirs), "OLM_RATCHET", 64)` (docs/OLM.md).
    func advance(ours: Curve25519SecretKey, theirs: Curve25519PublicKey) throws(KeyError) -> (RootKey, ChainKey) {
        let shared = try ours.diffieHellman(with: theirs)
        let parts = HKDFSHA256.derive(secret: shared, salt: secret, info: Self.ratchetInfo, count: 64).split([32, 32])
        return (RootKey(secret: parts[0]), ChainKey(secret: parts[1], index: 0))
    }
}

/// A symmetric chain key `C_i,j` with its index `j`, for sending or receiving.
struct ChainKey: Sendable {
    let secret: SecretBytes
    let index: UInt64

    /// `C_i,j+1 = HMAC(C_i,j, 0x02)`.
    var next: ChainKey {
        ChainKey(secret: HMACSHA256.secretMAC(key: secret, message: [0x02]), index: index + 1)
    }

    /// The message key `M_i,j = HMAC(C_i,j, 0x01)` and the next chain key, keying HMAC once.
    var step: (MessageKey, ChainKey) {
        let macs = HMACSHA256.secretMACs(key: secret, bytes: [0x01, 0x02])
        return (MessageKey(secret: macs[0], index: index), ChainKey(secret: macs[1], index: index + 1))
    }
}

/// A message key `M_i,j`, used once.
struct MessageKey: Sendable {
    let secret: SecretBytes
    let index: UInt64

    private static let keysInfo = Array("OLM_KEYS".utf8)

    /// The AES-CBC + HMAC cipher this key expands into (docs/OLM.md).
    var cipher: AESCBCHMAC { AESCBCHMAC(secret: secret, info: Self.keysInfo) }
}
