// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The reason byte of a Close record (docs/channel-protocol.md §6).
public enum CloseReason: UInt8, Sendable, Equatable, CustomStringConvertible {
    case normal = 0x00
    case protocolError = 0x01
    case messageTooLarge = 0x02
    case clientNotAllowed = 0x03
    case timeout = 0x04

    public var description: String {
        switch self {
        case .normal: "normal close"
        case .protocolError: "protocol error"
        case .messageTooLarge: "message too large"
        case .clientNotAllowed: "client key not allowed"
        case .timeout: "timeout"
        }
    }
}
