// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// A Curve25519 (X25519) public key: 32 bytes, printed as `curve25519:<unpadded base64>`.
public struct Curve25519PublicKey: Hashable, Sendable {
    /// The key length in bytes.
    public static let length = 32

    /// The 32 raw bytes.
    public let rawRepresentation: [UInt8]

    /// Wraps 32 raw bytes.
    /// - Throws: ``KeyError/invalidLength(expected:got:)`` unless exactly 32 bytes are given.
    public init(rawRepresentation: some Collection<UInt8>) throws(KeyError) {
        guard rawRepresentation.count == Self.length else {
            throw .invalidLength(expected: Self.length, got: rawRepresentation.count)
        }
        self.rawRepresentation = Array(rawRepresentation)
    }

    /// Parses unpadded (or padded) base64.
    /// - Throws: ``KeyError/invalidBase64`` or ``KeyError/invalidLength(expected:got:)``.
    public init(base64: some StringProtocol) throws(KeyError) {
        let bytes: [UInt8]
        do { bytes = try Base64.decode(base64) } catch { throw .invalidBase64 }
        try self.init(rawRepresentation: bytes)
    }

    /// Unpadded base64 of the key.
    public var base64: String { Base64.encode(rawRepresentation) }
}

extension Curve25519PublicKey: CustomStringConvertible {
    public var description: String { "curve25519:\(base64)" }
}
