// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshChannel

/// The curve_tun profile against `Vectors/curve_tun.json` (jlouis's wire format, computed with
/// PyNaCl). The JSON packets have no 2-byte length prefix; our frames do.
@Suite("curve_tun profile: known answers and back to back")
struct CurveTunVectorTests {
    let v: CurveTunVectorFile

    init() throws { v = try CurveTunVectorFile.load() }

    func minuteKey() throws -> NaClSecretBox { try #require(NaClSecretBox(key: SecretBytes(try v.input("Ts")))) }

    /// A frame's 2-byte length must match its payload.
    func checkPrefix(_ frame: [UInt8], _ sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(frame.count >= 2, sourceLocation: sourceLocation)
        #expect(Int(frame[0]) << 8 | Int(frame[1]) == frame.count - 2, sourceLocation: sourceLocation)
    }

    @Test("the vector inputs are consistent key pairs")
    func inputs() throws {
        #expect(try v.secretKey("Ss").publicKey == v.publicKey("S"))
        #expect(try v.secretKey("Cs").publicKey == v.publicKey("C"))
        #expect(try v.secretKey("ECs").publicKey == v.publicKey("EC"))
        #expect(try v.secretKey("ESs").publicKey == v.publicKey("ES"))
    }

    @Test("CurveTunHello.write reproduces the Hello (128 bytes)")
    func hello() throws {
        let frame = try CurveTunHello.write(ephemeral: v.secretKey("ECs"), serverKey: v.publicKey("S"))
        #expect(frame.count == 130)
        checkPrefix(frame)
        #expect(Array(frame.dropFirst(2)) == [UInt8](hex: v.hello))
    }

    @Test("CurveTunCookie.write with the fixed SafeNonce and minute key reproduces the Cookie (168 bytes)")
    func cookie() throws {
        let frame = try CurveTunCookie.write(serverEphemeral: v.secretKey("ESs"), clientEphemeral: v.publicKey("EC"),
                                             safeNonce: v.input("safeNonce"), minuteKey: minuteKey(),
                                             serverSecret: v.secretKey("Ss"))
        #expect(frame.count == 170)
        checkPrefix(frame)
        #expect(Array(frame.dropFirst(2)) == [UInt8](hex: v.cookie))
        // the client side reads ES and the opaque cookie K out of it
        let (es, k) = try CurveTunCookie.read(frame, clientEphemeral: v.secretKey("ECs"), serverKey: v.publicKey("S"))
        #expect(es == (try v.publicKey("ES")))
        #expect(k == [UInt8](hex: v.cookieK))
    }

    @Test("CurveTunVouch.write with cookie K, Cs and NonceLT reproduces the Vouch (224 bytes)")
    func vouch() throws {
        let session = try NaClBoxKey(publicKey: v.publicKey("ES"), secretKey: v.secretKey("ECs"))
        let frame = try CurveTunVouch.write(cookie: [UInt8](hex: v.cookieK), client: v.secretKey("Cs"),
                                            clientEphemeral: v.publicKey("EC"), nonceLT: v.input("nonceLT"),
                                            serverKey: v.publicKey("S"), session: session)
        #expect(frame.count == 226)
        checkPrefix(frame)
        #expect(Array(frame.dropFirst(2)) == [UInt8](hex: v.vouch))
    }

    @Test("CurveTunRecords seal the listed Msg packets: client 2 \"1\", 3 \"hello\"; server 2 \"world\"")
    func messagesSealed() throws {
        let clientKey = try NaClBoxKey(publicKey: v.publicKey("ES"), secretKey: v.secretKey("ECs"))
        let serverKey = try NaClBoxKey(publicKey: v.publicKey("EC"), secretKey: v.secretKey("ESs"))
        var client = CurveTunRecords(key: clientKey, isClient: true)
        var server = CurveTunRecords(key: serverKey, isClient: false)
        try #require(v.messages.count == 3)
        for message in v.messages {
            let plain = [UInt8](hex: message.plaintext_hex)
            let frame = message.from == "client" ? try client.seal(plain) : try server.seal(plain)
            checkPrefix(frame)
            #expect(frame.count == 2 + 32 + plain.count)
            #expect(BigEndian.uint64(frame[10...]) == message.counter)
            #expect(Array(frame.dropFirst(2)) == [UInt8](hex: message.packet), "\(message.from) counter \(message.counter)")
        }
    }

    @Test("CurveTunRecords open the listed Msg packets in order, and refuse them out of order")
    func messagesOpened() throws {
        let clientKey = try NaClBoxKey(publicKey: v.publicKey("ES"), secretKey: v.secretKey("ECs"))
        let serverKey = try NaClBoxKey(publicKey: v.publicKey("EC"), secretKey: v.secretKey("ESs"))
        let frames = v.messages.map { CurveTunWire.frame([UInt8](hex: $0.packet)) }
        try #require(frames.count == 3)
        var server = CurveTunRecords(key: serverKey, isClient: false)
        #expect(try server.open(frames[0]) == Array("1".utf8))
        #expect(try server.open(frames[1]) == Array("hello".utf8))
        var client = CurveTunRecords(key: clientKey, isClient: true)
        #expect(try client.open(frames[2]) == Array("world".utf8))

        var fresh = CurveTunRecords(key: serverKey, isClient: false)
        #expect(throws: SecureChannelError.counterMismatch(expected: 2, got: 3)) { try fresh.open(frames[1]) }
        // a client message offered to the client (wrong direction prefix) does not open
        var wrongSide = CurveTunRecords(key: clientKey, isClient: true)
        #expect(throws: SecureChannelError.authenticationFailed) { try wrongSide.open(frames[0]) }
    }

    @Test("the server side accepts the vector Hello and returns EC")
    func helloRead() throws {
        let ec = try CurveTunHello.read(CurveTunWire.frame([UInt8](hex: v.hello)), serverSecret: v.secretKey("Ss"))
        #expect(ec == (try v.publicKey("EC")))
        // another server key cannot open it
        #expect(throws: SecureChannelError.authenticationFailed) {
            try CurveTunHello.read(CurveTunWire.frame([UInt8](hex: v.hello)), serverSecret: ChannelTestKeys.seeded(40))
        }
    }

