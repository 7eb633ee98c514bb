// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import KeyMeshCrypto

/// The DIFFIE_HELLMAN key derivation, identical on both sides (docs/MSL.md §5.1):
/// `h = SHA-384(00 ‖ minimal Z)`, `Kenc = h[0..16)`, `Khmac = h[16..48)`.
enum MSLDHKeyDerivation {
    static func sessionKeys(sharedSecret z: some Collection<UInt8>) throws(MSLError) -> MSLSessionKeys {
        var zbytes = MSLDHWire.encode(z)
        defer { SecretBytes.wipe(&zbytes) }
        let digest = SHA384.hash(data: zbytes)
        let h = digest.withUnsafeBytes { SecretBytes($0) }
        let parts = h.split([MSLSessionKeys.encryptionKeyLength, MSLSessionKeys.hmacKeyLength])
        // 16 + 32 = 48 bytes, the SHA-384 length: the sizes the init requires, so it cannot throw.
        return try MSLSessionKeys(encryptionKey: parts[0], hmacKey: parts[1])
    }
}
