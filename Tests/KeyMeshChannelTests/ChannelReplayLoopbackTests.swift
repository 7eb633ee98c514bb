// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshChannel
import KeyMeshChannelNIO
import KeyMeshCrypto
import KeyMeshTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// An echo server over loopback that records every message its application received.
struct RecordingEchoServer {
    let serverKey = Curve25519SecretKey()
    let received = NIOLockedValueBox<[[UInt8]]>([])

    /// Runs the server for `body`'s duration.
    func run<R: Sendable>(_ configuration: ChannelConfiguration, policy: ClientPolicy = .open,
                          _ body: @Sendable (ChannelServer) async throws -> R) async throws -> R {
        let received = received
        return try await ChannelServer.listen(host: "127.0.0.1", port: 0, identity: serverKey, policy: policy,
                                              configuration: configuration) { server in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await connection in server.connections {
                            connections.addTask {
                                try? await connection.run { session in
                                    for try await message in session.messages {
                                        received.withLockedValue { $0.append(message) }
                                        try await session.send(message)
                                    }
                                }
                            }
                        }
                    }
                }
                defer { group.cancelAll() }
                return try await body(server)
            }
        }
    }
}

/// Issue 12 item 4 over real sockets: a recorded handshake and message played again on a new
/// connection is refused and its message never reaches the application.
@Suite("Secure channel over loopback: replayed handshakes")
struct ChannelReplayLoopbackTests {
    /// These tests are about replays, not timeouts: a long handshake step keeps a loaded machine
    /// (the whole suite runs in parallel on two cores) from closing the honest session first.
    static let stepTimeout = Duration.seconds(60)

    @Test("a recorded Hello + Vouch + message replayed on a new connection: closed, nothing delivered",
          arguments: ChannelProfile.allCases)
    func replay(profile: ChannelProfile) async throws {
        let echo = RecordingEchoServer()
        let serverPublic = echo.serverKey.publicKey
        let message = Array("transfer 100".utf8)
        let answer = try await echo.run(ChannelConfiguration(profile: profile, handshakeStepTimeout: Self.stepTimeout)) { server in
            let recorded: [[UInt8]]
            switch profile {
            case .keymesh:
                recorded = try await RawStreamPeer.recordSession(
                    KeyMeshStreamClient(identity: Curve25519SecretKey(), serverKey: serverPublic), port: server.port, message: message)
            case .curveTun:
                recorded = try await RawStreamPeer.recordSession(
                    CurveTunClient(identity: Curve25519SecretKey(), serverKey: serverPublic), port: server.port, message: message)
            }
            // Hello, Vouch, message: replayed at once (the cookie is seconds old).
            return try await RawStreamPeer.play(recorded, port: server.port, limit: profile == .keymesh ? 141 : 170)
        }
        #expect(answer.closed, "the server must close the replayed connection")
        #expect(answer.received.count <= (profile == .keymesh ? 141 : 170), "no answer beyond the handshake")
        #expect(echo.received.withLockedValue { $0 } == [message], "the recorded message is delivered once, never again")
    }

    @Test("curve_tun: a Vouch carrying the cookie issued on another connection (same EC) is refused")
    func cookieFromAnotherConnection() async throws {
        let echo = RecordingEchoServer()
        let serverPublic = echo.serverKey.publicKey
        let answer = try await echo.run(ChannelConfiguration(profile: .curveTun, handshakeStepTimeout: Self.stepTimeout)) { server in
            var client = CurveTunClient(identity: Curve25519SecretKey(), serverKey: serverPublic)
            guard case .write(let hello)? = client.start().first else { throw SecureChannelError.closed }
            let group = MultiThreadedEventLoopGroup.singleton
            let first = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: server.port).get()
            let cookie = NIOLockedValueBox<[UInt8]>([])
            let gotCookie = first.eventLoop.makePromise(of: Void.self)
            try await first.pipeline.addHandler(CollectBytes(into: cookie, count: 170, done: gotCookie)).get()
            try await first.writeAndFlush(ByteBuffer(bytes: hello)).get()
            try await gotCookie.futureResult.get()
            defer { first.close(promise: nil) }
            // The client answers the first connection's cookie; Vouch and a message go to a second one
            // that received the same Hello and issued its own cookie.
            let actions = client.receive(frame: cookie.withLockedValue { $0 })
            guard case .write(let vouch)? = actions.first else { throw SecureChannelError.closed }
            guard case .write(let record)? = try client.send(Array("hi".utf8)).first else { throw SecureChannelError.closed }
            return try await RawStreamPeer.play([hello, vouch, record], port: server.port, limit: 170)
        }
        #expect(answer.closed)
        #expect(answer.received.count == 170)  // its own Cookie, then the close
        #expect(echo.received.withLockedValue { $0 }.isEmpty)
    }
}

/// Collects the first `count` inbound bytes, then completes `done`.
final class CollectBytes: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let into: NIOLockedValueBox<[UInt8]>
    let count: Int
    let done: EventLoopPromise<Void>

    init(into: NIOLockedValueBox<[UInt8]>, count: Int, done: EventLoopPromise<Void>) {
        self.into = into
        self.count = count
        self.done = done
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(buffer: unwrapInboundIn(data))
        let total = into.withLockedValue { $0 += bytes; return $0.count }
        if total >= count { done.succeed() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(SecureChannelError.connectionLost)
    }
}
