// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import KeyMeshCrypto

/// ChaCha20-Poly1305 of encrypted messages (docs/P2P.md §6): the sender's direction key,
/// nonce = 4 zero bytes || u64(sequence), the header as associated data.
enum P2PCipher {
    static let tagLength = 16

    static func nonce(sequence: UInt64) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0, 0]
        P2PEncoding.appendU64(sequence, to: &out)
        return out
    }

    /// ciphertext || tag of `plaintext`.
    static func seal(_ plaintext: [UInt8], key: SecretBytes, header: P2PHeader) throws(P2PError) -> [UInt8] {
        do {
            let nonce = try ChaChaPoly.Nonce(data: nonce(sequence: header.sequence))
            let box = try key.withUnsafeBytes { raw in
                try ChaChaPoly.seal(plaintext, using: SymmetricKey(data: raw), nonce: nonce,
                                    authenticating: header.associatedData)
            }
            return Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw .malformed("encryption failed")
        }
    }

    /// The plaintext, or ``P2PError/authenticationFailure`` if the tag does not verify.
    static func open(_ sealed: [UInt8], key: SecretBytes, header: P2PHeader) throws(P2PError) -> [UInt8] {
        guard sealed.count >= tagLength else { throw .authenticationFailure }
        do {
            let box = try ChaChaPoly.SealedBox(
                nonce: try ChaChaPoly.Nonce(data: nonce(sequence: header.sequence)),
                ciphertext: sealed[..<(sealed.count - tagLength)],
                tag: sealed[(sealed.count - tagLength)...])
            let plaintext = try key.withUnsafeBytes { raw in
                try ChaChaPoly.open(box, using: SymmetricKey(data: raw), authenticating: header.associatedData)
            }
            return Array(plaintext)
        } catch {
            throw .authenticationFailure
        }
    }
}
