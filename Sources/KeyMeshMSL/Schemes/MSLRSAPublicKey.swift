// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import CryptoExtras
import Foundation
import KeyMeshCrypto

/// Reading the requester's RSA public key (docs/MSL.md §5.2, §12).
enum MSLRSAPublicKey {
    /// The accepted key sizes, in bits (docs/MSL.md §12).
    static let bits = 2048...8192
    /// A DER SPKI of an 8192-bit key is about 1,100 bytes; anything much longer is refused unread.
    static let maxDERBytes = 2048

    /// The key in `der`, which must be an RSA SubjectPublicKeyInfo in canonical DER (a PKCS#1
    /// `RSAPublicKey` or a re-encodable variant is refused) of 2048 – 8192 bits; else
    /// `INVALID_PUBLIC_KEY`.
    static func parse(_ der: [UInt8]) throws(MSLError) -> _RSA.Encryption.PublicKey {
        guard !der.isEmpty, der.count <= maxDERBytes else {
            throw MSLError(.invalidPublicKey, "RSA public key is empty or too long")
        }
        let key: _RSA.Encryption.PublicKey
        do {
            key = try _RSA.Encryption.PublicKey(derRepresentation: der)
        } catch {
            throw MSLError(.invalidPublicKey, "not an RSA SubjectPublicKeyInfo of at least 2048 bits")
        }
        guard bits.contains(key.keySizeInBits) else {
            throw MSLError(.invalidPublicKey, "RSA key must have \(bits.lowerBound) to \(bits.upperBound) bits")
        }
        // Compared as bytes in one pass (a Data-against-Array comparison iterated byte by byte).
        let reencoded = key.derRepresentation
        guard reencoded.count == der.count, reencoded.withUnsafeBytes({ $0.elementsEqual(der) }) else {
            throw MSLError(.invalidPublicKey, "RSA public key is not a DER SubjectPublicKeyInfo")
        }
        return key
    }

    /// Encrypts `plaintext` to `key`. Failure (a JWK too long for the key) is `WRAP_ERROR`.
    static func encrypt(_ plaintext: some DataProtocol, to key: _RSA.Encryption.PublicKey,
                        padding: _RSA.Encryption.Padding) throws(MSLError) -> [UInt8] {
        do {
            return try key.encrypt(plaintext, padding: padding).withUnsafeBytes { [UInt8]($0) }
        } catch {
            throw MSLError(.wrapError, "RSA encryption failed")
        }
    }
}
