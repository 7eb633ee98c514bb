// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshChannel
import KeyMeshChannelNIO
import KeyMeshCrypto

/// `keymesh bench channel`: the secure channel beside raw libsodium, measured in the same run.
///
/// - Bulk, in memory: a message sealed by one keymesh state machine and opened by the other, per
///   size, against raw `crypto_box_easy_afternm` + `crypto_box_open_easy_afternm` of the same
///   size (interleaved rounds, median of per-round ratios).
/// - Bulk, loopback TCP: messages streamed through ChannelClient → ChannelServer, against raw
///   `crypto_box_easy_afternm` alone (the two ends run on different cores, so a pipelined
///   channel is bounded by one side's box rate).
/// - Handshakes per second: in memory, and full TCP connect + handshake + close over loopback.
struct ChannelBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channel", abstract: "Channel handshakes/s and bulk MB/s beside raw libsodium.")

    @Option(help: "Seconds per measurement (split over rounds).")
    var seconds = 6.0

    @Option(help: "Interleaved rounds.")
    var rounds = 5

    func run() async throws {
        let sizes = [1024, 65536]
        let measure = Measure(seconds: seconds, rounds: rounds)
        print("keymesh bench channel — \(rounds) rounds, \(seconds) s per group (build with -c release)")
        print("\nBulk in memory (seal + open), MB/s of message data:")
        for size in sizes {
            let rates = try bulkInMemory(size: size, measure: measure)
            let raw = rates["raw"] ?? [], channel = rates["channel"] ?? []
            let ratios = zip(channel, raw).map { $0 / $1 }
            print(String(format: "  %6d B  raw box %8.1f MB/s   channel %8.1f MB/s   ratio %@", size,
                         raw.median * Double(size) / 1e6, channel.median * Double(size) / 1e6, ratios.median.ratio))
        }
        print("\nBulk over loopback TCP (one direction), MB/s of message data, beside raw seal:")
        for size in sizes {
            var ratios: [Double] = []
            var channelRates: [Double] = []
            var rawRates: [Double] = []
            for _ in 0..<rounds {
                let raw = try rawSealRate(size: size, seconds: seconds / Double(rounds * 2))
                let channel = try await loopbackRate(size: size, seconds: seconds / Double(rounds * 2))
                rawRates.append(raw)
                channelRates.append(channel)
                ratios.append(channel / raw)
            }
            print(String(format: "  %6d B  raw seal %8.1f MB/s   channel %8.1f MB/s   ratio %@", size,
                         rawRates.median * Double(size) / 1e6, channelRates.median * Double(size) / 1e6, ratios.median.ratio))
        }
        print("\nHandshakes:")
        let inMemory = try measure.interleaved([("handshake", { try Self.handshakeInMemory() })])["handshake"] ?? []
        var loopback: [Double] = []
        for _ in 0..<rounds { loopback.append(try await loopbackHandshakes(seconds: seconds / Double(rounds))) }
        print(String(format: "  in memory (5 X25519 + 6 boxes)  %8.0f /s", inMemory.median))
        print(String(format: "  loopback TCP (connect … close)  %8.0f /s   ratio to in memory %@", loopback.median,
                     (loopback.median / max(inMemory.median, 1)).ratio))
    }

    // MARK: In memory

    private func bulkInMemory(size: Int, measure: Measure) throws -> [String: [Double]] {
        let key = try NaClBoxKey(publicKey: Curve25519SecretKey().publicKey, secretKey: Curve25519SecretKey())
        let nonce = NaClNonce(prefix: Array("KeyMesh-Client-M".utf8), counter: 0)
        let message = [UInt8](repeating: 0x5A, count: size)
        var pair = try Self.establishedPair()
        return try measure.interleaved([
            ("raw", {
                let box = key.seal(message, nonce: nonce)
                guard (try? key.open(box, nonce: nonce))?.count == size else { throw BenchFailure.roundTrip }
            }),
            ("channel", {
                let frames = try pair.client.send(message)
                var delivered = 0
                for case .write(let frame) in frames {
                    for case .deliver(let got) in pair.server.receive(frame: frame) { delivered += got.count }
                }
                guard delivered == size else { throw BenchFailure.roundTrip }
            }),
        ])
    }

    private static func establishedPair() throws -> (client: KeyMeshStreamClient, server: KeyMeshStreamServer) {
        let serverKey = Curve25519SecretKey()
        var client = KeyMeshStreamClient(identity: Curve25519SecretKey(), serverKey: serverKey.publicKey)
        var server = KeyMeshStreamServer(identity: serverKey, policy: .open)
        var toServer = client.start()
        for _ in 0..<3 { // Hello → Cookie-ack → Vouch
            var toClient: [ChannelAction] = []
            for case .write(let frame) in toServer { toClient += server.receive(frame: frame) }
            toServer = []
            for case .write(let frame) in toClient { toServer += client.receive(frame: frame) }
        }
        guard client.isEstablished, server.isEstablished else { throw BenchFailure.handshake }
        return (client, server)
    }

    private static func handshakeInMemory() throws { _ = try establishedPair() }

    private func rawSealRate(size: Int, seconds: Double) throws -> Double {
        let key = try NaClBoxKey(publicKey: Curve25519SecretKey().publicKey, secretKey: Curve25519SecretKey())
        var buffer = [UInt8](repeating: 0x5A, count: size + NaCl.macLength)
        var counter: UInt64 = 0
        return Measure(seconds: seconds, rounds: 1).rate(slice: seconds) {
            counter += 1
            buffer.withUnsafeMutableBytes { key.sealInPlace($0, nonce: NaClNonce(prefix: Array("KeyMesh-Client-M".utf8), counter: counter)) }
        }
    }

    // MARK: Loopback

    /// Messages per second streamed client → server; the server counts and acknowledges the last.
    private func loopbackRate(size: Int, seconds: Double) async throws -> Double {
        let serverKey = Curve25519SecretKey()
        let message = [UInt8](repeating: 0x5A, count: size)
        return try await ChannelServer.listen(host: "127.0.0.1", port: 0, identity: serverKey) { server in
            try await withThrowingTaskGroup(of: Double.self) { group in
                group.addTask {
                    for try await connection in server.connections {
                        try await connection.run { session in
                            for try await received in session.messages where received.count == 1 {
                                try await session.send([1])
                            }
                        }
                        break
                    }
                    return 0
                }
                group.addTask {
                    try await ChannelClient.connect(host: "127.0.0.1", port: server.port, serverKey: serverKey.publicKey) { session in
                        var receiver = session.receiver()
                        let clock = ContinuousClock()
                        let start = clock.now
                        let end = start + .milliseconds(Int64(seconds * 1000))
                        var sent = 0
                        while clock.now < end {
                            for _ in 0..<16 { try await session.send(message) }
                            sent += 16
                        }
                        try await session.send([0])
                        _ = try await receiver.receive()
                        return Double(sent) / (clock.now - start).seconds
                    }
                }
                let rate = try await group.next() ?? 0
                group.cancelAll()
                return rate > 0 ? rate : (try await group.next() ?? 0)
            }
        }
    }

    /// Full TCP connect + handshake + close per second.
    private func loopbackHandshakes(seconds: Double) async throws -> Double {
        let serverKey = Curve25519SecretKey()
        return try await ChannelServer.listen(host: "127.0.0.1", port: 0, identity: serverKey) { server in
            try await withThrowingTaskGroup(of: Double.self) { group in
                group.addTask {
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await connection in server.connections {
                            connections.addTask { try? await connection.run { _ in } }
                        }
                    }
                    return 0
                }
                let clock = ContinuousClock()
                let start = clock.now
                let end = start + .milliseconds(Int64(seconds * 1000))
                var count = 0
                while clock.now < end {
                    try await ChannelClient.connect(host: "127.0.0.1", port: server.port, serverKey: serverKey.publicKey) { _ in }
                    count += 1
                }
                group.cancelAll()
                return Double(count) / (clock.now - start).seconds
            }
        }
    }

    enum BenchFailure: Error { case roundTrip, handshake }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
