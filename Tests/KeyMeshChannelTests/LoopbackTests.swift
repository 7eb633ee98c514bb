// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshChannel
import KeyMeshChannelNIO
import KeyMeshCrypto
import NIOCore
import NIOPosix
import Testing

/// ChannelServer / ChannelClient and packet mode over real loopback sockets.
@Suite("Secure channel over loopback TCP and UDP")
struct LoopbackTests {
    let serverKey = Curve25519SecretKey()
    let clientKey = Curve25519SecretKey()

    /// Runs an echo server for `body`'s duration.
    private func withEchoServer<R: Sendable>(profile: ChannelProfile = .keymesh, policy: ClientPolicy = .open,
                                             _ body: @Sendable (Int) async throws -> R) async throws -> R {
        try await ChannelServer.listen(host: "127.0.0.1", port: 0, identity: serverKey, policy: policy,
                                       configuration: ChannelConfiguration(profile: profile)) { server in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await connection in server.connections {
                            connections.addTask {
                                try? await connection.run { session in
                                    for try await message in session.messages { try await session.send(message) }
                                }
                            }
                        }
                    }
                }
                defer { group.cancelAll() }
                return try await body(server.port)
            }
        }
    }

    @Test("keymesh over TCP: small, chunked (300 kB) and empty messages echo in order; peers see each other's keys")
    func keymeshEcho() async throws {
        let messages: [[UInt8]] = [Array("hello".utf8), (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) }, []]
        let serverPublic = serverKey.publicKey
        let identity = clientKey
        let echoed = try await withEchoServer { port in
            try await ChannelClient.connect(host: "127.0.0.1", port: port, serverKey: serverPublic, identity: identity) { session in
                #expect(session.peerKey == serverPublic)
                var receiver = session.receiver()
                var out: [[UInt8]] = []
                for message in messages {
                    try await session.send(message)
                    out.append(try #require(try await receiver.receive()))
                }
                return out
            }
        }
        #expect(echoed == messages)
    }

    @Test("curve_tun profile over TCP: messages echo; 65503 bytes is the largest")
    func curveTunEcho() async throws {
        let serverPublic = serverKey.publicKey
        let identity = clientKey
        let result = try await withEchoServer(profile: .curveTun) { port in
            try await ChannelClient.connect(host: "127.0.0.1", port: port, serverKey: serverPublic, identity: identity,
                                            configuration: ChannelConfiguration(profile: .curveTun)) { session in
                var receiver = session.receiver()
                try await session.send(Array("1".utf8))
                let first = try await receiver.receive()
                try await session.send([UInt8](repeating: 9, count: 65503))
                let big = try await receiver.receive()
                await #expect(throws: SecureChannelError.messageTooLarge(size: 65504, limit: 65503)) {
                    try await session.send([UInt8](repeating: 9, count: 65504))
                }
                return (first, big?.count)
            }
        }
        #expect(result.0 == Array("1".utf8))
        #expect(result.1 == 65503)
    }

    @Test("back-pressure: 48 messages of 64 KiB sent before any is read all arrive, in order")
    func backPressure() async throws {
        let serverPublic = serverKey.publicKey
        let count = 48
        let received = try await withEchoServer { port in
            try await ChannelClient.connect(host: "127.0.0.1", port: port, serverKey: serverPublic) { session in
                try await withThrowingTaskGroup(of: [UInt8].self) { group in
                    group.addTask {
                        var tags: [UInt8] = []
                        for try await message in session.messages {
                            #expect(message.count == 65536)
                            tags.append(message.first ?? 255)
                            if tags.count == count { break }
                        }
                        return tags
                    }
                    for index in 0..<count { try await session.send([UInt8](repeating: UInt8(index), count: 65536)) }
                    return try await group.next() ?? []
                }
            }
        }
        #expect(received == (0..<count).map(UInt8.init))
    }

    @Test("a client that expects another server key fails the handshake: the server cannot open its Hello and hangs up")
    func wrongServerKey() async throws {
        await #expect(throws: SecureChannelError.connectionLost) {
            try await withEchoServer { port in
                try await ChannelClient.connect(host: "127.0.0.1", port: port, serverKey: Curve25519SecretKey().publicKey) { _ in }
            }
        }
    }

    @Test("allow-list: a pinned client connects, another is told clientNotAllowed")
    func allowList() async throws {
        let serverPublic = serverKey.publicKey
        let pinned = clientKey
        let outcome = try await withEchoServer(policy: .allowList([pinned.publicKey])) { port in
            let accepted = try await ChannelClient.connect(host: "127.0.0.1", port: port, serverKey: serverPublic,
                                                           identity: pinned) { session in
                try await session.send([1])
                var receiver = session.receiver()
                return try await receiver.receive()
            }
            var refusal: (any Error)?
            do {
                try await ChannelClient.connect(host: "127.0.0.1", port: port, serverKey: serverPublic) { session in
                    var receiver = session.receiver()
                    _ = try await receiver.receive()
                }
            } catch { refusal = error }
            return (accepted, refusal as? SecureChannelError)
        }
        #expect(outcome.0 == [1])
        #expect(outcome.1 == .closedByPeer(.clientNotAllowed))
    }

    @Test("a server that never answers the Hello times out within the step timeout")
    func handshakeTimeout() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { _ in MultiThreadedEventLoopGroup.singleton.any().makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: SecureChannelError.timeout) {
            try await ChannelClient.connect(host: "127.0.0.1", port: port, serverKey: serverKey.publicKey,
                                            configuration: ChannelConfiguration(handshakeStepTimeout: .milliseconds(300))) { _ in }
        }
        // Generous: the point is that it ends instead of hanging (a loaded CI machine is slow).
        #expect(clock.now - start < .seconds(60))
    }

    @Test("packet mode over UDP: each message answered once, under the server's key")
    func packetEcho() async throws {
        let identity = serverKey
        let serverPublic = serverKey.publicKey
        let port = ManagedPort()
        let server = Task {
            try await PacketChannelServer.serve(host: "127.0.0.1", port: 0, identity: identity,
                                                onBound: { port.set($0) }, handler: { _, message in message.reversed() })
        }
        defer { server.cancel() }
        let bound = try await port.wait()
        let answers = try await PacketChannelClient.connect(host: "127.0.0.1", port: bound, serverKey: serverPublic) { session in
            var answers: [[UInt8]] = []
            for message in ["abc", "de", "f"] { try await session.send(Array(message.utf8)) }
            for try await answer in session.messages {
                answers.append(answer)
                if answers.count == 3 { break }
            }
            return answers
        }
        #expect(Set(answers) == Set(["cba", "ed", "f"].map { Array($0.utf8) }))
        #expect(answers.count == 3)
    }
}

/// A port number delivered from a callback to an async waiter.
final class ManagedPort: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream(of: Int.self) }

    func set(_ port: Int) { continuation.yield(port) }

    func wait() async throws -> Int {
        for await port in stream { return port }
        throw CancellationError()
    }
}
