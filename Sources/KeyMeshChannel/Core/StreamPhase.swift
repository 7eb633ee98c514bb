// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// An established stream as the phase logic sees it: keymesh records (``Established``) or
/// curve_tun messages (``CurveTunSession``).
protocol EstablishedStream: Sendable {
    /// Actions for one received frame; `ended` says the channel is over.
    mutating func receive(_ frame: [UInt8]) -> (actions: [ChannelAction], ended: Bool)
    /// Seals one application message.
    mutating func send(_ message: [UInt8]) throws(SecureChannelError) -> [ChannelAction]
    /// A local close.
    mutating func close(_ reason: CloseReason) -> [ChannelAction]
    /// The transport ended, a header was refused or a timer fired.
    mutating func end(_ error: SecureChannelError) -> [ChannelAction]
}

/// The life of every stream machine: a role-specific handshake, then the shared established
/// stream, then closed. The machines switch over their handshake cases; everything after the
/// handshake (receive, send, close, transport end) is written once, here.
enum StreamPhase<Handshake: Sendable, Stream: EstablishedStream>: Sendable {
    case handshaking(Handshake)
    case established(Stream)
    case closed

    var isEstablished: Bool {
        switch self {
        case .established: true
        case .handshaking, .closed: false
        }
    }

    /// A frame once the handshake is over: records go to the stream; a closed phase ignores input.
    /// Call only in the `established` or `closed` phase.
    mutating func receiveAfterHandshake(_ frame: [UInt8]) -> [ChannelAction] {
        switch self {
        case .established(var stream):
            let (actions, ended) = stream.receive(frame)
            self = ended ? .closed : .established(stream)
            return actions
        case .closed:
            return []
        case .handshaking:
            preconditionFailure("handshake frames belong to the machine") // local misuse
        }
    }

    /// Ends the handshake with `error` (the peer has proven nothing, so no Close is sent).
    mutating func failHandshake(_ error: SecureChannelError) -> [ChannelAction] {
        self = .closed
        return [.finish(error)]
    }

    mutating func send(_ message: [UInt8]) throws(SecureChannelError) -> [ChannelAction] {
        switch self {
        case .established(var stream):
            let actions = try stream.send(message)
            self = .established(stream)
            return actions
        case .closed: throw .closed
        case .handshaking: preconditionFailure("send before the handshake finished") // local misuse
        }
    }

    mutating func close(_ reason: CloseReason) -> [ChannelAction] {
        switch self {
        case .established(var stream):
            self = .closed
            return stream.close(reason)
        case .handshaking:
            self = .closed
            return [.finish(nil)]
        case .closed:
            return []
        }
    }

    mutating func transportEnded(_ error: SecureChannelError) -> [ChannelAction] {
        switch self {
        case .established(var stream):
            self = .closed
            return stream.end(error)
        case .handshaking:
            return failHandshake(error)
        case .closed:
            return []
        }
    }
}
