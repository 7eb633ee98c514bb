// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import Foundation

/// A caller-supplied 32-byte key that seals data at rest (pickles) with ChaCha20-Poly1305.
///
/// Sealed layout: `nonce(12) ‖ ciphertext ‖ tag(16)`; `associatedData` binds a purpose label so a
/// sealed account cannot be opened as a session.
public struct SealingKey: Sendable {
    private let key: SecretBytes

    /// Wraps 32 secret bytes.
    /// - Throws: ``KeyError/invalidLength(expected:got:)`` unless exactly 32 bytes are given.
    public init(_ secret: SecretBytes) throws(KeyError) {
        guard secret.count == 32 else { throw .invalidLength(expected: 32, got: secret.count) }
        key = secret
    }

    /// Generates a fresh random key.
    public init(using random: some RandomSource = SystemRandom()) {
        key = random.secret(count: 32)
    }

    /// Seals `plaintext` under a random nonce.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8],
                     using random: some RandomSource = SystemRandom()) -> [UInt8] {
        do {
            let nonce = try ChaChaPoly.Nonce(data: random.bytes(count: 12))
            let box = try key.withUnsafeBytes {
                try ChaChaPoly.seal(plaintext, using: SymmetricKey(data: $0), nonce: nonce,
                                    authenticating: associatedData)
            }
            return [UInt8](box.combined)
        } catch {
            preconditionFailure("ChaChaPoly sealing failed: \(error)") // fixed sizes; cannot fail
        }
    }

    /// Opens a sealed value.
    /// - Throws: ``CipherError/authenticationFailure`` for a wrong key, wrong purpose or any corruption.
    public func open(_ sealed: [UInt8], associatedData: [UInt8]) throws(CipherError) -> [UInt8] {
        guard sealed.count >= 28 else { throw .authenticationFailure }
        do {
            let box = try ChaChaPoly.SealedBox(combined: sealed)
            let out = try key.withUnsafeBytes {
                try ChaChaPoly.open(box, using: SymmetricKey(data: $0), authenticating: associatedData)
            }
            return [UInt8](out)
        } catch {
            throw .authenticationFailure
        }
    }
}

extension SealingKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "SealingKey(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