    @Test("the vector Vouch is accepted under the current or the previous minute key, not under unrelated ones")
    func vouchMinuteKeys() throws {
        let frame = CurveTunWire.frame([UInt8](hex: v.vouch))
        let ss = try v.secretKey("Ss")
        let other = NaClSecretBox(using: SeededRandom(seed: 41))
        let another = NaClSecretBox(using: SeededRandom(seed: 42))

        let current = try CurveTunVouch.read(frame, keys: MinuteKeys(current: minuteKey(), previous: nil), serverSecret: ss)
        #expect(current.client == (try v.publicKey("C")))
        #expect(current.clientEphemeral == (try v.publicKey("EC")))

        let previous = try CurveTunVouch.read(frame, keys: MinuteKeys(current: other, previous: minuteKey()), serverSecret: ss)
        #expect(previous.client == (try v.publicKey("C")))
        #expect(previous.clientEphemeral == (try v.publicKey("EC")))
        // the session recovered from the cookie is the one the client used: it opens client message 2
        var records = CurveTunRecords(key: previous.session, isClient: false)
        #expect(try records.open(CurveTunWire.frame([UInt8](hex: v.messages[0].packet))) == Array("1".utf8))

        #expect(throws: SecureChannelError.authenticationFailed) {
            try CurveTunVouch.read(frame, keys: MinuteKeys(current: other, previous: another), serverSecret: ss)
        }
        #expect(throws: SecureChannelError.authenticationFailed) {
            try CurveTunVouch.read(frame, keys: MinuteKeys(current: other, previous: nil), serverSecret: ss)
        }
        // rotating twice forgets Ts
        let rotated = MinuteKeys(current: try minuteKey(), previous: nil).rotated(using: SeededRandom(seed: 43))
        #expect(try CurveTunVouch.read(frame, keys: rotated, serverSecret: ss).client == (try v.publicKey("C")))
        #expect(throws: SecureChannelError.authenticationFailed) {
            try CurveTunVouch.read(frame, keys: rotated.rotated(using: SeededRandom(seed: 44)), serverSecret: ss)
        }
    }

    @Test("a tampered Vouch is refused: counter, cookie, box")
    func vouchTampered() throws {
        let payload = [UInt8](hex: v.vouch)
        let keys = MinuteKeys(current: try minuteKey(), previous: nil)
        let ss = try v.secretKey("Ss")
        #expect(throws: SecureChannelError.counterMismatch(expected: 1, got: 0)) {
            var p = payload
            p[111] = 0
            _ = try CurveTunVouch.read(CurveTunWire.frame(p), keys: keys, serverSecret: ss)
        }
        for index in [8, 50, 103, 112, 150, 223] {  // cookie nonce, cookie box, outer box
            #expect(throws: SecureChannelError.authenticationFailed, "byte \(index)") {
                try CurveTunVouch.read(CurveTunWire.frame(ChannelTestKeys.flipped(payload, at: index)), keys: keys, serverSecret: ss)
            }
        }
        #expect(throws: SecureChannelError.unexpectedFrame(type: 0x6C)) {
            try CurveTunVouch.read(CurveTunWire.frame([UInt8](hex: v.hello) + [UInt8](repeating: 0, count: 96)),
                                   keys: keys, serverSecret: ss)
        }
    }

    @Test("CurveTunClient and CurveTunServer with the vector's randomness put exactly the vector on the wire")
    func machinesReproduceVector() throws {
        let client = CurveTunClient(identity: try v.secretKey("Cs"), serverKey: try v.publicKey("S"),
                                    random: ScriptedRandom([try v.input("ECs"), try v.input("nonceLT")]))
        let serverRandom = ScriptedRandom([try v.input("ESs"), try v.input("safeNonce")])
        let server = CurveTunServer(identity: try v.secretKey("Ss"), policy: .open,
                                    minuteKeys: MinuteKeys(current: try minuteKey(), previous: nil), random: serverRandom)
        var pair = MachinePair(client: client, server: server)
        pair.handshake()
        #expect(pair.clientWrote.map { Array($0.dropFirst(2)) } == [[UInt8](hex: v.hello), [UInt8](hex: v.vouch)])
        #expect(pair.serverWrote.map { Array($0.dropFirst(2)) } == [[UInt8](hex: v.cookie)])
        #expect(serverRandom.isExhausted)
        #expect(pair.established(.client) == [try v.publicKey("S")])
        #expect(pair.established(.server) == [try v.publicKey("C")])

        try pair.send(Array("1".utf8), from: .client)
        try pair.send(Array("hello".utf8), from: .client)
        try pair.send(Array("world".utf8), from: .server)
        #expect(pair.toServer.map { Array($0.dropFirst(2)) } == [[UInt8](hex: v.messages[0].packet), [UInt8](hex: v.messages[1].packet)])
        #expect(pair.toClient.map { Array($0.dropFirst(2)) } == [[UInt8](hex: v.messages[2].packet)])
        pair.pump()
        #expect(pair.delivered(.server) == [Array("1".utf8), Array("hello".utf8)])
        #expect(pair.delivered(.client) == [Array("world".utf8)])
    }

    func randomPair(policy: ClientPolicy = .open) -> MachinePair<CurveTunClient, CurveTunServer> {
        MachinePair(
            client: CurveTunClient(identity: ChannelTestKeys.seeded(51), serverKey: ChannelTestKeys.seeded(50).publicKey,
                                   random: SeededRandom(seed: 52)),
            server: CurveTunServer(identity: ChannelTestKeys.seeded(50), policy: policy,
                                   minuteKeys: MinuteKeys(current: NaClSecretBox(using: SeededRandom(seed: 53)), previous: nil),
                                   random: SeededRandom(seed: 54)))
    }

    @Test("back to back: both establish, messages flow with counters 2, 3, 4 each way")
    func backToBack() throws {
        var pair = randomPair()
        pair.handshake()
        #expect(pair.client.isEstablished && pair.server.isEstablished)
        #expect(pair.established(.client) == [ChannelTestKeys.seeded(50).publicKey])
        #expect(pair.established(.server) == [ChannelTestKeys.seeded(51).publicKey])
        #expect(pair.clientWrote.map(\.count) == [130, 226])
        #expect(pair.serverWrote.map(\.count) == [170])

        for n in 0..<3 {
            try pair.send(Array("c\(n)".utf8), from: .client)
            try pair.send(Array("s\(n)".utf8), from: .server)
        }
        #expect(pair.toServer.map { BigEndian.uint64($0[10...]) } == [2, 3, 4])
        #expect(pair.toClient.map { BigEndian.uint64($0[10...]) } == [2, 3, 4])
        pair.pump()
        #expect(pair.delivered(.server) == ["c0", "c1", "c2"].map { Array($0.utf8) })
        #expect(pair.delivered(.client) == ["s0", "s1", "s2"].map { Array($0.utf8) })
        #expect(pair.outcome(.client) == .running && pair.outcome(.server) == .running)
    }

    @Test("a 65503-byte message is the largest: 65504 is refused by send and the channel stays usable")
    func maximumMessage() throws {
        var pair = randomPair()
        pair.handshake()
        #expect(throws: SecureChannelError.messageTooLarge(size: 65504, limit: 65503)) {
            try pair.send(ChannelTestKeys.pattern(65504), from: .client)
        }
        #expect(throws: SecureChannelError.messageTooLarge(size: 65504, limit: 65503)) {
            try pair.send(ChannelTestKeys.pattern(65504), from: .server)
        }
        #expect(pair.toServer.isEmpty && pair.toClient.isEmpty)
        let big = ChannelTestKeys.pattern(65503)
        try pair.send(big, from: .client)
        #expect(pair.toServer.map(\.count) == [2 + 65535])
        pair.pump()
        #expect(pair.delivered(.server) == [big])
    }

    @Test("frames: a length below 32 is refused, prefixes wait for more bytes")
    func frameLength() throws {
        #expect(throws: SecureChannelError.badLength(type: 0, length: 31)) {
            try [UInt8]([0, 31]).withUnsafeBytes { try CurveTunWire.frameLength(in: $0) }
        }
        let frame = try CurveTunHello.write(ephemeral: ChannelTestKeys.seeded(55), serverKey: ChannelTestKeys.seeded(56).publicKey)
        for cut in 0..<frame.count {
            #expect(try Array(frame.prefix(cut)).withUnsafeBytes { try CurveTunWire.frameLength(in: $0) } == nil)
        }
        #expect(try frame.withUnsafeBytes { try CurveTunWire.frameLength(in: $0) } == 130)
    }

    @Test("allow-list refusal ends the server with .clientNotAllowed; a tampered message ends the receiver")
    func refusalsAndTampering() throws {
        var refused = randomPair(policy: .allowList([ChannelTestKeys.seeded(57).publicKey]))
        refused.handshake()
        #expect(refused.outcome(.server) == .finished(.clientNotAllowed))
        #expect(refused.established(.server).isEmpty)

        var pair = randomPair(policy: .allowList([ChannelTestKeys.seeded(51).publicKey]))
        pair.handshake()
        #expect(pair.established(.server) == [ChannelTestKeys.seeded(51).publicKey])
        try pair.send(Array("x".utf8), from: .client)
        let frame = pair.toServer.removeFirst()
        pair.feed(ChannelTestKeys.flipped(frame, at: frame.count - 1), to: .server)
        #expect(pair.outcome(.server) == .finished(.authenticationFailed))
        #expect(pair.delivered(.server).isEmpty)
    }

    @Test("curve_tun has no Close: close finishes cleanly and the peer's EOF is a clean end too")
    func closing() throws {
        var pair = randomPair()
        pair.handshake()
        pair.record(pair.client.close(.normal), from: .client)
        #expect(pair.outcome(.client) == .finished(nil))
        #expect(pair.clientWrote.count == 2)  // Hello and Vouch only: nothing written for the close
        pair.pump()
        #expect(pair.outcome(.server) == .finished(nil))
        #expect(throws: SecureChannelError.closed) { try pair.send([1], from: .client) }

        var handshaking = randomPair()
        handshaking.start()
        #expect(handshaking.client.transportEnded(.timeout) == [.finish(.timeout)])
    }
}
