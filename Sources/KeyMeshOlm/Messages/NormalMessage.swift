// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshWire

/// An Olm normal message (Matrix type 1), docs/OLM.md
///
/// | bytes | content |
/// |---|---|
/// | 1 | version `0x03` |
/// | 2 + 32 | `0A 20` ratchet key `T_i` |
/// | 1 + varint | `10` chain index `j` |
/// | 1 + varint + n | `22` length, AES-CBC ciphertext `X` |
/// | 8 | truncated HMAC-SHA-256 over all preceding bytes |
public struct NormalMessage: Sendable, Equatable {
    /// The only version sent on Matrix.
    public static let version: UInt8 = 0x03
    /// The truncated MAC length.
    public static let macLength = 8

    /// The sender's current ratchet key.
    public let ratchetKey: Curve25519PublicKey
    /// The index of the message in the sender's chain.
    public let chainIndex: UInt64
    /// The AES-256-CBC ciphertext.
    public let ciphertext: [UInt8]
    /// The whole encoded message: the MAC covers all but its last 8 bytes, exactly as received.
    public let bytes: [UInt8]

    /// Parses an encoded message. Checks the version byte first and key lengths while parsing.
    /// - Throws: ``MessageDecodeError``; never traps.
    public init(bytes: [UInt8]) throws(MessageDecodeError) {
        guard let first = bytes.first else { throw .messageTooShort(length: 0) }
        guard first == Self.version else { throw .invalidVersion(expected: Self.version, got: first) }
        guard bytes.count > 1 + Self.macLength else { throw .messageTooShort(length: bytes.count) }
        let fields = try MessageFields(body: bytes[1..<(bytes.count - Self.macLength)])
        ratchetKey = try fields.key(1)
        chainIndex = try fields.varint(2)
        ciphertext = try fields.bytes(4)
        self.bytes = bytes
    }

    /// Encodes a message and appends the MAC computed by `mac` over the preceding bytes.
    init(ratchetKey: Curve25519PublicKey, chainIndex: UInt64, ciphertext: [UInt8],
         mac: ([UInt8]) -> [UInt8]) {
        var writer = ByteWriter(capacity: ciphertext.count + 48)
        writer.writeByte(Self.version)
        writer.writeBytesField(1, ratchetKey.rawRepresentation)
        writer.writeVarintField(2, chainIndex)
        writer.writeBytesField(4, ciphertext)
        let tag = mac(writer.bytes).prefix(Self.macLength)
        writer.writeBytes(tag)
        self.ratchetKey = ratchetKey
        self.chainIndex = chainIndex
        self.ciphertext = ciphertext
        self.bytes = writer.bytes
    }

    /// The bytes the MAC covers.
    var authenticatedBytes: ArraySlice<UInt8> { bytes[0..<(bytes.count - Self.macLength)] }
    /// The received MAC.
    var mac: ArraySlice<UInt8> { bytes[(bytes.count - Self.macLength)...] }
}
