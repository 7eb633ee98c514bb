// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// An Olm message as carried in an `m.room.encrypted` event: `{"type": 0|1, "body": "<b64>"}`.
public enum OlmMessage: Sendable, Equatable {
    /// Type 0: sent until the session has decrypted something from the peer.
    case preKey(PreKeyMessage)
    /// Type 1.
    case normal(NormalMessage)

    /// Parses a message from its Matrix type and encoded bytes.
    /// - Throws: ``MessageDecodeError``.
    public init(type: Int, bytes: [UInt8]) throws(MessageDecodeError) {
        switch type {
        case 0: self = .preKey(try PreKeyMessage(bytes: bytes))
        case 1: self = .normal(try NormalMessage(bytes: bytes))
        default: throw .unknownMessageType(type)
        }
    }

    /// Parses a message from its Matrix type and unpadded (or padded) base64 body.
    public init(type: Int, body: String) throws(MessageDecodeError) {
        let bytes: [UInt8]
        do { bytes = try Base64.decode(body) } catch { throw .invalidBase64 }
        try self.init(type: type, bytes: bytes)
    }

    /// The Matrix message type: 0 for pre-key, 1 for normal.
    public var messageType: Int {
        switch self {
        case .preKey: 0
        case .normal: 1
        }
    }

    /// The encoded message.
    public var bytes: [UInt8] {
        switch self {
        case .preKey(let m): m.bytes
        case .normal(let m): m.bytes
        }
    }

    /// The unpadded base64 body for the event.
    public var body: String { Base64.encode(bytes) }
}
