// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import CryptoExtras
import Foundation

/// The authenticated cipher of Olm and Megolm: keys from HKDF, AES-256-CBC with PKCS#7, and
/// HMAC-SHA-256 over the encoded message (docs/OLM.md).
///
/// `AES_KEY(32) ‖ HMAC_KEY(32) ‖ IV(16) = HKDF(salt = "", IKM = secret, info, 80)`.
public struct AESCBCHMAC: Sendable {
    private let aesKey: SecretBytes
    private let hmacKey: SecretBytes
    private let iv: SecretBytes

    /// Expands `secret` (a message key) with `info` (`"OLM_KEYS"`, `"MEGOLM_KEYS"`).
    public init(secret: SecretBytes, info: [UInt8]) {
        let parts = HKDFSHA256.derive(secret: secret, info: info, count: 80).split([32, 32, 16])
        aesKey = parts[0]
        hmacKey = parts[1]
        iv = parts[2]
    }

    /// AES-256-CBC with PKCS#7 padding.
    public func encrypt(_ plaintext: some Collection<UInt8>) -> [UInt8] {
        do {
            let ivValue = try iv.withUnsafeBytes { try AES._CBC.IV(ivBytes: $0) }
            let out = try aesKey.withUnsafeBytes {
                try AES._CBC.encrypt(Array(plaintext), using: SymmetricKey(data: $0), iv: ivValue)
            }
            return [UInt8](out)
        } catch {
            preconditionFailure("AES-CBC encryption failed: \(error)") // fixed sizes; cannot fail
        }
    }

    /// Decrypts and removes PKCS#7 padding (constant-time unpadding in BoringSSL).
    /// - Throws: ``CipherError/authenticationFailure`` for a bad length or padding.
    public func decrypt(_ ciphertext: some Collection<UInt8>) throws(CipherError) -> [UInt8] {
        guard ciphertext.count > 0, ciphertext.count % 16 == 0 else { throw .authenticationFailure }
        do {
            let ivValue = try iv.withUnsafeBytes { try AES._CBC.IV(ivBytes: $0) }
            let out = try aesKey.withUnsafeBytes {
                try AES._CBC.decrypt(Array(ciphertext), using: SymmetricKey(data: $0), iv: ivValue)
            }
            return [UInt8](out)
        } catch {
            throw .authenticationFailure
        }
    }

    /// The full 32-byte HMAC of `message`; senders truncate it.
    public func mac(_ message: some Collection<UInt8>) -> [UInt8] {
        HMACSHA256.mac(key: hmacKey, message: message)
    }

    /// Whether `tag` is a valid (possibly truncated) MAC of `message`, in constant time.
    public func isValidMAC(_ tag: some Collection<UInt8>, for message: some Collection<UInt8>) -> Bool {
        HMACSHA256.isValid(tag: tag, key: hmacKey, message: message)
    }
}

/// Why a ciphertext was refused. Deliberately coarse: it never says which check failed.
public enum CipherError: Error, Equatable, Sendable {
    /// A MAC, tag or padding check failed, or the ciphertext was malformed.
    case authenticationFailure
}
