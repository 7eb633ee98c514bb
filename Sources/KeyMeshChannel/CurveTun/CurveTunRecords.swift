// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// curve_tun Msg packets (docs/channel-protocol.md §9): `magic(8) ‖ u64be(N) ‖ Box[M](session, "CurveCP-<side>-M" ‖ N)`.
/// Both directions count from 2 and must go up by exactly 1; there is no Close packet.
struct CurveTunRecords: EstablishedStream {
    static let firstCounter: UInt64 = 2

    private let key: NaClBoxKey
    private let sendPrefix: [UInt8]
    private let receivePrefix: [UInt8]
    private var sendCounter = firstCounter
    private var receiveCounter = firstCounter

    init(key: NaClBoxKey, isClient: Bool) {
        self.key = key
        sendPrefix = isClient ? CurveTunWire.clientMessage : CurveTunWire.serverMessage
        receivePrefix = isClient ? CurveTunWire.serverMessage : CurveTunWire.clientMessage
    }

    // MARK: EstablishedStream

    mutating func receive(_ frame: [UInt8]) -> (actions: [ChannelAction], ended: Bool) {
        do throws(SecureChannelError) { return ([.deliver(try open(frame))], false) } catch { return ([.finish(error)], true) }
    }

    mutating func send(_ message: [UInt8]) throws(SecureChannelError) -> [ChannelAction] { [.write(try seal(message))] }

    /// curve_tun has no Close packet: closing TCP is the close.
    func close(_ reason: CloseReason) -> [ChannelAction] { [.finish(nil)] }

    /// curve_tun cannot tell a clean end from a cut connection: EOF is its only close.
    func end(_ error: SecureChannelError) -> [ChannelAction] { [.finish(error == .connectionLost ? nil : error)] }

    // MARK: Packets

    mutating func seal(_ message: [UInt8]) throws(SecureChannelError) -> [UInt8] {
        guard message.count <= CurveTunWire.maximumMessage else {
            throw .messageTooLarge(size: message.count, limit: CurveTunWire.maximumMessage)
        }
        guard sendCounter < UInt64.max - 1 else { throw .counterExhausted }
        defer { sendCounter += 1 }
        return CurveTunWire.frame(CurveTunWire.messageMagic + BigEndian.bytes(sendCounter)
            + key.seal(message, nonce: NaClNonce(prefix: sendPrefix, counter: sendCounter)))
    }

    mutating func open(_ frame: [UInt8]) throws(SecureChannelError) -> [UInt8] {
        let payload = try CurveTunWire.payload(frame, magic: CurveTunWire.messageMagic)
        guard payload.count >= 16 + NaCl.macLength else { throw .badLength(type: 0x6D, length: payload.count) }
        let counter = BigEndian.uint64(payload.dropFirst(8))
        guard counter == receiveCounter else { throw .counterMismatch(expected: receiveCounter, got: counter) }
        let message: [UInt8]
        do { message = try key.open(payload.dropFirst(16), nonce: NaClNonce(prefix: receivePrefix, counter: counter)) } catch {
            throw .authenticationFailed
        }
        receiveCounter = counter + 1
        return message
    }
}
