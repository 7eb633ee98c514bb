// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import Foundation
import KeyMeshCrypto

/// SYMMETRIC_WRAPPED key wrapping (docs/MSL.md §5.3): each session key wrapped separately with
/// AES key wrap (RFC 3394, default IV), 16 bytes → 24 and 32 → 40.
public enum MSLSymmetricWrap {
    /// The fixed salt and info of the pre-shared wrapping-key derivation (docs/MSL.md §5.3).
    static let salt: [UInt8] = [0x02, 0x76, 0x17, 0x98, 0x4f, 0x62, 0x27, 0x53,
                                0x9a, 0x63, 0x0b, 0x89, 0x7c, 0x01, 0x7d, 0x69]
    static let info: [UInt8] = [0x80, 0x9f, 0x82, 0xa7, 0xad, 0xdf, 0x54, 0x8d,
                                0x3e, 0xa9, 0xdd, 0x06, 0x7f, 0xf9, 0xbb, 0x91]
    /// A wrapped key is 24 or 40 bytes; longer input is refused unread.
    static let maxWrappedBytes = 1024

    /// The pre-shared wrapping key of an entity (docs/MSL.md §5.3):
    /// `Kpw = HMAC-SHA256(key = HMAC-SHA256(key = salt, Kpe ‖ Kph), info)[0..16)`.
    ///
    /// - Parameters:
    ///   - kpe: The entity's pre-shared encryption key (16 bytes).
    ///   - kph: The entity's pre-shared HMAC key (32 bytes).
    /// - Returns: The 16-byte Kpw.
    public static func wrappingKey(preSharedEncryptionKey kpe: SecretBytes, hmacKey kph: SecretBytes) -> SecretBytes {
        var extract = HMAC<SHA256>(key: SymmetricKey(data: salt))
        kpe.withUnsafeBytes { extract.update(data: $0) }
        kph.withUnsafeBytes { extract.update(data: $0) }
        let prk = SymmetricKey(data: extract.finalize())
        let okm = HMAC<SHA256>.authenticationCode(for: info, using: prk)
        return okm.withUnsafeBytes { SecretBytes(UnsafeRawBufferPointer(rebasing: $0[0..<16])) }
    }

    /// Wraps both session keys (issuer side).
    ///
    /// - Parameters:
    ///   - keys: The session keys to send.
    ///   - wrappingKey: Kpw (any AES key of 16, 24 or 32 bytes).
    /// - Returns: The 24-byte `encryptionkey` and 40-byte `hmackey` of the response key data.
    /// - Throws: `INVALID_WRAPPING_KEY` for a key of another size.
    public static func wrap(_ keys: MSLSessionKeys, wrappingKey: SecretBytes)
        throws(MSLError) -> (encryptionKey: [UInt8], hmacKey: [UInt8])
    {
        let kek = try kek(wrappingKey)
        return (try wrap(keys.encryptionKey, kek), try wrap(keys.hmacKey, kek))
    }

    /// Unwraps both session keys (requester side).
    ///
    /// - Parameters:
    ///   - encryptionKey: The response's wrapped `encryptionkey`.
    ///   - hmacKey: The response's wrapped `hmackey`.
    ///   - wrappingKey: Kpw.
    /// - Returns: The session keys.
    /// - Throws: `UNWRAP_ERROR` when the integrity check fails (wrong key, tampering, bad length);
    ///   `SESSION_KEY_CREATION_FAILURE` for keys of the wrong size; `INVALID_WRAPPING_KEY`.
    public static func unwrap(encryptionKey: [UInt8], hmacKey: [UInt8], wrappingKey: SecretBytes)
        throws(MSLError) -> MSLSessionKeys
    {
        let kek = try kek(wrappingKey)
        return try MSLSessionKeys(encryptionKey: try unwrap(encryptionKey, kek), hmacKey: try unwrap(hmacKey, kek))
    }

    private static func kek(_ wrappingKey: SecretBytes) throws(MSLError) -> SymmetricKey {
        guard [16, 24, 32].contains(wrappingKey.count) else {
            throw MSLError(.invalidWrappingKey, "AES key wrap needs a 16, 24 or 32-byte key")
        }
        return wrappingKey.withUnsafeBytes { SymmetricKey(data: $0) }
    }

    private static func wrap(_ secret: SecretBytes, _ kek: SymmetricKey) throws(MSLError) -> [UInt8] {
        do {
            let key = secret.withUnsafeBytes { SymmetricKey(data: $0) }
            return try AES.KeyWrap.wrap(key, using: kek).withUnsafeBytes { [UInt8]($0) }
        } catch {
            throw MSLError(.wrapError, "AES key wrap failed")
        }
    }

    private static func unwrap(_ wrapped: [UInt8], _ kek: SymmetricKey) throws(MSLError) -> SecretBytes {
        guard wrapped.count <= maxWrappedBytes else { throw MSLError(.unwrapError, "wrapped key is too long") }
        do {
            let key = try AES.KeyWrap.unwrap(wrapped, using: kek)
            return key.withUnsafeBytes { SecretBytes($0) }
        } catch {
            throw MSLError(.unwrapError, "AES key unwrap failed")
        }
    }
}
