// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshChannel

// Shared fixtures for the channel state-machine tests: key helpers, the two vector files, and a
// back-to-back driver for stream machines. Names are prefixed so they do not collide with other
// files of this target.

/// Keys for tests.
enum ChannelTestKeys {
    /// A secret key from its 32 raw bytes.
    static func secret(_ bytes: [UInt8]) throws -> Curve25519SecretKey {
        try Curve25519SecretKey(secret: SecretBytes(bytes))
    }

    /// A deterministic secret key from a seed.
    static func seeded(_ seed: UInt64) -> Curve25519SecretKey {
        Curve25519SecretKey(using: SeededRandom(seed: seed))
    }

    /// A public key from its 32 raw bytes.
    static func publicKey(_ bytes: [UInt8]) throws -> Curve25519PublicKey {
        try Curve25519PublicKey(rawRepresentation: bytes)
    }

    /// `count` bytes `0, 1, 2, …` modulo 251 (a prime, so chunk boundaries never line up with the pattern).
    static func pattern(_ count: Int, offset: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 + offset) % 251) }
    }

    /// `bytes` with bit 0 of the byte at `index` flipped.
    static func flipped(_ bytes: [UInt8], at index: Int) -> [UInt8] {
        var out = bytes
        out[index] ^= 0x01
        return out
    }

    /// The u64be at `offset`.
    static func u64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<(offset + 8)].reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// `Vectors/keymesh.json`: the keymesh profile of docs/channel-protocol.md, computed with PyNaCl.
struct KeyMeshVectorFile: Decodable {
    struct RecordVector: Decodable {
        let from: String
        let counter: UInt64
        let kind: UInt8
        let data_hex: String
        let frame: String
    }

    struct PacketVector: Decodable {
        let from: String
        let counter: UInt64
        let kind: UInt8
        let data_hex: String
        let datagram: String
    }

    let inputs: [String: String]
    let hello: String
    let cookie_ack: String
    let vouch: String
    let records: [RecordVector]
    let packets: [PacketVector]

    static func load() throws -> KeyMeshVectorFile {
        try VectorLoader.load(KeyMeshVectorFile.self, "keymesh.json")
    }

    /// The input `name` as bytes.
    func input(_ name: String) throws -> [UInt8] {
        [UInt8](hex: try #require(inputs[name], "input \(name)"))
    }

    func secretKey(_ name: String) throws -> Curve25519SecretKey { try ChannelTestKeys.secret(input(name)) }
    func publicKey(_ name: String) throws -> Curve25519PublicKey { try ChannelTestKeys.publicKey(input(name)) }
}

/// `Vectors/curve_tun.json`: jlouis curve_tun packets, WITHOUT the 2-byte length prefix.
struct CurveTunVectorFile: Decodable {
    struct MessageVector: Decodable {
        let from: String
        let counter: UInt64
        let plaintext_hex: String
        let packet: String
    }

    let inputs: [String: String]
    let hello: String
    let cookie: String
    let cookieK: String
    let vouch: String
    let messages: [MessageVector]

    static func load() throws -> CurveTunVectorFile {
        try VectorLoader.load(CurveTunVectorFile.self, "curve_tun.json")
    }

    func input(_ name: String) throws -> [UInt8] {
        [UInt8](hex: try #require(inputs[name], "input \(name)"))
    }

    func secretKey(_ name: String) throws -> Curve25519SecretKey { try ChannelTestKeys.secret(input(name)) }
    func publicKey(_ name: String) throws -> Curve25519PublicKey { try ChannelTestKeys.publicKey(input(name)) }
}

/// How a machine's run ended, as seen through its actions.
enum MachineOutcome: Equatable {
    /// No `.finish` yet.
    case running
    /// `.finish(error)`; nil is a clean end.
    case finished(SecureChannelError?)
}

/// Two stream machines back to back, with a transport in between that the test controls.
///
/// Frames a side writes are queued for the other side (`toServer`, `toClient`) and logged
/// (`clientWrote`, `serverWrote`). Delivery runs bytes through the receiver's `frameLength(in:)`
/// as the NIO transport does (a header error ends the machine via `transportEnded`). A side that
/// finished receives nothing more; `pump()` then ends its peer's transport with `.connectionLost`
/// once everything in flight was delivered (TCP closing).
struct MachinePair<Client: StreamChannelMachine, Server: StreamChannelMachine> {
    enum Side { case client, server }

    var client: Client
    var server: Server
    /// Every non-write action of each side, in order.
    private(set) var clientEvents: [ChannelAction] = []
    private(set) var serverEvents: [ChannelAction] = []
    /// Every frame each side wrote, in order.
    private(set) var clientWrote: [[UInt8]] = []
    private(set) var serverWrote: [[UInt8]] = []
    /// Written, not yet delivered.
    var toServer: [[UInt8]] = []
    var toClient: [[UInt8]] = []
    private var clientBuffer: [UInt8] = []
    private var serverBuffer: [UInt8] = []

    init(client: Client, server: Server) {
        self.client = client
        self.server = server
    }

