// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshChannel
import KeyMeshCrypto
import NIOCore

/// An authenticated channel inside its scope (``ChannelClient/connect(host:port:serverKey:identity:configuration:_:)``
/// or ``ChannelConnection/run(_:)``): the peer's proven key, `send`, and `messages` / `receive`.
/// When the scope ends the channel closes cleanly (a Close record in the keymesh profile).
public struct ChannelSession: Sendable {
    /// The peer's long-term public key, proven by the handshake.
    public let peerKey: Curve25519PublicKey
    /// Messages from the peer, in order. Ends after the peer's normal Close; throws
    /// ``SecureChannelError`` for anything else (``SecureChannelError/connectionLost`` for a cut connection).
    public let messages: NIOAsyncChannelInboundStream<[UInt8]>
    /// The largest message ``send(_:)`` takes (the configured maximum; 65503 for curve_tun).
    public let maximumMessageSize: Int
    private let outbound: NIOAsyncChannelOutboundWriter<[UInt8]>

    init(peerKey: Curve25519PublicKey, maximumMessageSize: Int, inbound: NIOAsyncChannelInboundStream<[UInt8]>,
         outbound: NIOAsyncChannelOutboundWriter<[UInt8]>) {
        self.peerKey = peerKey
        self.maximumMessageSize = maximumMessageSize
        messages = inbound
        self.outbound = outbound
    }

    /// Sends one message; waits while the transport is not writable (back-pressure).
    /// - Throws: ``SecureChannelError/messageTooLarge(size:limit:)`` above ``maximumMessageSize``,
    ///   or an error once the channel is closed.
    public func send(_ message: [UInt8]) async throws {
        guard message.count <= maximumMessageSize else {
            throw SecureChannelError.messageTooLarge(size: message.count, limit: maximumMessageSize)
        }
        try await outbound.write(message)
    }

    /// A receiver for one-at-a-time `receive()` calls over ``messages``.
    public func receiver() -> Receiver { Receiver(iterator: messages.makeAsyncIterator()) }

    /// Pulls messages one at a time.
    public struct Receiver {
        var iterator: NIOAsyncChannelInboundStream<[UInt8]>.AsyncIterator

        /// The next message, or nil once the peer closed normally.
        public mutating func receive() async throws -> [UInt8]? { try await iterator.next() }
    }
}

/// The channel of one accepted or opened connection before its scope is entered.
struct ChannelPipe: Sendable {
    let channel: NIOAsyncChannel<[UInt8], [UInt8]>
    let established: EventLoopFuture<Curve25519PublicKey>
    let maximumMessageSize: Int

    /// Installs the handler for `machine` and wraps the NIO channel (on its event loop).
    static func install(on channel: any Channel, machine: some StreamChannelMachine,
                        configuration: ChannelConfiguration) throws -> ChannelPipe {
        let promise = channel.eventLoop.makePromise(of: Curve25519PublicKey.self)
        let handler = StreamChannelHandler(machine: machine, stepTimeout: .nanoseconds(configuration.handshakeStepTimeout.nanoseconds),
                                           idleTimeout: configuration.idleTimeout.map { .nanoseconds($0.nanoseconds) },
                                           established: promise)
        try channel.pipeline.syncOperations.addHandler(handler)
        let wrapped = try NIOAsyncChannel<[UInt8], [UInt8]>(wrappingChannelSynchronously: channel)
        let maximum = configuration.profile == .curveTun ? CurveTunClient.maximumMessageSize : configuration.maximumMessageSize
        return ChannelPipe(channel: wrapped, established: promise.futureResult, maximumMessageSize: maximum)
    }

    /// Waits for the handshake, then runs `body` with the session and closes.
    func run<R: Sendable>(_ body: (ChannelSession) async throws -> R) async throws -> R {
        let peerKey: Curve25519PublicKey
        do { peerKey = try await established.get() } catch {
            try? await channel.channel.close()
            throw error
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(ChannelSession(peerKey: peerKey, maximumMessageSize: maximumMessageSize,
                                          inbound: inbound, outbound: outbound))
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
