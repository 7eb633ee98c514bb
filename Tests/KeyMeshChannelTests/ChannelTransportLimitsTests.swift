// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshChannel
import KeyMeshCrypto
import KeyMeshTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import KeyMeshChannelNIO

/// Issue 12 item 7: the transport's limits (docs/channel-protocol.md §8).
@Suite("Secure channel transport limits")
struct ChannelTransportLimitsTests {
    /// Waits (at most about 10 s) until `condition` holds; the point is the state, not the time.
    private func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<1000 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test("pending handshakes are capped: beyond the cap a connection is closed at once; a freed slot is reused")
    func pendingHandshakeCap() async throws {
        let echo = RecordingEchoServer()
        let serverPublic = echo.serverKey.publicKey
        let configuration = ChannelConfiguration(handshakeStepTimeout: .seconds(60), maximumPendingHandshakes: 2)
        try await echo.run(configuration) { server in
            let group = MultiThreadedEventLoopGroup.singleton
            // Two silent connections hold both slots (their handshake would time out only after 60 s).
            let silent1 = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: server.port).get()
            let silent2 = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: server.port).get()
            defer { silent1.close(promise: nil); silent2.close(promise: nil) }
            #expect(try await eventually { server.pendingHandshakes == 2 })

            // A third connection is closed before its Hello is read (a close or a reset, as the
            // Hello may already be on its way), not left waiting for the 60 s step timeout.
            var refusal: (any Error)?
            do {
                try await ChannelClient.connect(host: "127.0.0.1", port: server.port, serverKey: serverPublic) { _ in }
            } catch { refusal = error }
            let error = try #require(refusal as? SecureChannelError, "the connection beyond the cap must fail")
            #expect(error != .timeout)
            #expect(server.pendingHandshakes == 2)

            // One silent connection goes away: its slot is free again and a client gets through.
            try await silent1.close()
            #expect(try await eventually { server.pendingHandshakes == 1 })
            let echoed = try await ChannelClient.connect(host: "127.0.0.1", port: server.port, serverKey: serverPublic) { session in
                try await session.send([7])
                var receiver = session.receiver()
                return try await receiver.receive()
            }
            #expect(echoed == [7])
            // The finished handshake gave its slot back as well.
            #expect(try await eventually { server.pendingHandshakes == 1 })
        }
    }

    @Test("open connections are capped: with one established session, the next connection is closed at once")
    func connectionCap() async throws {
        let echo = RecordingEchoServer()
        let serverPublic = echo.serverKey.publicKey
        try await echo.run(ChannelConfiguration(maximumConnections: 1)) { server in
            let echoed = try await ChannelClient.connect(host: "127.0.0.1", port: server.port, serverKey: serverPublic) { held in
                try await held.send([1])
                var receiver = held.receiver()
                #expect(try await receiver.receive() == [1])  // established and counted
                var refusal: (any Error)?
                do {
                    try await ChannelClient.connect(host: "127.0.0.1", port: server.port, serverKey: serverPublic) { _ in }
                } catch { refusal = error }
                let error = try #require(refusal as? SecureChannelError, "the connection beyond the cap must fail")
                #expect(error != .timeout)
                try await held.send([2])  // the held session is untouched
                return try await receiver.receive()
            }
            #expect(echoed == [2])
            // Once it closed, a new connection gets in.
            #expect(try await eventually { server.openConnections == 0 })
            let again = try await ChannelClient.connect(host: "127.0.0.1", port: server.port, serverKey: serverPublic) { session in
                try await session.send([3])
                var receiver = session.receiver()
                return try await receiver.receive()
            }
            #expect(again == [3])
        }
    }

    @Test("an established connection with no traffic is closed after the idle timeout with Close 0x04")
    func idleTimeout() async throws {
        let echo = RecordingEchoServer()
        let serverPublic = echo.serverKey.publicKey
        let configuration = ChannelConfiguration(idleTimeout: .milliseconds(500))
        let outcome = try await echo.run(configuration) { server in
            try await ChannelClient.connect(host: "127.0.0.1", port: server.port, serverKey: serverPublic,
                                            configuration: ChannelConfiguration(idleTimeout: nil)) { session in
                // The server's close, or nil if none came within 30 s (bounds the test on a server without the timeout).
                try await withThrowingTaskGroup(of: SecureChannelError?.self) { group in
                    group.addTask {
                        var receiver = session.receiver()
                        do {
                            _ = try await receiver.receive()
                            return SecureChannelError.closed
                        } catch {
                            return error as? SecureChannelError
                        }
                    }
                    group.addTask {
                        try await Task.sleep(for: .seconds(30))
                        return nil
                    }
                    defer { group.cancelAll() }
                    return try await group.next() ?? nil
                }
            }
        }
        #expect(outcome == .closedByPeer(.timeout))
    }

    @Test("during the linger after a failure, inbound bytes are discarded, not buffered")
    func lingerDiscards() async throws {
        let flood = 512 * 1024
        // A peer that answers the Hello with an unknown frame type (the client fails at once),
        // then keeps sending.
        let peer = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FloodAfterHello(bytes: flood))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { peer.close(promise: nil) }
        let port = try #require(peer.localAddress?.port)

        let machine = KeyMeshStreamClient(identity: Curve25519SecretKey(), serverKey: Curve25519SecretKey().publicKey)
        let promise = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Curve25519PublicKey.self)
        let handlerBox = NIOLockedValueBox<NIOLoopBound<StreamChannelHandler<KeyMeshStreamClient>>?>(nil)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = StreamChannelHandler(machine: machine, stepTimeout: .seconds(60), idleTimeout: nil,
                                                       established: promise)
                    handlerBox.withLockedValue { $0 = NIOLoopBound(handler, eventLoop: channel.eventLoop) }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        defer { channel.close(promise: nil) }
        let bound = try #require(handlerBox.withLockedValue { $0 })
        func counts() async throws -> (received: Int, buffered: Int) {
            try await channel.eventLoop.submit { (bound.value.receivedByteCount, bound.value.bufferedByteCount) }.get()
        }
        await #expect(throws: SecureChannelError.self) { try await promise.futureResult.get() }
        var seen = (received: 0, buffered: 0)
        for _ in 0..<1000 where seen.received < 5 + flood {
            seen = try await counts()
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(seen.received >= 5 + flood, "the flood arrived during the linger")
        #expect(seen.buffered == 0, "nothing kept after the failure")
    }
}

/// Answers the first bytes it gets (a Hello) with a frame header of unknown type, then `bytes` more.
final class FloodAfterHello: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let bytes: Int
    private let answered = NIOLockedValueBox(false)

    init(bytes: Int) { self.bytes = bytes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered.withLockedValue({ let was = $0; $0 = true; return was }) else { return }
        context.write(wrapOutboundOut(ByteBuffer(bytes: [0xFF, 0, 0, 0, 0])), promise: nil)
        for _ in 0..<(bytes / 65536) {
            context.write(wrapOutboundOut(ByteBuffer(repeating: 0x04, count: 65536)), promise: nil)
        }
        context.flush()
    }
}
