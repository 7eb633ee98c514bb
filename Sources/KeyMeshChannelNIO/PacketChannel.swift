// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshChannel
import KeyMeshCrypto
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

private typealias Datagrams = NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>

/// Serves packet mode (UDP, docs/channel-protocol.md §5).
public enum PacketChannelServer {
    /// Binds `host:port` and serves until the task is cancelled. Each authentic message goes to
    /// `handler` with the client's ephemeral key (packet-mode clients are anonymous); a non-nil
    /// answer is sent back to that client. Unauthentic datagrams are dropped without a reply.
    public static func serve(
        host: String, port: Int, identity: Curve25519SecretKey,
        onBound: @Sendable (Int) -> Void = { _ in },
        handler: @Sendable (Curve25519PublicKey, [UInt8]) async -> [UInt8]?
    ) async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try Datagrams(wrappingChannelSynchronously: channel) }
            }
        onBound(channel.channel.localAddress?.port ?? port)
        var server = PacketServer<SocketAddress>(identity: identity)
        try await channel.executeThenClose { inbound, outbound in
            for try await envelope in inbound {
                guard let event = server.receive(Array(buffer: envelope.data), from: envelope.remoteAddress) else { continue }
                guard case .message(let client, let message) = event,
                      let answer = await handler(client, message),
                      let (datagram, address) = try? server.seal(answer, to: client) else { continue }
                try await outbound.write(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: datagram)))
            }
        }
    }
}

/// Opens packet-mode associations (UDP).
public enum PacketChannelClient {
    /// Binds an ephemeral local port, runs `body` with a session to `host:port`, and sends a
    /// Close packet when `body` returns.
    public static func connect<R: Sendable>(
        host: String, port: Int, serverKey: Curve25519PublicKey, _ body: (PacketSession) async throws -> R
    ) async throws -> R {
        let server = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let local = server.protocol == .inet6 ? "::1" : "0.0.0.0"
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: local, port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try Datagrams(wrappingChannelSynchronously: channel) }
            }
        let state = NIOLockedValueBox(try PacketClient(serverKey: serverKey))
        return try await channel.executeThenClose { inbound, outbound in
            let session = PacketSession(server: server, state: state, inbound: inbound, outbound: outbound)
            let result = try await body(session)
            if let close = try? state.withLockedValue({ try $0.sealClose() }) {
                try? await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: close)))
            }
            return result
        }
    }
}

/// A packet-mode association from the client's side.
public struct PacketSession: Sendable {
    private let server: SocketAddress
    private let state: NIOLockedValueBox<PacketClient>
    private let outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>
    /// Authentic messages from the server; ends when the server sends Close. Anything else
    /// (other senders, forgeries, replays) is dropped.
    public let messages: Messages

    init(server: SocketAddress, state: NIOLockedValueBox<PacketClient>,
         inbound: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>,
         outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>) {
        self.server = server
        self.state = state
        self.outbound = outbound
        messages = Messages(server: server, state: state, inbound: inbound)
    }

    /// Sends one message (at most 65000 bytes) in one datagram. Delivery is not guaranteed.
    public func send(_ message: [UInt8]) async throws {
        let datagram = try state.withLockedValue { client throws(SecureChannelError) in try client.seal(message) }
        try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: datagram)))
    }

    /// The server's messages, opened and filtered from the socket's datagrams.
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = [UInt8]
        let server: SocketAddress
        let state: NIOLockedValueBox<PacketClient>
        let inbound: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(server: server, state: state, base: inbound.makeAsyncIterator())
        }

        public struct AsyncIterator: AsyncIteratorProtocol {
            let server: SocketAddress
            let state: NIOLockedValueBox<PacketClient>
            var base: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>.AsyncIterator
            var ended = false

            public mutating func next() async throws -> [UInt8]? {
                while !ended, let envelope = try await base.next() {
                    guard envelope.remoteAddress == server else { continue }
                    switch state.withLockedValue({ $0.open(Array(buffer: envelope.data)) }) {
                    case .message(let message)?: return message
                    case .close?: ended = true
                    case nil: continue
                    }
                }
                return nil
            }
        }
    }
}
