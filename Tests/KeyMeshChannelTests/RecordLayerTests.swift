// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshChannel

/// RecordLayer on its own (docs/channel-protocol.md §4): records forged with the session key
/// test the rules a well-behaved sender never breaks, and that a rejected record changes nothing.
@Suite("keymesh record layer")
struct RecordLayerTests {
    let key: NaClBoxKey

    init() throws { key = try NaClBoxKey(publicKey: ChannelTestKeys.seeded(31).publicKey, secretKey: ChannelTestKeys.seeded(30)) }

    /// A client → server record frame with any plaintext (`kind ‖ data`), sealed with `key`.
    static func forge(_ key: NaClBoxKey, counter: UInt64, plain: [UInt8], fromClient: Bool = true) -> [UInt8] {
        let prefix = fromClient ? StreamNonce.clientRecord : StreamNonce.serverRecord
        return StreamFrame.frame(.record, body: BigEndian.bytes(counter)
            + key.seal(plain, nonce: NaClNonce(prefix: prefix, counter: counter)))
    }

    func serverLayer(maximum: Int = 1 << 20) -> RecordLayer { RecordLayer(key: key, isClient: false, maximumMessage: maximum) }

    func body(_ frame: [UInt8]) -> ArraySlice<UInt8> { frame[5...] }

    @Test("the forge helper makes what a client RecordLayer seals (so forged records are realistic)")
    func forgeMatchesSeal() throws {
        var client = RecordLayer(key: key, isClient: true, maximumMessage: 1 << 20)
        #expect(try client.seal(Array("abc".utf8)) == [Self.forge(key, counter: 0, plain: [0x00] + Array("abc".utf8))])
        #expect(client.sealClose(.timeout) == Self.forge(key, counter: 1, plain: [0x02, 0x04]))
    }

