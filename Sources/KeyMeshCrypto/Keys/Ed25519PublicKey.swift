// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto

/// An Ed25519 public key (RFC 8032): 32 bytes, printed as `ed25519:<unpadded base64>`.
public struct Ed25519PublicKey: Hashable, Sendable {
    /// The key length in bytes.
    public static let length = 32

    /// The 32 raw bytes.
    public let rawRepresentation: [UInt8]

    /// Wraps 32 raw bytes.
    /// - Throws: ``KeyError/invalidLength(expected:got:)`` or ``KeyError/invalidKey``.
    public init(rawRepresentation: some Collection<UInt8>) throws(KeyError) {
        guard rawRepresentation.count == Self.length else {
            throw .invalidLength(expected: Self.length, got: rawRepresentation.count)
        }
        self.rawRepresentation = Array(rawRepresentation)
    }

    /// Parses unpadded (or padded) base64.
    public init(base64: some StringProtocol) throws(KeyError) {
        let bytes: [UInt8]
        do { bytes = try Base64.decode(base64) } catch { throw .invalidBase64 }
        try self.init(rawRepresentation: bytes)
    }

    /// Unpadded base64 of the key.
    public var base64: String { Base64.encode(rawRepresentation) }

    /// Whether `signature` is a valid Ed25519 signature by this key over `message`.
    public func isValidSignature(_ signature: Ed25519Signature, for message: some Collection<UInt8>) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation) else { return false }
        return key.isValidSignature(signature.rawRepresentation, for: Array(message))
    }
}

extension Ed25519PublicKey: CustomStringConvertible {
    public var description: String { "ed25519:\(base64)" }
}

/// An Ed25519 signature: 64 bytes.
public struct Ed25519Signature: Hashable, Sendable {
    /// The signature length in bytes.
    public static let length = 64

    /// The 64 raw bytes.
    public let rawRepresentation: [UInt8]

    /// Wraps 64 raw bytes.
    public init(rawRepresentation: some Collection<UInt8>) throws(KeyError) {
        guard rawRepresentation.count == Self.length else {
            throw .invalidLength(expected: Self.length, got: rawRepresentation.count)
        }
        self.rawRepresentation = Array(rawRepresentation)
    }

    /// Parses unpadded (or padded) base64.
    public init(base64: some StringProtocol) throws(KeyError) {
        let bytes: [UInt8]
        do { bytes = try Base64.decode(base64) } catch { throw .invalidBase64 }
        try self.init(rawRepresentation: bytes)
    }

    /// Unpadded base64 of the signature.
    public var base64: String { Base64.encode(rawRepresentation) }
}
