// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import Foundation

/// HKDF with SHA-256 (RFC 5869), from swift-crypto.
public enum HKDFSHA256 {
    /// Derives `count` bytes from `secret`, with a public `salt` (empty = the RFC's default salt).
    public static func derive(secret: SecretBytes, salt: [UInt8] = [], info: [UInt8], count: Int) -> SecretBytes {
        secret.withUnsafeBytes { ikm in
            salt.withUnsafeBytes { derive(ikm: ikm, salt: $0, info: info, count: count) }
        }
    }

    /// Derives `count` bytes from `secret` with a secret salt (Olm's root key as salt; docs/OLM.md).
    public static func derive(secret: SecretBytes, salt: SecretBytes, info: [UInt8], count: Int) -> SecretBytes {
        secret.withUnsafeBytes { ikm in
            salt.withUnsafeBytes { derive(ikm: ikm, salt: $0, info: info, count: count) }
        }
    }

    private static func derive(ikm: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer,
                               info: [UInt8], count: Int) -> SecretBytes {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: ikm), salt: salt, info: info, outputByteCount: count)
        return key.withUnsafeBytes { SecretBytes($0) }
    }
}

/// HMAC-SHA-256 (RFC 2104), from swift-crypto.
public enum HMACSHA256 {
    /// The MAC of `message` under `key`, kept secret (Olm chain and message keys are HMAC outputs).
    public static func secretMAC(key: SecretBytes, message: some Collection<UInt8>) -> SecretBytes {
        let mac = key.withUnsafeBytes {
            HMAC<SHA256>.authenticationCode(for: Array(message), using: SymmetricKey(data: $0))
        }
        return mac.withUnsafeBytes { SecretBytes($0) }
    }

    /// The MACs of several one-byte messages under one key, keying HMAC once (Olm's chain step
    /// derives `HMAC(C, 0x01)` and `HMAC(C, 0x02)` from the same chain key).
    public static func secretMACs(key: SecretBytes, bytes: [UInt8]) -> [SecretBytes] {
        let keyed = key.withUnsafeBytes { HMAC<SHA256>(key: SymmetricKey(data: $0)) }
        return bytes.map { byte in
            var hmac = keyed
            hmac.update(data: [byte])
            return hmac.finalize().withUnsafeBytes { SecretBytes($0) }
        }
    }

    /// The MAC of `message` under `key`, as public bytes (a tag to send).
    public static func mac(key: SecretBytes, message: some Collection<UInt8>) -> [UInt8] {
        let mac = key.withUnsafeBytes {
            HMAC<SHA256>.authenticationCode(for: Array(message), using: SymmetricKey(data: $0))
        }
        return Array(mac)
    }

    /// Whether `tag` equals the first `tag.count` bytes of the MAC (constant time; at least 8 bytes).
    public static func isValid(tag: some Collection<UInt8>, key: SecretBytes, message: some Collection<UInt8>) -> Bool {
        let tag = Array(tag)
        guard tag.count >= 8, tag.count <= 32 else { return false }
        let full = mac(key: key, message: message)
        return ConstantTime.equals(tag, full[0..<tag.count])
    }
}

/// SHA-256, from swift-crypto.
public enum SHA256Digest {
    /// The 32-byte digest of `message`.
    public static func hash(_ message: some Collection<UInt8>) -> [UInt8] {
        Array(SHA256.hash(data: Array(message)))
    }
}

/// HMAC-SHA-1, from swift-crypto: only for Synapse's shared-secret admin registration, whose
/// wire format fixes it (`mac` = hex HMAC-SHA1 over nonce, user, password and admin flag).
public enum HMACSHA1 {
    /// Whether `hexTag` is the hex HMAC-SHA1 of `message` under `key`, compared in constant time.
    public static func isValid(hexTag: String, key: some Collection<UInt8>, message: some Collection<UInt8>) -> Bool {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(message), using: SymmetricKey(data: Array(key)))
        let expected = Array(Hex.encode(mac).utf8)
        let given = Array(hexTag.lowercased().utf8)
        guard given.count == expected.count else { return false }
        return ConstantTime.equals(given, expected)
    }
}
