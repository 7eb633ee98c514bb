// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The triple Diffie-Hellman that starts a session (docs/OLM.md):
/// `S = X25519(I_A, E_B) ‖ X25519(E_A, I_B) ‖ X25519(E_A, E_B)`,
/// `R_0 ‖ C_0,0 = HKDF(salt = "", S, "OLM_ROOT", 64)`.
enum SharedSecret {
    private static let rootInfo = Array("OLM_ROOT".utf8)

    /// Alice's side: her identity and base secrets, Bob's identity and one-time public keys.
    static func outbound(identity: Curve25519SecretKey, baseKey: Curve25519SecretKey,
                         theirIdentity: Curve25519PublicKey, theirOneTimeKey: Curve25519PublicKey)
        throws(KeyError) -> (RootKey, ChainKey)
    {
        derive(try identity.diffieHellman(with: theirOneTimeKey),
               try baseKey.diffieHellman(with: theirIdentity),
               try baseKey.diffieHellman(with: theirOneTimeKey))
    }

    /// Bob's side: his identity and one-time secrets, Alice's identity and base public keys.
    static func inbound(identity: Curve25519SecretKey, oneTimeKey: Curve25519SecretKey,
                        theirIdentity: Curve25519PublicKey, theirBaseKey: Curve25519PublicKey)
        throws(KeyError) -> (RootKey, ChainKey)
    {
        derive(try oneTimeKey.diffieHellman(with: theirIdentity),
               try identity.diffieHellman(with: theirBaseKey),
               try oneTimeKey.diffieHellman(with: theirBaseKey))
    }

    private static func derive(_ a: SecretBytes, _ b: SecretBytes, _ c: SecretBytes) -> (RootKey, ChainKey) {
        let ikm = SecretBytes(count: 96) { out in
            a.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[0..<32]).copyMemory(from: $0) }
            b.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[32..<64]).copyMemory(from: $0) }
            c.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[64..<96]).copyMemory(from: $0) }
        }
        let parts = HKDFSHA256.derive(secret: ikm, info: rootInfo, count: 64).split([32, 32])
        return (RootKey(secret: parts[0]), ChainKey(secret: parts[1], index: 0))
    }
}
