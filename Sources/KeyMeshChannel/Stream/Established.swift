// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The established state both keymesh stream machines share: the record layer and the peer's
/// proven key, turning records into actions.
struct Established: EstablishedStream {
    var records: RecordLayer
    let peerKey: Curve25519PublicKey

    /// Actions for one received frame; `ended` says the channel is over.
    mutating func receive(_ frame: [UInt8]) -> (actions: [ChannelAction], ended: Bool) {
        do throws(SecureChannelError) {
            let (type, body) = try StreamFrame.parse(frame)
            guard type == .record else { throw .unexpectedFrame(type: type.rawValue) }
            switch try records.open(body) {
            case .message(let message): return ([.deliver(message)], false)
            case .chunk: return ([], false)
            case .close(.normal): return ([.finish(nil)], true)
            case .close(let reason): return ([.finish(.closedByPeer(reason))], true)
            }
        } catch {
            return (fail(error), true)
        }
    }

    /// A Close record for `error`'s reason (when one can still be sent), then the end.
    mutating func fail(_ error: SecureChannelError) -> [ChannelAction] {
        guard let close = records.sealClose(error.closeReason) else { return [.finish(error)] }
        return [.write(close), .finish(error)]
    }

    /// A local close: the Close record, then a clean end.
    mutating func close(_ reason: CloseReason) -> [ChannelAction] {
        guard let close = records.sealClose(reason) else { return [.finish(nil)] }
        return [.write(close), .finish(nil)]
    }

    mutating func send(_ message: [UInt8]) throws(SecureChannelError) -> [ChannelAction] {
        try records.seal(message).map { .write($0) }
    }

    /// A protocol error or timeout is answered with a Close (docs/channel-protocol.md §6); a lost
    /// transport just ends.
    mutating func end(_ error: SecureChannelError) -> [ChannelAction] {
        error.closeReason == .normal ? [.finish(error)] : fail(error)
    }
}
