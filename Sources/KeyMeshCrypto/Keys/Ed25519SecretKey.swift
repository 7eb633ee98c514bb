// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto

/// An Ed25519 signing key (RFC 8032), built from a 32-byte seed. Never printed.
public struct Ed25519SecretKey: Sendable {
    private let key: Curve25519.Signing.PrivateKey

    /// The matching public key.
    public let publicKey: Ed25519PublicKey

    /// Generates a key from a 32-byte seed drawn from `random`.
    public init(using random: some RandomSource = SystemRandom()) {
        do { try self.init(seed: random.secret(count: 32)) } catch {
            preconditionFailure("a 32-byte seed was refused as an Ed25519 key") // invariant
        }
    }

    /// Restores a key from its 32-byte seed.
    /// - Throws: ``KeyError/invalidLength(expected:got:)`` unless exactly 32 bytes are given.
    public init(seed: SecretBytes) throws(KeyError) {
        guard seed.count == 32 else { throw .invalidLength(expected: 32, got: seed.count) }
        do {
            key = try seed.withUnsafeBytes { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) }
            publicKey = try Ed25519PublicKey(rawRepresentation: key.publicKey.rawRepresentation)
        } catch {
            throw .invalidKey
        }
    }

    /// Signs `message`. Deterministic with BoringSSL on Linux; CryptoKit may randomise on Apple
    /// systems, so tests verify signatures rather than compare bytes.
    public func signature(for message: some Collection<UInt8>) -> Ed25519Signature {
        do {
            let raw = try key.signature(for: Array(message))
            return try Ed25519Signature(rawRepresentation: raw)
        } catch {
            preconditionFailure("Ed25519 signing failed: \(error)") // BoringSSL never fails here
        }
    }

    /// The 32-byte seed. Hazardous: use only to seal it into a pickle.
    public func unsafeExportSecret() -> SecretBytes {
        key.rawRepresentation.withUnsafeBytes { SecretBytes($0) }
    }
}

extension Ed25519SecretKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "Ed25519SecretKey(public: \(publicKey), secret redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey], displayStyle: .struct) }
}
