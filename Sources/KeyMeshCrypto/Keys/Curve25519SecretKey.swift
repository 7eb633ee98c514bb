// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto

/// A Curve25519 (X25519) private key. Never printed; exportable only through
/// ``unsafeExportSecret()`` for sealed persistence.
public struct Curve25519SecretKey: Sendable {
    private let key: Curve25519.KeyAgreement.PrivateKey

    /// The matching public key.
    public let publicKey: Curve25519PublicKey

    /// Generates a key from 32 bytes of `random` (libolm also uses 32 random bytes; clamping
    /// happens inside X25519, RFC 7748 §5).
    public init(using random: some RandomSource = SystemRandom()) {
        // 32 random bytes are always a valid X25519 scalar, so this cannot fail.
        do { try self.init(secret: random.secret(count: 32)) } catch {
            preconditionFailure("32 random bytes were refused as an X25519 key") // invariant
        }
    }

    /// Restores a key from its 32 secret bytes.
    /// - Throws: ``KeyError/invalidLength(expected:got:)`` unless exactly 32 bytes are given.
    public init(secret: SecretBytes) throws(KeyError) {
        guard secret.count == 32 else { throw .invalidLength(expected: 32, got: secret.count) }
        do {
            key = try secret.withUnsafeBytes { try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: $0) }
            publicKey = try Curve25519PublicKey(rawRepresentation: key.publicKey.rawRepresentation)
        } catch {
            throw .invalidKey
        }
    }

    /// X25519 with `publicKey` (RFC 7748 §6.1).
    /// - Returns: the 32-byte shared secret.
    /// - Throws: ``KeyError/nonContributoryKey`` if the output is all zeros (checked in constant time).
    public func diffieHellman(with publicKey: Curve25519PublicKey) throws(KeyError) -> SecretBytes {
        let shared: SharedSecret
        do {
            let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKey.rawRepresentation)
            shared = try key.sharedSecretFromKeyAgreement(with: peer)
        } catch {
            throw .invalidKey
        }
        let secret = shared.withUnsafeBytes { SecretBytes($0) }
        if secret.isAllZero { throw .nonContributoryKey }
        return secret
    }

    /// The 32 secret bytes. Hazardous: use only to seal them into a pickle.
    public func unsafeExportSecret() -> SecretBytes {
        key.rawRepresentation.withUnsafeBytes { SecretBytes($0) }
    }
}

extension Curve25519SecretKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "Curve25519SecretKey(public: \(publicKey), secret redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey], displayStyle: .struct) }
}
