// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshChannel

/// The keymesh profile against `Vectors/keymesh.json` (docs/channel-protocol.md, computed with
/// PyNaCl by make_vectors.py): every frame byte for byte, both directions.
@Suite("keymesh profile: known answers")
struct KeyMeshVectorTests {
    let v: KeyMeshVectorFile

    init() throws { v = try KeyMeshVectorFile.load() }

    func clientSession() throws -> NaClBoxKey { try NaClBoxKey(publicKey: v.publicKey("ES"), secretKey: v.secretKey("ECs")) }
    func serverSession() throws -> NaClBoxKey { try NaClBoxKey(publicKey: v.publicKey("EC"), secretKey: v.secretKey("ESs")) }
    func nonce(_ name: String) throws -> NaClNonce { try #require(NaClNonce(try v.input(name))) }
    func record(_ index: Int) throws -> [UInt8] {
        try #require(v.records.indices.contains(index))
        return [UInt8](hex: v.records[index].frame)
    }

    @Test("the vector inputs are consistent key pairs")
    func inputs() throws {
        #expect(try v.secretKey("Ss").publicKey == v.publicKey("S"))
        #expect(try v.secretKey("Cs").publicKey == v.publicKey("C"))
        #expect(try v.secretKey("ECs").publicKey == v.publicKey("EC"))
        #expect(try v.secretKey("ESs").publicKey == v.publicKey("ES"))
    }

    @Test("Hello(ephemeral:ctag:serverKey:).frame reproduces the Hello (86 bytes), and the server reads Ctag back")
    func hello() throws {
        let hello = try Hello(ephemeral: v.secretKey("ECs"), ctag: v.input("Ctag"), serverKey: v.publicKey("S"))
        #expect(hello.frame == [UInt8](hex: v.hello))
        #expect(hello.frame.count == 86)
        let (type, body) = try StreamFrame.parse([UInt8](hex: v.hello))
        #expect(type == .hello)
        let read = try Hello(body: body)
        #expect(read.ephemeralKey == (try v.publicKey("EC")))
        #expect(try read.openTag(serverSecret: v.secretKey("Ss")) == v.input("Ctag"))
    }

    @Test("CookieAck with nonce Nk reproduces the Cookie-ack (141 bytes), and the client opens it")
    func cookieAck() throws {
        let contents = CookieAck.Contents(serverEphemeral: try v.publicKey("ES"), ctag: try v.input("Ctag"),
                                          stag: try v.input("Stag"))
        let ack = try CookieAck(contents, nonce: nonce("Nk"), serverSecret: v.secretKey("Ss"), clientEphemeral: v.publicKey("EC"))
        #expect(ack.frame == [UInt8](hex: v.cookie_ack))
        #expect(ack.frame.count == 141)
        let (type, body) = try StreamFrame.parse([UInt8](hex: v.cookie_ack))
        #expect(type == .cookieAck)
        let opened = try CookieAck(body: body).open(clientEphemeral: v.secretKey("ECs"), serverKey: v.publicKey("S"))
        #expect(opened.serverEphemeral == (try v.publicKey("ES")))
        #expect(opened.ctag == (try v.input("Ctag")))
        #expect(opened.stag == (try v.input("Stag")))
        // opened by a client that expects another server key: refused
        #expect(throws: SecureChannelError.authenticationFailed) {
            try CookieAck(body: body).open(clientEphemeral: v.secretKey("ECs"), serverKey: ChannelTestKeys.seeded(60).publicKey)
        }
    }