    /// Starts both machines (the client writes its Hello).
    mutating func start() {
        record(client.start(), from: .client)
        record(server.start(), from: .server)
    }

    /// Starts and delivers until nothing is in flight.
    mutating func handshake() {
        start()
        pump()
    }

    /// Runs `actions` produced by `side`: writes are queued and logged, the rest logged as events.
    mutating func record(_ actions: [ChannelAction], from side: Side) {
        for action in actions {
            switch (action, side) {
            case (.write(let frame), .client):
                clientWrote.append(frame)
                toServer.append(frame)
            case (.write(let frame), .server):
                serverWrote.append(frame)
                toClient.append(frame)
            case (_, .client): clientEvents.append(action)
            case (_, .server): serverEvents.append(action)
            }
        }
    }

    /// Delivers raw bytes to `side` through its frame decoder.
    mutating func feed(_ bytes: [UInt8], to side: Side) {
        guard outcome(side) == .running else { return }
        switch side {
        case .client: record(Self.consume(&client, buffer: &clientBuffer, bytes: bytes), from: .client)
        case .server: record(Self.consume(&server, buffer: &serverBuffer, bytes: bytes), from: .server)
        }
    }

    private static func consume<M: StreamChannelMachine>(_ machine: inout M, buffer: inout [UInt8],
                                                         bytes: [UInt8]) -> [ChannelAction] {
        buffer += bytes
        var actions: [ChannelAction] = []
        while true {
            let length: Int?
            do {
                length = try buffer.withUnsafeBytes { raw in try M.frameLength(in: raw) }
            } catch {
                actions += machine.transportEnded(error as? SecureChannelError ?? .transport("\(error)"))
                return actions
            }
            guard let length else { return actions }
            let frame = Array(buffer.prefix(length))
            buffer.removeFirst(length)
            let out = machine.receive(frame: frame)
            actions += out
            if out.contains(where: { if case .finish = $0 { true } else { false } }) { return actions }
        }
    }

    /// Delivers the next in-flight frame to `side`; false if none was queued.
    @discardableResult
    mutating func deliverNext(to side: Side) -> Bool {
        switch side {
        case .server:
            guard !toServer.isEmpty else { return false }
            feed(toServer.removeFirst(), to: .server)
        case .client:
            guard !toClient.isEmpty else { return false }
            feed(toClient.removeFirst(), to: .client)
        }
        return true
    }

    /// Delivers everything in flight, both ways, until nothing is left; then, if one side has
    /// finished, its peer sees the TCP connection end.
    mutating func pump(endTransportAfterFinish: Bool = true) {
        while deliverNext(to: .server) || deliverNext(to: .client) {}
        guard endTransportAfterFinish else { return }
        if outcome(.client) != .running, outcome(.server) == .running {
            record(server.transportEnded(.connectionLost), from: .server)
        }
        if outcome(.server) != .running, outcome(.client) == .running {
            record(client.transportEnded(.connectionLost), from: .client)
        }
    }

    /// Sends `message` from `side` (writes are queued, not delivered).
    mutating func send(_ message: [UInt8], from side: Side) throws(SecureChannelError) {
        switch side {
        case .client: record(try client.send(message), from: .client)
        case .server: record(try server.send(message), from: .server)
        }
    }

    func events(_ side: Side) -> [ChannelAction] { side == .client ? clientEvents : serverEvents }

    /// The messages `side` delivered to its application, in order.
    func delivered(_ side: Side) -> [[UInt8]] {
        events(side).compactMap { if case .deliver(let message) = $0 { message } else { nil } }
    }

    /// The peer keys `side` reported as established.
    func established(_ side: Side) -> [Curve25519PublicKey] {
        events(side).compactMap { if case .established(let key) = $0 { key } else { nil } }
    }

    func outcome(_ side: Side) -> MachineOutcome {
        for case .finish(let error) in events(side) { return .finished(error) }
        return .running
    }
}

extension MachinePair where Client == KeyMeshStreamClient, Server == KeyMeshStreamServer {
    /// A keymesh pair with deterministic keys: server identity seed 1, client identity seed 2.
    static func keyMesh(clientMaximum: Int = 1 << 20, serverMaximum: Int = 1 << 20, policy: ClientPolicy = .open,
                        seed: UInt64 = 100) -> MachinePair {
        let serverIdentity = KeyMeshPairKeys.server
        let clientIdentity = KeyMeshPairKeys.client
        return MachinePair(
            client: KeyMeshStreamClient(identity: clientIdentity, serverKey: serverIdentity.publicKey,
                                        maximumMessageSize: clientMaximum, random: SeededRandom(seed: seed)),
            server: KeyMeshStreamServer(identity: serverIdentity, policy: policy, maximumMessageSize: serverMaximum,
                                        random: SeededRandom(seed: seed + 1)))
    }
}

/// The long-term keys `MachinePair.keyMesh` uses.
enum KeyMeshPairKeys {
    static var server: Curve25519SecretKey { ChannelTestKeys.seeded(1) }
    static var client: Curve25519SecretKey { ChannelTestKeys.seeded(2) }
    static var stranger: Curve25519SecretKey { ChannelTestKeys.seeded(3) }
}
