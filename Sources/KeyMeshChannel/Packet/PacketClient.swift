// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The client of a packet-mode association (docs/channel-protocol.md §5): no round trip, one
/// ephemeral key per association, boxes to the server's long-term key.
public struct PacketClient: Sendable {
    private let ephemeralKey: Curve25519PublicKey
    private let key: NaClBoxKey
    private var sendCounter: UInt64 = 0
    private var window = ReplayWindow()

    /// - Throws: ``SecureChannelError/authenticationFailed`` if libsodium refuses `serverKey`.
    public init(serverKey: Curve25519PublicKey, random: some RandomSource = SystemRandom()) throws(SecureChannelError) {
        let ephemeral = Curve25519SecretKey(using: random)
        ephemeralKey = ephemeral.publicKey
        do { key = try NaClBoxKey(publicKey: serverKey, secretKey: ephemeral) } catch { throw .authenticationFailed }
    }

    /// A datagram carrying `message`.
    /// - Throws: ``SecureChannelError/messageTooLarge(size:limit:)`` above 65000 bytes.
    public mutating func seal(_ message: [UInt8]) throws(SecureChannelError) -> [UInt8] {
        guard message.count <= Packet.maximumData else { throw .messageTooLarge(size: message.count, limit: Packet.maximumData) }
        return try next(.data(message))
    }

    /// A datagram telling the server the association is over.
    public mutating func sealClose(_ reason: CloseReason = .normal) throws(SecureChannelError) -> [UInt8] {
        try next(.close(reason))
    }

    private mutating func next(_ contents: Packet.Contents) throws(SecureChannelError) -> [UInt8] {
        guard sendCounter < UInt64.max - 1 else { throw .counterExhausted }
        defer { sendCounter += 1 }
        return Packet.seal(header: [Packet.clientType] + ephemeralKey.rawRepresentation, counter: sendCounter,
                           prefix: StreamNonce.clientPacket, contents: contents, key: key)
    }

    /// Opens a datagram from the server. Returns nil (drop silently) for anything that is not a
    /// fresh, authentic server packet; the window moves only for packets that opened.
    public mutating func open(_ datagram: [UInt8]) -> PacketEvent? {
        guard datagram.first == Packet.serverType,
              let (counter, contents) = Packet.open(datagram.dropFirst(), prefix: StreamNonce.serverPacket, key: key),
              window.check(counter) else { return nil }
        window.accept(counter)
        return PacketEvent(contents)
    }
}

/// What an authentic packet carried.
public enum PacketEvent: Equatable, Sendable {
    case message([UInt8])
    case close(CloseReason)

    init(_ contents: Packet.Contents) {
        switch contents {
        case .data(let data): self = .message(data)
        case .close(let reason): self = .close(reason)
        }
    }
}
