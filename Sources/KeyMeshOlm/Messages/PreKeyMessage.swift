// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshWire

/// An Olm pre-key message (Matrix type 0): the session-setup keys plus a normal message. It has no
/// outer MAC; the inner message authenticates the keys through the 3DH secret (docs/OLM.md).
///
/// | bytes | content |
/// |---|---|
/// | 1 | version `0x03` |
/// | 2 + 32 | `0A 20` Bob's one-time (or fallback) key `E_B` |
/// | 2 + 32 | `12 20` Alice's base key `E_A` |
/// | 2 + 32 | `1A 20` Alice's identity key `I_A` |
/// | 1 + varint + n | `22` length, the entire ``NormalMessage`` |
public struct PreKeyMessage: Sendable, Equatable {
    /// The recipient's one-time or fallback key the session was built on.
    public let oneTimeKey: Curve25519PublicKey
    /// The sender's ephemeral base key.
    public let baseKey: Curve25519PublicKey
    /// The sender's Curve25519 identity key.
    public let identityKey: Curve25519PublicKey
    /// The enclosed normal message.
    public let message: NormalMessage
    /// The whole encoded message.
    public let bytes: [UInt8]

    /// Parses an encoded pre-key message.
    /// - Throws: ``MessageDecodeError``; never traps.
    public init(bytes: [UInt8]) throws(MessageDecodeError) {
        guard let first = bytes.first else { throw .messageTooShort(length: 0) }
        guard first == NormalMessage.version else {
            throw .invalidVersion(expected: NormalMessage.version, got: first)
        }
        let fields = try MessageFields(body: bytes[1...])
        oneTimeKey = try fields.key(1)
        baseKey = try fields.key(2)
        identityKey = try fields.key(3)
        message = try NormalMessage(bytes: try fields.bytes(4))
        self.bytes = bytes
    }

    /// Encodes the setup keys around `message`.
    init(sessionKeys: SessionKeys, message: NormalMessage) {
        var writer = ByteWriter(capacity: message.bytes.count + 110)
        writer.writeByte(NormalMessage.version)
        writer.writeBytesField(1, sessionKeys.oneTimeKey.rawRepresentation)
        writer.writeBytesField(2, sessionKeys.baseKey.rawRepresentation)
        writer.writeBytesField(3, sessionKeys.identityKey.rawRepresentation)
        writer.writeBytesField(4, message.bytes)
        oneTimeKey = sessionKeys.oneTimeKey
        baseKey = sessionKeys.baseKey
        identityKey = sessionKeys.identityKey
        self.message = message
        bytes = writer.bytes
    }

    /// The keys that identify the session this message sets up.
    public var sessionKeys: SessionKeys {
        SessionKeys(identityKey: identityKey, baseKey: baseKey, oneTimeKey: oneTimeKey)
    }

    /// The id of the session this message belongs to.
    public var sessionID: String { sessionKeys.sessionID }
}
