// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshChannel
import KeyMeshCrypto
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Accepts stream channels (TCP).
///
/// ```swift
/// try await ChannelServer.listen(host: "127.0.0.1", port: 0, identity: key) { server in
///     try await withThrowingDiscardingTaskGroup { group in
///         for try await connection in server.connections {
///             group.addTask { try? await connection.run { session in /* session.peerKey … */ } }
///         }
///     }
/// }
/// ```
public struct ChannelServer: Sendable {
    /// The bound port (useful with port 0).
    public let port: Int
    /// Accepted TCP connections, each handshaking on its own; see ``ChannelConnection/run(_:)``.
    public let connections: Connections

    /// At most this many connections may be accepted but not yet entered with `run` (their
    /// handshakes pending); more are closed at once (docs/channel-protocol.md §8).
    public static let maximumPendingHandshakes = 1024

    /// Binds `host:port` and runs `body` with the server; the listener closes when `body` returns.
    public static func listen<R: Sendable>(
        host: String, port: Int, identity: Curve25519SecretKey, policy: ClientPolicy = .open,
        configuration: ChannelConfiguration = ChannelConfiguration(),
        _ body: (ChannelServer) async throws -> R
    ) async throws -> R {
        let minuteKeys = MinuteKeyRing()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    switch configuration.profile {
                    case .keymesh:
                        try ChannelPipe.install(on: channel, machine: KeyMeshStreamServer(
                            identity: identity, policy: policy, maximumMessageSize: configuration.maximumMessageSize),
                            configuration: configuration)
                    case .curveTun:
                        try ChannelPipe.install(on: channel, machine: CurveTunServer(
                            identity: identity, policy: policy, minuteKeys: minuteKeys.current),
                            configuration: configuration)
                    }
                }
            }
        let boundPort = listener.channel.localAddress?.port ?? port
        return try await listener.executeThenClose { inbound in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await minuteKeys.rotateEvery60Seconds() }
                defer { group.cancelAll() }
                return try await body(ChannelServer(port: boundPort, connections: Connections(inbound: inbound)))
            }
        }
    }

    /// The accepted connections, as an async sequence.
    public struct Connections: AsyncSequence, Sendable {
        public typealias Element = ChannelConnection
        let inbound: NIOAsyncChannelInboundStream<ChannelPipe>

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: inbound.makeAsyncIterator()) }

        public struct AsyncIterator: AsyncIteratorProtocol {
            var base: NIOAsyncChannelInboundStream<ChannelPipe>.AsyncIterator

            public mutating func next() async throws -> ChannelConnection? {
                try await base.next().map(ChannelConnection.init)
            }
        }
    }
}

/// One accepted TCP connection whose handshake runs in the background.
public struct ChannelConnection: Sendable {
    let pipe: ChannelPipe

    /// Waits for the handshake (each step within the timeout, client key checked against the
    /// policy), runs `body` with the session, then closes cleanly.
    /// - Throws: ``SecureChannelError`` when the handshake fails or the client is refused.
    public func run<R: Sendable>(_ body: (ChannelSession) async throws -> R) async throws -> R {
        try await pipe.run(body)
    }
}

/// The curve_tun profile's minute keys, rotated every 60 s and shared by all connections.
final class MinuteKeyRing: Sendable {
    private let keys = NIOLockedValueBox(MinuteKeys(current: NaClSecretBox(), previous: nil))

    var current: MinuteKeys { keys.withLockedValue { $0 } }

    func rotateEvery60Seconds() async throws {
        while true {
            try await Task.sleep(for: .seconds(60))
            keys.withLockedValue { $0 = $0.rotated() }
        }
    }
}
