// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// What a channel state machine asks its transport to do, in order.
public enum ChannelAction: Sendable, Equatable {
    /// Write these bytes (one complete frame) to the peer.
    case write([UInt8])
    /// The handshake finished; the peer proved this long-term key.
    case established(peerKey: Curve25519PublicKey)
    /// A complete message from the peer, for the application.
    case deliver([UInt8])
    /// Flush what was written, then close the transport. `nil` is a clean end (a normal Close
    /// either way); an error says why the channel failed.
    case finish(SecureChannelError?)
}

/// A stream-mode channel (one TCP connection) as a pure state machine: frames in, actions out.
/// The transport delimits frames with ``frameLength(in:)``, feeds each to ``receive(frame:)``,
/// and runs the returned actions. Nothing here does I/O, so every case is testable back to back.
public protocol StreamChannelMachine: Sendable {
    /// The length of the complete frame at the start of `bytes` (header included), or nil if more
    /// bytes are needed. Checks the header before any body is buffered.
    /// - Throws: ``SecureChannelError`` for a header no state accepts (unknown type, bad length).
    static func frameLength(in bytes: UnsafeRawBufferPointer) throws(SecureChannelError) -> Int?

    /// Called once the transport is up: a client writes its Hello.
    mutating func start() -> [ChannelAction]

    /// One complete frame from the peer. Errors in it end the channel (`.finish(error)`).
    mutating func receive(frame: [UInt8]) -> [ChannelAction]

    /// Seals one application message. Call only once established.
    /// - Throws: ``SecureChannelError/messageTooLarge(size:limit:)`` or ``SecureChannelError/closed``.
    mutating func send(_ message: [UInt8]) throws(SecureChannelError) -> [ChannelAction]

    /// Ends the channel from this side (a Close record where the profile has one).
    mutating func close(_ reason: CloseReason) -> [ChannelAction]

    /// The transport ended (EOF or error) or a timer fired.
    mutating func transportEnded(_ error: SecureChannelError) -> [ChannelAction]

    /// Whether the handshake has completed.
    var isEstablished: Bool { get }
}