    @Test("a forged record is rejected and the genuine record with the same counter still opens")
    func forgedThenGenuine() throws {
        var layer = serverLayer()
        let genuine = Self.forge(key, counter: 0, plain: [0x00] + Array("genuine".utf8))
        #expect(throws: SecureChannelError.authenticationFailed) {
            try layer.open(body(ChannelTestKeys.flipped(genuine, at: genuine.count - 1)))
        }
        let otherKey = try NaClBoxKey(publicKey: ChannelTestKeys.seeded(32).publicKey, secretKey: ChannelTestKeys.seeded(30))
        #expect(throws: SecureChannelError.authenticationFailed) {
            try layer.open(body(Self.forge(otherKey, counter: 0, plain: [0x00, 1])))
        }
        #expect(throws: SecureChannelError.counterMismatch(expected: 0, got: 1)) {
            try layer.open(body(Self.forge(key, counter: 1, plain: [0x00, 1])))
        }
        #expect(try layer.open(body(genuine)) == .message(Array("genuine".utf8)))
        #expect(throws: SecureChannelError.counterMismatch(expected: 1, got: 0)) { try layer.open(body(genuine)) }
    }

    @Test("a forged chunk in the middle of a message leaves the partial message intact")
    func forgedChunkKeepsPartial() throws {
        var layer = serverLayer()
        #expect(try layer.open(body(Self.forge(key, counter: 0, plain: [0x01] + Array("first ".utf8)))) == .chunk)
        let second = Self.forge(key, counter: 1, plain: [0x00] + Array("second".utf8))
        #expect(throws: SecureChannelError.authenticationFailed) { try layer.open(body(ChannelTestKeys.flipped(second, at: 20))) }
        #expect(try layer.open(body(second)) == .message(Array("first second".utf8)))
        // and the partial buffer was reset: the next message stands alone
        #expect(try layer.open(body(Self.forge(key, counter: 2, plain: [0x00, 0x21]))) == .message([0x21]))
    }

    @Test("contents that break the rules are .malformedRecord, and change nothing", arguments: [
        [0x03],                    // unknown kind
        [0xFF, 1, 2],              // unknown kind with data
        [0x01],                    // an empty "more" chunk
        [0x02],                    // Close without a reason
        [0x02, 0x00, 0x00],        // Close with two bytes
        [0x02, 0x05],              // unknown reason code
    ])
    func malformed(plain: [UInt8]) throws {
        var layer = serverLayer()
        #expect(try layer.open(body(Self.forge(key, counter: 0, plain: [0x01, 0x41]))) == .chunk)
        #expect(throws: SecureChannelError.malformedRecord) { try layer.open(body(Self.forge(key, counter: 1, plain: plain))) }
        // counter 1 is still expected, and the partial message survived
        #expect(try layer.open(body(Self.forge(key, counter: 1, plain: [0x00, 0x42]))) == .message([0x41, 0x42]))
    }

    @Test("receivers accept any legal split: 1-, 2- and 3-byte chunks and an empty last chunk")
    func anySplit() throws {
        var layer = serverLayer()
        let plains: [[UInt8]] = [[0x01, 1], [0x01, 2, 3], [0x01, 4, 5, 6], [0x00]]
        var events: [RecordLayer.Event] = []
        for (counter, plain) in plains.enumerated() {
            events.append(try layer.open(body(Self.forge(key, counter: UInt64(counter), plain: plain))))
        }
        #expect(events == [.chunk, .chunk, .chunk, .message([1, 2, 3, 4, 5, 6])])
        // an empty message is one 0x00 record with no data
        #expect(try layer.open(body(Self.forge(key, counter: 4, plain: [0x00]))) == .message([]))
    }

    @Test("a Close in the middle of a chunked message is reported as the Close, never as a message")
    func closeMidMessage() throws {
        var layer = serverLayer()
        #expect(try layer.open(body(Self.forge(key, counter: 0, plain: [0x01, 1, 2]))) == .chunk)
        #expect(try layer.open(body(Self.forge(key, counter: 1, plain: [0x02, 0x00]))) == .close(.normal))
    }

    @Test("the receiver's maximum counts chunk bytes as they arrive")
    func receiverMaximum() throws {
        var layer = serverLayer(maximum: 5)
        #expect(try layer.open(body(Self.forge(key, counter: 0, plain: [0x01, 1, 2, 3]))) == .chunk)
        #expect(throws: SecureChannelError.messageTooLarge(size: 6, limit: 5)) {
            try layer.open(body(Self.forge(key, counter: 1, plain: [0x01, 4, 5, 6])))
        }
        #expect(try layer.open(body(Self.forge(key, counter: 1, plain: [0x00, 4, 5]))) == .message([1, 2, 3, 4, 5]))
    }

    @Test("record bodies outside 25 … 65561 bytes are .badLength before any decryption", arguments: [0, 8, 24, 65562])
    func bodyLength(length: Int) throws {
        var layer = serverLayer()
        #expect(throws: SecureChannelError.badLength(type: 0x04, length: length)) {
            try layer.open([UInt8](repeating: 0, count: length)[...])
        }
    }

    @Test("a record without even a kind byte (a bare tag, 24-byte body) is .badLength")
    func noKindByte() throws {
        var layer = serverLayer()
        let bare = Self.forge(key, counter: 0, plain: [])
        #expect(bare.count == 29)
        #expect(throws: SecureChannelError.badLength(type: 0x04, length: 24)) { try layer.open(body(bare)) }
    }

    @Test("a 65536-byte chunk is the largest a record holds; the sender splits at exactly that size")
    func chunkBoundary() throws {
        var client = RecordLayer(key: key, isClient: true, maximumMessage: 1 << 20)
        let frames = try client.seal(ChannelTestKeys.pattern(65536 * 2 + 1))
        #expect(frames.map(\.count) == [30 + 65536, 30 + 65536, 31])
        var layer = serverLayer()
        #expect(try frames.map { try layer.open(body($0)) }
            == [.chunk, .chunk, .message(ChannelTestKeys.pattern(65536 * 2 + 1))])
    }

    @Test("at the machine level, a malformed record gets Close 0x01 and the peer learns .protocolError")
    func malformedAtMachine() throws {
        // scripted randomness makes the session key known: ECs and ESs below
        let ecs = ChannelTestKeys.pattern(32, offset: 3), ess = ChannelTestKeys.pattern(32, offset: 7)
        var pair = MachinePair(
            client: KeyMeshStreamClient(identity: KeyMeshPairKeys.client, serverKey: KeyMeshPairKeys.server.publicKey,
                                        random: ScriptedRandom([ecs, [UInt8](repeating: 0xAA, count: 32),
                                                                [UInt8](repeating: 0xDD, count: 24)])),
            server: KeyMeshStreamServer(identity: KeyMeshPairKeys.server, policy: .open,
                                        random: ScriptedRandom([ess, [UInt8](repeating: 0xBB, count: 32),
                                                                [UInt8](repeating: 0xCC, count: 24)])))
        pair.handshake()
        try #require(pair.server.isEstablished)
        let session = try NaClBoxKey(publicKey: ChannelTestKeys.secret(ess).publicKey, secretKey: ChannelTestKeys.secret(ecs))
        pair.feed(Self.forge(session, counter: 0, plain: [0x01, 7]), to: .server)  // a genuine chunk
        pair.feed(Self.forge(session, counter: 1, plain: [0x07, 7]), to: .server)  // unknown kind
        #expect(pair.outcome(.server) == .finished(.malformedRecord))
        #expect(pair.delivered(.server).isEmpty)
        pair.pump()
        #expect(pair.outcome(.client) == .finished(.closedByPeer(.protocolError)))
    }

    @Test("at the machine level, a Close mid-message ends the stream with no delivery")
    func closeMidMessageAtMachine() throws {
        let ecs = ChannelTestKeys.pattern(32, offset: 3), ess = ChannelTestKeys.pattern(32, offset: 7)
        var pair = MachinePair(
            client: KeyMeshStreamClient(identity: KeyMeshPairKeys.client, serverKey: KeyMeshPairKeys.server.publicKey,
                                        random: ScriptedRandom([ecs, [UInt8](repeating: 0xAA, count: 32),
                                                                [UInt8](repeating: 0xDD, count: 24)])),
            server: KeyMeshStreamServer(identity: KeyMeshPairKeys.server, policy: .open,
                                        random: ScriptedRandom([ess, [UInt8](repeating: 0xBB, count: 32),
                                                                [UInt8](repeating: 0xCC, count: 24)])))
        pair.handshake()
        let session = try NaClBoxKey(publicKey: ChannelTestKeys.secret(ess).publicKey, secretKey: ChannelTestKeys.secret(ecs))
        pair.feed(Self.forge(session, counter: 0, plain: [0x01, 1, 2, 3]), to: .server)
        pair.feed(Self.forge(session, counter: 1, plain: [0x02, 0x00]), to: .server)
        #expect(pair.delivered(.server).isEmpty)
        #expect(pair.outcome(.server) == .finished(nil))
        #expect(pair.serverWrote.count == 1)  // only the Cookie-ack: no Close in answer to a Close
        // nothing after the Close is read
        pair.feed(Self.forge(session, counter: 2, plain: [0x00, 9]), to: .server)
        #expect(pair.delivered(.server).isEmpty)
    }
}