    @Test("Vouch with nonce Nv reproduces the Vouch (157 bytes), and the server verifies C from it")
    func vouch() throws {
        let vouch = try Vouch(client: v.secretKey("Cs"), clientEphemeral: v.publicKey("EC"), stag: v.input("Stag"),
                              serverKey: v.publicKey("S"), vouchNonce: nonce("Nv"), session: clientSession())
        #expect(vouch.frame == [UInt8](hex: v.vouch))
        #expect(vouch.frame.count == 157)
        let (type, body) = try StreamFrame.parse([UInt8](hex: v.vouch))
        #expect(type == .vouch)
        let read = try Vouch(body: body)
        let client = try read.verify(session: serverSession(), serverSecret: v.secretKey("Ss"),
                                     clientEphemeral: v.publicKey("EC"), stag: v.input("Stag"))
        #expect(client == (try v.publicKey("C")))
        // the same Vouch against another Stag (another connection's challenge) or another EC fails
        #expect(throws: SecureChannelError.authenticationFailed) {
            try read.verify(session: serverSession(), serverSecret: v.secretKey("Ss"), clientEphemeral: v.publicKey("EC"),
                            stag: [UInt8](repeating: 0xBC, count: 32))
        }
        #expect(throws: SecureChannelError.authenticationFailed) {
            try read.verify(session: serverSession(), serverSecret: v.secretKey("Ss"),
                            clientEphemeral: ChannelTestKeys.seeded(61).publicKey, stag: v.input("Stag"))
        }
    }

    @Test("the vector records are what the spec says: 30 + n bytes, their counter, their direction")
    func recordShapes() throws {
        try #require(v.records.count == 5)
        for record in v.records {
            let frame = [UInt8](hex: record.frame)
            let data = [UInt8](hex: record.data_hex)
            #expect(frame.count == 30 + data.count)
            #expect(frame[0] == 0x04)
            #expect(Int(ChannelTestKeys.u64([0, 0, 0, 0] + frame[1..<5], at: 0)) == frame.count - 5)
            #expect(ChannelTestKeys.u64(frame, at: 5) == record.counter)
            #expect(try frame.withUnsafeBytes { try StreamFrame.length(in: $0) } == frame.count)
        }
    }

    @Test("a client RecordLayer seals records 0 (\"hello\"), 1 (Close 0x00) and 3 (\"def\") byte for byte")
    func clientRecordsSealed() throws {
        var layer = RecordLayer(key: try clientSession(), isClient: true, maximumMessage: 1 << 20)
        #expect(try layer.seal(Array("hello".utf8)) == [try record(0)])
        #expect(layer.sealClose(.normal) == (try record(1)))
        // counter 2 is the chunk "abc" (kind 0x01), which the sender only makes for messages over
        // 65536 bytes; sealing "abc" as a whole message at counter 2 differs from the vector only in
        // the tag and in the kind byte (XSalsa20 is a stream cipher: 0x00 vs 0x01 in the first byte).
        let asLast = try layer.seal(Array("abc".utf8))
        try #require(asLast.count == 1)
        let chunk = try record(3)
        #expect(asLast[0].count == chunk.count)
        #expect(Array(asLast[0][0..<13]) == Array(chunk[0..<13]))  // header and counter
        #expect(Array(asLast[0][13..<29]) != Array(chunk[13..<29]))  // tag
        #expect(asLast[0][29] ^ chunk[29] == 0x01)  // kind 0x00 vs 0x01
        #expect(Array(asLast[0][30...]) == Array(chunk[30...]))  // "abc"
        #expect(try layer.seal(Array("def".utf8)) == [try record(4)])
    }

    @Test("a server RecordLayer seals record \"world\" at counter 0")
    func serverRecordSealed() throws {
        var layer = RecordLayer(key: try serverSession(), isClient: false, maximumMessage: 1 << 20)
        #expect(try layer.seal(Array("world".utf8)) == [try record(2)])
    }

    @Test("a server RecordLayer opens the client records in order: hello, Close, chunk abc, def → abcdef")
    func clientRecordsOpened() throws {
        var layer = RecordLayer(key: try serverSession(), isClient: false, maximumMessage: 1 << 20)
        func open(_ index: Int) throws -> RecordLayer.Event {
            let (type, body) = try StreamFrame.parse(try record(index))
            #expect(type == .record)
            return try layer.open(body)
        }
        #expect(try open(0) == .message(Array("hello".utf8)))
        #expect(try open(1) == .close(.normal))
        #expect(try open(3) == .chunk)
        #expect(try open(4) == .message(Array("abcdef".utf8)))
        // the server record is not for the server: wrong counter (expects 4) and wrong prefix
        #expect(throws: SecureChannelError.counterMismatch(expected: 4, got: 0)) { try open(2) }
    }

    @Test("a client RecordLayer opens the server record \"world\"; the client's own records do not open there")
    func serverRecordOpened() throws {
        var layer = RecordLayer(key: try clientSession(), isClient: true, maximumMessage: 1 << 20)
        // client record 0 has the expected counter but the client prefix: it does not open here
        let own = try record(0).dropFirst(5)
        #expect(throws: SecureChannelError.authenticationFailed) { try layer.open(own) }
        #expect(try layer.open(try record(2).dropFirst(5)) == .message(Array("world".utf8)))
    }

    @Test("the client packet opens at PacketServer(identity: Ss) and is reproduced by PacketClient")
    func clientPacket() throws {
        try #require(v.packets.count == 2)
        let datagram = [UInt8](hex: v.packets[0].datagram)
        #expect(datagram.count == 58 + 4)
        var server = PacketServer<String>(identity: try v.secretKey("Ss"), startCounter: 0)
        #expect(server.receive(datagram, from: "peer") == .message(client: try v.publicKey("EC"), Array("ping".utf8)))
        #expect(server.associationCount == 1)

        var client = try PacketClient(serverKey: v.publicKey("S"), random: ScriptedRandom([try v.input("ECs")]))
        #expect(try client.seal(Array("ping".utf8)) == datagram)
    }

    @Test("the server packet is reproduced by PacketServer(startCounter: 0) and opens at the client")
    func serverPacket() throws {
        let request = [UInt8](hex: v.packets[0].datagram)
        let reply = [UInt8](hex: v.packets[1].datagram)
        #expect(reply.count == 26 + 4)
        // directly: Box[kind ‖ "pong"](Ss -> EC, "KeyMesh-Server-P" ‖ 0)
        let key = try NaClBoxKey(publicKey: v.publicKey("S"), secretKey: v.secretKey("ECs"))
        #expect(reply[0] == 0x12)
        #expect(ChannelTestKeys.u64(reply, at: 1) == 0)
        #expect(try key.open(reply[9...], nonce: NaClNonce(prefix: Array("KeyMesh-Server-P".utf8), counter: 0))
            == [0x00] + Array("pong".utf8))

        var server = PacketServer<String>(identity: try v.secretKey("Ss"), startCounter: 0)
        _ = server.receive(request, from: "peer")
        let sealed = try #require(try server.seal(Array("pong".utf8), to: v.publicKey("EC")))
        #expect(sealed.0 == reply)
        #expect(sealed.1 == "peer")

        var client = try PacketClient(serverKey: v.publicKey("S"), random: ScriptedRandom([try v.input("ECs")]))
        #expect(client.open(reply) == .message(Array("pong".utf8)))
        #expect(client.open(reply) == nil)  // and only once
    }

    @Test("the stream machines, given the vector's randomness, put exactly the vector frames on the wire")
    func machinesReproduceVector() throws {
        let clientRandom = ScriptedRandom([try v.input("ECs"), try v.input("Ctag"), try v.input("Nv")])
        let serverRandom = ScriptedRandom([try v.input("ESs"), try v.input("Stag"), try v.input("Nk")])
        var pair = MachinePair(
            client: KeyMeshStreamClient(identity: try v.secretKey("Cs"), serverKey: try v.publicKey("S"), random: clientRandom),
            server: KeyMeshStreamServer(identity: try v.secretKey("Ss"), policy: .open, random: serverRandom))
        #expect(clientRandom.isExhausted && serverRandom.isExhausted)
        pair.handshake()
        #expect(pair.clientWrote == [[UInt8](hex: v.hello), [UInt8](hex: v.vouch)])
        #expect(pair.serverWrote == [[UInt8](hex: v.cookie_ack)])
        #expect(pair.established(.client) == [try v.publicKey("S")])
        #expect(pair.established(.server) == [try v.publicKey("C")])

        try pair.send(Array("hello".utf8), from: .client)
        try pair.send(Array("world".utf8), from: .server)
        #expect(pair.toServer == [try record(0)])
        #expect(pair.toClient == [try record(2)])
        pair.pump()
        pair.record(pair.client.close(.normal), from: .client)
        #expect(pair.toServer == [try record(1)])
        pair.pump()
        #expect(pair.delivered(.server) == [Array("hello".utf8)])
        #expect(pair.delivered(.client) == [Array("world".utf8)])
        #expect(pair.outcome(.server) == .finished(nil))
        #expect(pair.outcome(.client) == .finished(nil))
    }
}
