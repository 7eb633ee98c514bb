// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import CryptoExtras
import Foundation
import KeyMeshCrypto

/// The requester's RSA key pair for one ASYMMETRIC_WRAPPED exchange (docs/MSL.md §5.2): made
/// fresh (2048 bits) and thrown away after use, which is what makes the scheme forward secret.
public struct MSLRSAKeyPair: Sendable {
    /// swift-crypto's private key is not marked Sendable; it is immutable after creation and its
    /// decryption makes a fresh context per call, so sharing it between threads is safe.
    private final class Box: @unchecked Sendable {
        let key: _RSA.Encryption.PrivateKey
        init(_ key: _RSA.Encryption.PrivateKey) { self.key = key }
    }

    private let box: Box
    /// The public key as DER SubjectPublicKeyInfo, the `publickey` of the request.
    public let publicKeyDER: [UInt8]

    /// A fresh 2048-bit key pair.
    ///
    /// - Throws: `INVALID_PRIVATE_KEY` if generation fails.
    public init() throws(MSLError) {
        do {
            self.init(try _RSA.Encryption.PrivateKey(keySize: .bits2048))
        } catch {
            throw MSLError(.invalidPrivateKey, "RSA key generation failed")
        }
    }

    /// A key pair from a private key in DER (known-answer vectors made elsewhere).
    ///
    /// - Parameter privateKeyDER: A PKCS#8 `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey`.
    /// - Throws: `INVALID_PRIVATE_KEY` for anything else or a key under 2048 bits.
    public init(privateKeyDER: [UInt8]) throws(MSLError) {
        do {
            self.init(try _RSA.Encryption.PrivateKey(derRepresentation: privateKeyDER))
        } catch {
            throw MSLError(.invalidPrivateKey, "not an RSA private key of at least 2048 bits")
        }
    }

    private init(_ key: _RSA.Encryption.PrivateKey) {
        box = Box(key)
        publicKeyDER = Array(key.publicKey.derRepresentation)
    }

    /// Decrypts one wrapped value; any failure is `CIPHERTEXT_BAD_PADDING` (docs/MSL.md §5.2).
    func decrypt(_ ciphertext: [UInt8], padding: _RSA.Encryption.Padding) throws(MSLError) -> SecretBytes {
        do {
            var plaintext = try box.key.decrypt(ciphertext, padding: padding)
            defer { plaintext.resetBytes(in: 0..<plaintext.count) }
            return plaintext.withUnsafeBytes { SecretBytes($0) }
        } catch {
            throw MSLError(.ciphertextBadPadding, "RSA decryption failed")
        }
    }
}
