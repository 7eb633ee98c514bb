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
    let pending: BoundedCount
    let open: BoundedCount

    /// The default bound on handshakes in progress: at most this many accepted connections may
    /// be handshaking at once; more are closed as soon as they are accepted
    /// (docs/channel-protocol.md §8). Set it with ``ChannelConfiguration/maximumPendingHandshakes``.
    public static let maximumPendingHandshakes = ChannelConfiguration.defaultMaximumPendingHandshakes

    /// The connections accepted whose handshake has not ended yet.
    public var pendingHandshakes: Int { pending.count }
    /// The connections accepted and not yet closed.
    public var openConnections: Int { open.count }

    /// Binds `host:port` and runs `body` with the server; the listener closes when `body` returns.
    public static func listen<R: Sendable>(
        host: String, port: Int, identity: Curve25519SecretKey, policy: ClientPolicy = .open,
        configuration: ChannelConfiguration = ChannelConfiguration(),
        _ body: (ChannelServer) async throws -> R
    ) async throws -> R {
        let ring = CurveTunCookieRing(capacity: configuration.curveTunReplayCapacity)
        let pending = BoundedCount(limit: configuration.maximumPendingHandshakes)
        let open = BoundedCount(limit: configuration.maximumConnections)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Over the limit: close before anything is read. The failed initializer keeps the
                    // connection out of `connections`; closing here releases its socket.
                    guard open.acquire() else {
                        channel.close(promise: nil)
                        throw ChannelServerError.tooManyConnections
                    }
                    channel.closeFuture.whenComplete { _ in open.release() }
                    guard pending.acquire() else {
                        channel.close(promise: nil)
                        throw ChannelServerError.tooManyPendingHandshakes
                    }
                    let pipe: ChannelPipe
                    do {
                        switch configuration.profile {
                        case .keymesh:
                            pipe = try ChannelPipe.install(on: channel, machine: KeyMeshStreamServer(
                                identity: identity, policy: policy, maximumMessageSize: configuration.maximumMessageSize),
                                configuration: configuration)
                        case .curveTun:
                            pipe = try ChannelPipe.install(on: channel, machine: CurveTunServer(
                                identity: identity, policy: policy, ring: ring), configuration: configuration)
                        }
                    } catch {
                        pending.release()
                        channel.close(promise: nil)
                        throw error
                    }
                    // The handshake ends (established, failed, timed out or cut) exactly once.
                    pipe.established.whenComplete { _ in pending.release() }
                    return pipe
                }
            }
        let boundPort = listener.channel.localAddress?.port ?? port
        return try await listener.executeThenClose { inbound in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while true {
                        try await Task.sleep(for: .seconds(60))
                        ring.rotate()
                    }
                }
                defer { group.cancelAll() }
                return try await body(ChannelServer(port: boundPort, connections: Connections(inbound: inbound), pending: pending,
                                                 open: open))
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

/// Why the server closed a connection before its handshake began.
enum ChannelServerError: Error {
    /// ``ChannelConfiguration/maximumPendingHandshakes`` connections were already handshaking.
    case tooManyPendingHandshakes
    /// ``ChannelConfiguration/maximumConnections`` connections were already open.
    case tooManyConnections
}

/// A count bounded by a limit, shared by one listener's connections: handshakes in progress,
/// or open connections.
final class BoundedCount: Sendable {
    private let value = NIOLockedValueBox(0)
    let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    var count: Int { value.withLockedValue { $0 } }

    /// Takes a slot; false when all `limit` are taken.
    func acquire() -> Bool {
        value.withLockedValue { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func release() {
        value.withLockedValue { $0 = max(0, $0 - 1) }
    }
}
