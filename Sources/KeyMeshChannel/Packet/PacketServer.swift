// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto

/// The server side of packet mode (docs/channel-protocol.md §5): one association per client
/// ephemeral key `EC`, each with its replay window and the address to answer. Bounded: at most
/// ``maximumAssociations``, least recently used forgotten first, and none idle longer than
/// ``idleLimit``.
public struct PacketServer<Address: Hashable & Sendable>: Sendable {
    public static var maximumAssociations: Int { 4096 }
    public static var idleLimit: Duration { .seconds(120) }

    struct Association: Sendable {
        let key: NaClBoxKey
        var window = ReplayWindow()
        var address: Address
        var lastSeen: ContinuousClock.Instant
    }

    private let identity: Curve25519SecretKey
    private var associations: [Curve25519PublicKey: Association] = [:]
    /// One counter for every association, from the wall clock at start, so no nonce under
    /// `X25519(Ss, EC)` repeats even after an association is forgotten or the server restarts.
    private var sendCounter: UInt64

    /// An event from one datagram.
    public enum Event: Equatable, Sendable {
        case message(client: Curve25519PublicKey, [UInt8])
        case closed(client: Curve25519PublicKey, CloseReason)
    }

    /// - Parameter startCounter: the first send counter; by default the Unix time in nanoseconds.
    public init(identity: Curve25519SecretKey, startCounter: UInt64 = PacketServer.wallClockNanoseconds()) {
        self.identity = identity
        sendCounter = startCounter
    }

    /// Nanoseconds since 1970 from the system clock.
    public static func wallClockNanoseconds() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970) * 1e9)
    }

    /// The number of live associations.
    public var associationCount: Int { associations.count }

    /// Handles one datagram from `address`. Returns nil (drop silently) unless it is an authentic,
    /// fresh client packet.
    public mutating func receive(_ datagram: [UInt8], from address: Address,
                                 now: ContinuousClock.Instant = .now) -> Event? {
        guard datagram.count >= Packet.clientHeader + Packet.boxOverhead, datagram[0] == Packet.clientType,
              let client = try? Curve25519PublicKey(rawRepresentation: datagram[1..<33]) else { return nil }
        var association: Association
        let isNew = associations[client] == nil
        if let known = associations[client] {
            association = known
        } else {
            guard let key = try? NaClBoxKey(publicKey: client, secretKey: identity) else { return nil }
            association = Association(key: key, address: address, lastSeen: now)
        }
        guard let (counter, contents) = Packet.open(datagram[33...], prefix: StreamNonce.clientPacket, key: association.key),
              association.window.check(counter) else { return nil }
        association.window.accept(counter)
        association.address = address
        association.lastSeen = now
        switch contents {
        case .data(let data):
            associations[client] = association
            if isNew { evict(now: now) }
            return .message(client: client, data)
        case .close(let reason):
            associations[client] = nil
            return .closed(client: client, reason)
        }
    }

    /// A datagram carrying `message` to `client`, and the address to send it to; nil if the
    /// association is gone.
    /// - Throws: ``SecureChannelError/messageTooLarge(size:limit:)`` above 65000 bytes.
    public mutating func seal(_ message: [UInt8], to client: Curve25519PublicKey) throws(SecureChannelError) -> ([UInt8], Address)? {
        guard message.count <= Packet.maximumData else { throw .messageTooLarge(size: message.count, limit: Packet.maximumData) }
        return try next(.data(message), to: client)
    }

    /// Ends the association with `client`: a Close datagram for it, and the association is forgotten.
    public mutating func sealClose(_ reason: CloseReason, to client: Curve25519PublicKey) throws(SecureChannelError) -> ([UInt8], Address)? {
        defer { associations[client] = nil }
        return try next(.close(reason), to: client)
    }

    private mutating func next(_ contents: Packet.Contents, to client: Curve25519PublicKey) throws(SecureChannelError) -> ([UInt8], Address)? {
        guard let association = associations[client] else { return nil }
        guard sendCounter < UInt64.max - 1 else { throw .counterExhausted }
        defer { sendCounter += 1 }
        let datagram = Packet.seal(header: [Packet.serverType], counter: sendCounter, prefix: StreamNonce.serverPacket,
                                   contents: contents, key: association.key)
        return (datagram, association.address)
    }

    /// Forgets associations idle past the limit, then the least recently used beyond the maximum.
    /// Runs whenever a new association is made; a transport may also call it on a timer.
    public mutating func evict(now: ContinuousClock.Instant) {
        associations = associations.filter { now - $0.value.lastSeen <= Self.idleLimit }
        while associations.count > Self.maximumAssociations,
              let oldest = associations.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key {
            associations[oldest] = nil
        }
    }
}
