// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshWire

/// Why bytes are not an Olm message. Thrown by the parsers before any key is touched.
public enum MessageDecodeError: Error, Equatable, Sendable {
    /// The first byte is not the supported version (`0x03`).
    case invalidVersion(expected: UInt8, got: UInt8)
    /// The message is shorter than its fixed parts.
    case messageTooShort(length: Int)
    /// A required field is absent (field number as in docs/OLM.md).
    case missingField(UInt64)
    /// A key field is not exactly 32 bytes.
    case invalidKeyLength(field: UInt64, length: Int)
    /// The protobuf-style body is malformed.
    case malformedBody(WireError)
    /// The body is not valid base64.
    case invalidBase64
    /// The Matrix message type is neither 0 (pre-key) nor 1 (normal).
    case unknownMessageType(Int)
}
