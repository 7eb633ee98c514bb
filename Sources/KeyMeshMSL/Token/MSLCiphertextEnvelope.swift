// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import CryptoExtras
import KeyMeshCrypto
import KeyMeshMatrixAPI

/// The encrypted `sessiondata` of a master token (docs/MSL.md §6): AES-128-CBC with PKCS#7
/// padding under the issuer's encryption key. KeyMesh writes MSL's version 1 envelope
/// `{"keyid","iv","ciphertext","sha256":"AA=="}` and reads version 1 and version 2
/// `{"version":2,"cipherspec":"AES/CBC/PKCS5Padding","iv","ciphertext"}`.
enum MSLCiphertextEnvelope {
    static let ivLength = 16

    /// Encrypts `plaintext` under `keys` with a random IV; returns the envelope's UTF-8 JSON.
    static func seal(_ plaintext: [UInt8], keys: MSLIssuerKeys, random: some RandomSource) throws(MSLError) -> [UInt8] {
        let iv = random.bytes(count: ivLength)
        let ciphertext: [UInt8]
        do {
            let ivValue = try AES._CBC.IV(ivBytes: iv)
            let sealed = try keys.encryptionKey.withUnsafeBytes {
                try AES._CBC.encrypt(plaintext, using: SymmetricKey(data: $0), iv: ivValue)
            }
            ciphertext = sealed.withUnsafeBytes { [UInt8]($0) }
        } catch {
            throw MSLError(.mastertokenKeyCreationError, "AES-CBC encryption failed")
        }
        var writer = MSLJSONWriter(capacity: 96 + keys.keyID.utf8.count + ciphertext.count / 3 * 4)
        writer.base64("ciphertext", ciphertext)
        writer.base64("iv", iv)
        writer.string("keyid", keys.keyID)
        writer.string("sha256", "AA==")
        return writer.finish()
    }

    /// Decrypts a version 1 or 2 envelope under `keys`; nil when a version 1 envelope names a
    /// key id other than `keys.keyID` (docs/MSL.md §9 Decision: the token stays unverified).
    /// - Throws: `CIPHERTEXT_ENVELOPE_PARSE_ERROR` for a malformed envelope,
    ///   `CIPHERTEXT_ILLEGAL_BLOCK_SIZE` / `CIPHERTEXT_BAD_PADDING` when decryption fails.
    static func open(_ envelope: [UInt8], keys: MSLIssuerKeys) throws(MSLError) -> [UInt8]? {
        let reader = try MSLObjectReader(bytes: envelope, code: .ciphertextEnvelopeParseError)
        if reader.has("version") {
            guard try reader.int("version") == 2 else {
                throw MSLError(.ciphertextEnvelopeParseError, "unknown envelope version")
            }
            guard try reader.string("cipherspec").mslEquals("AES/CBC/PKCS5Padding") else {
                throw MSLError(.ciphertextEnvelopeParseError, "unknown cipherspec")
            }
        } else {
            let keyID = try reader.string("keyid")
            _ = try reader.binary("sha256")
            guard keyID.mslEquals(keys.keyID) else { return nil }
        }
        let iv = try reader.binary("iv")
        guard iv.count == ivLength else { throw MSLError(.ciphertextEnvelopeParseError, "IV must be 16 bytes") }
        return try decrypt(try reader.binary("ciphertext"), iv: iv, key: keys.encryptionKey)
    }

    private static func decrypt(_ ciphertext: [UInt8], iv: [UInt8], key: SecretBytes) throws(MSLError) -> [UInt8] {
        guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
            throw MSLError(.ciphertextIllegalBlockSize, "ciphertext is not whole AES blocks")
        }
        do {
            let ivValue = try AES._CBC.IV(ivBytes: iv)
            return try key.withUnsafeBytes {
                [UInt8](try AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: $0), iv: ivValue))
            }
        } catch {
            throw MSLError(.ciphertextBadPadding, "AES-CBC decryption failed")
        }
    }
}
