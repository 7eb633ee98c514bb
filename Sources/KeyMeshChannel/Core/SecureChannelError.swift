// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Why a channel failed or ended. Every check on peer input ends in one of these; none traps.
public enum SecureChannelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A frame header or body had a length the protocol does not allow.
    case badLength(type: UInt8, length: Int)
    /// A frame or packet type that is unknown, or not expected in the current state.
    case unexpectedFrame(type: UInt8)
    /// The Hello carried a protocol version this implementation does not speak.
    case unsupportedVersion(UInt8)
    /// A box did not open, or an echoed tag or vouch did not match.
    case authenticationFailed
    /// A curve_tun handshake reused a client ephemeral key already accepted while its cookie
    /// still opens: a replayed Hello or Vouch (docs/channel-protocol.md §9).
    case replayedHandshake
    /// A stream record's counter was not the next one (gap, replay or reordering).
    case counterMismatch(expected: UInt64, got: UInt64)
    /// A record's contents broke a rule (unknown kind, empty chunk, bad Close, record after Close).
    case malformedRecord
    /// A message exceeded the maximum message size.
    case messageTooLarge(size: Int, limit: Int)
    /// The server's policy refused the client's key.
    case clientNotAllowed
    /// A handshake step or the connection timed out.
    case timeout
    /// The peer closed with a Close record giving this reason (other than a normal close).
    case closedByPeer(CloseReason)
    /// The transport ended without a Close record: a lost or truncated connection.
    case connectionLost
    /// The channel is closed; nothing more can be sent or received.
    case closed
    /// The counter space is exhausted (2^64 − 1 records).
    case counterExhausted
    /// A transport-level failure (socket error, connect refused).
    case transport(String)

    /// The Close reason sent to the peer when this error ends the connection locally.
    public var closeReason: CloseReason {
        switch self {
        case .messageTooLarge: .messageTooLarge
        case .clientNotAllowed: .clientNotAllowed
        case .timeout: .timeout
        case .closedByPeer, .connectionLost, .closed, .transport: .normal
        case .badLength, .unexpectedFrame, .unsupportedVersion, .authenticationFailed, .replayedHandshake, .counterMismatch,
             .malformedRecord, .counterExhausted:
            .protocolError
        }
    }

    public var description: String {
        switch self {
        case .badLength(let type, let length): "frame type 0x\(String(type, radix: 16)) with bad length \(length)"
        case .unexpectedFrame(let type): "unexpected frame type 0x\(String(type, radix: 16))"
        case .unsupportedVersion(let version): "unsupported protocol version \(version)"
        case .authenticationFailed: "authentication failed"
        case .replayedHandshake: "replayed handshake: client ephemeral key already accepted"
        case .counterMismatch(let expected, let got): "record counter \(got), expected \(expected)"
        case .malformedRecord: "malformed record"
        case .messageTooLarge(let size, let limit): "message of \(size) bytes exceeds the limit of \(limit)"
        case .clientNotAllowed: "client key not allowed by the server"
        case .timeout: "timed out"
        case .closedByPeer(let reason): "closed by peer: \(reason)"
        case .connectionLost: "connection lost without a close"
        case .closed: "channel closed"
        case .counterExhausted: "counter space exhausted"
        case .transport(let message): "transport: \(message)"
        }
    }
}
