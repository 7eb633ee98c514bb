// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshChannel

/// KeyMeshStreamClient and KeyMeshStreamServer back to back through `MachinePair`: the
/// handshake, records, chunking, limits and closing (docs/channel-protocol.md §2–§7).
@Suite("keymesh stream machines back to back")
struct StreamMachineTests {
    typealias Pair = MachinePair<KeyMeshStreamClient, KeyMeshStreamServer>

    let serverKey = KeyMeshPairKeys.server.publicKey
    let clientKey = KeyMeshPairKeys.client.publicKey

    func established(_ pair: Pair = .keyMesh()) throws -> Pair {
        var pair = pair
        pair.handshake()
        try #require(pair.client.isEstablished && pair.server.isEstablished)
        return pair
    }

    // MARK: Handshake and messages

    @Test("the handshake establishes both sides with the right peer keys and the spec's frame sizes")
    func handshake() throws {
        var pair = Pair.keyMesh()
        #expect(!pair.client.isEstablished && !pair.server.isEstablished)
        pair.handshake()
        #expect(pair.client.isEstablished && pair.server.isEstablished)
        #expect(pair.clientEvents == [.established(peerKey: serverKey)])
        #expect(pair.serverEvents == [.established(peerKey: clientKey)])
        #expect(pair.clientWrote.map(\.count) == [86, 157])
        #expect(pair.clientWrote.map { $0[0] } == [0x01, 0x03])
        #expect(pair.serverWrote.map(\.count) == [141])
        #expect(pair.serverWrote.first?.first == 0x02)
    }

    @Test("messages flow both ways, in order, and a record is 30 + n bytes with counters from 0")
    func messagesBothWays() throws {
        var pair = try established()
        for n in 0..<5 {
            try pair.send(Array("client \(n)".utf8), from: .client)
            try pair.send(Array("server \(n)".utf8), from: .server)
        }
        #expect(pair.toServer.map(\.count) == (0..<5).map { 30 + "client \($0)".utf8.count })
        #expect(pair.toServer.map { ChannelTestKeys.u64($0, at: 5) } == [0, 1, 2, 3, 4])
        #expect(pair.toClient.map { ChannelTestKeys.u64($0, at: 5) } == [0, 1, 2, 3, 4])
        pair.pump()
        #expect(pair.delivered(.server) == (0..<5).map { Array("client \($0)".utf8) })
        #expect(pair.delivered(.client) == (0..<5).map { Array("server \($0)".utf8) })
        #expect(pair.outcome(.client) == .running && pair.outcome(.server) == .running)
    }

    @Test("messages of 0, 1, 65536, 65537, 131072 bytes and 1 MiB arrive intact, in ceil(n / 65536) records",
          arguments: [0, 1, 65536, 65537, 131_072, 1 << 20])
    func chunking(size: Int) throws {
        var pair = try established()
        let message = ChannelTestKeys.pattern(size, offset: size)
        try pair.send(message, from: .client)
        let records = max(1, (size + 65535) / 65536)
        #expect(pair.toServer.count == records)
        #expect(pair.toServer.reduce(0) { $0 + $1.count } == records * 30 + size)
        pair.pump()
        #expect(pair.delivered(.server) == [message])
        try pair.send(message, from: .server)
        pair.pump()
        #expect(pair.delivered(.client) == [message])
    }

    @Test("a message over the sender's maximum is refused by send; the channel stays usable")
    func sendLimit() throws {
        var pair = try established()
        #expect(throws: SecureChannelError.messageTooLarge(size: (1 << 20) + 1, limit: 1 << 20)) {
            try pair.send([UInt8](repeating: 7, count: (1 << 20) + 1), from: .client)
        }
        #expect(pair.toServer.isEmpty)
        var small = try established(.keyMesh(clientMaximum: 10))
        #expect(throws: SecureChannelError.messageTooLarge(size: 11, limit: 10)) {
            try small.send(ChannelTestKeys.pattern(11), from: .client)
        }
        try small.send(ChannelTestKeys.pattern(10), from: .client)
        #expect(ChannelTestKeys.u64(small.toServer[0], at: 5) == 0)  // the refused send used no counter
        small.pump()
        #expect(small.delivered(.server) == [ChannelTestKeys.pattern(10)])
    }

    @Test("a receiver with a smaller maximum closes with reason 0x02 as soon as the collected bytes exceed it")
    func receiverLimit() throws {
        var pair = try established(.keyMesh(clientMaximum: 2 << 20, serverMaximum: 1 << 20))
        try pair.send(ChannelTestKeys.pattern(2 << 20), from: .client)
        #expect(pair.toServer.count == 32)
        // 16 full chunks are exactly 1 MiB: still fine
        for _ in 0..<16 { pair.deliverNext(to: .server) }
        #expect(pair.outcome(.server) == .running)
        #expect(pair.serverWrote.count == 1)  // only the Cookie-ack so far
        pair.deliverNext(to: .server)
        #expect(pair.outcome(.server) == .finished(.messageTooLarge(size: (1 << 20) + 65536, limit: 1 << 20)))
        #expect(pair.serverWrote.count == 2)  // the Close
        #expect(pair.delivered(.server).isEmpty)
        pair.pump()
        #expect(pair.outcome(.client) == .finished(.closedByPeer(.messageTooLarge)))
    }

    @Test("a message exactly at the receiver's maximum is accepted")
    func receiverLimitExact() throws {
        var pair = try established(.keyMesh(clientMaximum: 2 << 20, serverMaximum: 100_000))
        try pair.send(ChannelTestKeys.pattern(100_000), from: .client)
        pair.pump()
        #expect(pair.delivered(.server) == [ChannelTestKeys.pattern(100_000)])
        try pair.send(ChannelTestKeys.pattern(100_001), from: .client)
        pair.pump()
        #expect(pair.outcome(.server) == .finished(.messageTooLarge(size: 100_001, limit: 100_000)))
    }

    // MARK: Records under attack

    @Test("a tampered record: the server writes a Close with reason 0x01, then finishes with .authenticationFailed")
    func tamperedRecord() throws {
        var pair = try established()
        try pair.send(Array("transfer 10".utf8), from: .client)
        let frame = pair.toServer.removeFirst()
        let actions = pair.server.receive(frame: ChannelTestKeys.flipped(frame, at: 30))  // inside the box
        try #require(actions.count == 2)
        guard case .write(let close) = actions[0] else {
            Issue.record("expected the Close record first, got \(actions[0])")
            return
        }
        #expect(close.count == 31)  // a record carrying one byte
        #expect(actions[1] == .finish(.authenticationFailed))
        #expect(pair.server.receive(frame: frame) == [])  // closed: even the genuine record is ignored now
        pair.record(actions, from: .server)
        pair.pump()
        #expect(pair.outcome(.client) == .finished(.closedByPeer(.protocolError)))
    }

    @Test("a flipped counter or tag byte is rejected with the matching error and a Close 0x01", arguments: [
        (5, SecureChannelError.counterMismatch(expected: 0, got: 1 << 56)),  // counter, most significant byte
        (12, .counterMismatch(expected: 0, got: 1)),                          // counter, least significant byte
        (13, .authenticationFailed), (28, .authenticationFailed),             // tag
        (29, .authenticationFailed), (34, .authenticationFailed),             // kind byte, data
    ])
    func tamperedRecordAnywhere(index: Int, error: SecureChannelError) throws {
        var pair = try established()
        try pair.send(Array("hello".utf8), from: .client)
        let frame = pair.toServer.removeFirst()
        try #require(frame.count == 35)
        pair.feed(ChannelTestKeys.flipped(frame, at: index), to: .server)
        #expect(pair.outcome(.server) == .finished(error))
        #expect(pair.delivered(.server).isEmpty)
        pair.pump()
        #expect(pair.outcome(.client) == .finished(.closedByPeer(.protocolError)))
    }

    @Test("a replayed record ends the receiver with .counterMismatch")
    func replay() throws {
        var pair = try established()
        try pair.send(Array("a".utf8), from: .client)
        try pair.send(Array("b".utf8), from: .client)
        let first = pair.toServer[0]
        pair.pump()
        pair.feed(first, to: .server)
        #expect(pair.delivered(.server) == [Array("a".utf8), Array("b".utf8)])
        #expect(pair.outcome(.server) == .finished(.counterMismatch(expected: 2, got: 0)))
        pair.pump()
        #expect(pair.outcome(.client) == .finished(.closedByPeer(.protocolError)))
    }

    @Test("reordered records (1 before 0) end the receiver with .counterMismatch")
    func reorder() throws {
        var pair = try established()
        try pair.send(Array("a".utf8), from: .server)
        try pair.send(Array("b".utf8), from: .server)
        pair.toClient.swapAt(0, 1)
        pair.pump()
        #expect(pair.delivered(.client).isEmpty)
        #expect(pair.outcome(.client) == .finished(.counterMismatch(expected: 0, got: 1)))
        #expect(pair.outcome(.server) == .finished(.closedByPeer(.protocolError)))
    }

    @Test("a dropped record (a gap) ends the receiver with .counterMismatch")
    func gap() throws {
        var pair = try established()
        for text in ["a", "b", "c"] { try pair.send(Array(text.utf8), from: .client) }
        pair.toServer.remove(at: 1)
        pair.pump()
        #expect(pair.delivered(.server) == [Array("a".utf8)])
        #expect(pair.outcome(.server) == .finished(.counterMismatch(expected: 1, got: 2)))
    }

    @Test("a dropped chunk of a chunked message is a gap too")
    func droppedChunk() throws {
        var pair = try established()
        try pair.send(ChannelTestKeys.pattern(3 * 65536), from: .client)
        pair.toServer.remove(at: 1)
        pair.pump()
        #expect(pair.delivered(.server).isEmpty)
        #expect(pair.outcome(.server) == .finished(.counterMismatch(expected: 1, got: 2)))
    }

    @Test("a record from the other direction (reflected back) does not open")
    func reflected() throws {
        var pair = try established()
        try pair.send(Array("mirror".utf8), from: .client)
        let frame = pair.toServer.removeFirst()
        pair.feed(frame, to: .client)  // counter 0 is what the client expects, but the prefix is the client's
        #expect(pair.outcome(.client) == .finished(.authenticationFailed))
    }

    @Test("a handshake frame once established ends the channel with a Close 0x01")
    func handshakeFrameWhenEstablished() throws {
        var pair = try established()
        pair.feed(pair.clientWrote[0], to: .server)  // the Hello again
        #expect(pair.outcome(.server) == .finished(.unexpectedFrame(type: 0x01)))
        pair.pump()
        #expect(pair.outcome(.client) == .finished(.closedByPeer(.protocolError)))
    }

    // MARK: Framing

    @Test("StreamFrame.length is nil for every proper prefix of a valid frame and the full length at the end")
    func truncation() throws {
        var pair = try established()
        try pair.send(ChannelTestKeys.pattern(300), from: .client)
        let frames = pair.clientWrote + pair.serverWrote  // Hello, Vouch, the record; Cookie-ack
        #expect(frames.map(\.count) == [86, 157, 330, 141])
        for frame in frames {
            for cut in 0..<frame.count {
                let prefix = Array(frame.prefix(cut))
                #expect(try prefix.withUnsafeBytes { try StreamFrame.length(in: $0) } == nil, "prefix \(cut) of \(frame.count)")
            }
            #expect(try frame.withUnsafeBytes { try StreamFrame.length(in: $0) } == frame.count)
            #expect(try (frame + [0x04, 0, 0]).withUnsafeBytes { try KeyMeshStreamServer.frameLength(in: $0) } == frame.count)
        }
    }

    @Test("bytes delivered one at a time reassemble into the same conversation")
    func byteByByte() throws {
        var pair = Pair.keyMesh()
        pair.start()
        while !pair.toServer.isEmpty || !pair.toClient.isEmpty {
            if !pair.toServer.isEmpty { for byte in pair.toServer.removeFirst() { pair.feed([byte], to: .server) } }
            if !pair.toClient.isEmpty { for byte in pair.toClient.removeFirst() { pair.feed([byte], to: .client) } }
        }
        #expect(pair.client.isEstablished && pair.server.isEstablished)
        try pair.send(ChannelTestKeys.pattern(70_000), from: .client)
        for frame in pair.toServer { for byte in frame { pair.feed([byte], to: .server) } }
        #expect(pair.delivered(.server) == [ChannelTestKeys.pattern(70_000)])
    }

    @Test("a bad length in the header is refused from the 5-byte header alone", arguments: [
        (0x01, 80), (0x01, 82), (0x02, 135), (0x02, 137), (0x03, 151), (0x03, 153),
        (0x04, 24), (0x04, 65562), (0x04, 70000), (0x04, Int(UInt32.max)),
    ] as [(UInt8, Int)])
    func badLength(type: UInt8, length: Int) throws {
        let header: [UInt8] = [type, UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
                               UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        #expect(throws: SecureChannelError.badLength(type: type, length: length)) {
            try header.withUnsafeBytes { try StreamFrame.length(in: $0) }
        }
        var pair = Pair.keyMesh()
        pair.feed(header, to: .server)
        #expect(pair.outcome(.server) == .finished(.badLength(type: type, length: length)))
        #expect(pair.serverWrote.isEmpty)  // handshake errors close TCP without a Close
    }

    @Test("the extreme legal lengths are accepted (the decoder waits for the body)", arguments: [
        (0x01, 81), (0x02, 136), (0x03, 152), (0x04, 25), (0x04, 65561),
    ] as [(UInt8, Int)])
    func goodLength(type: UInt8, length: Int) throws {
        let header: [UInt8] = [type, 0, UInt8(length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        #expect(try header.withUnsafeBytes { try StreamFrame.length(in: $0) } == nil)
        let whole = header + [UInt8](repeating: 0, count: length)
        #expect(try whole.withUnsafeBytes { try StreamFrame.length(in: $0) } == 5 + length)
    }

    @Test("an unknown frame type is refused from its first byte", arguments: [UInt8(0x00), 0x05, 0x11, 0x12, 0xFF])
    func unknownType(type: UInt8) throws {
        #expect(throws: SecureChannelError.unexpectedFrame(type: type)) {
            try [type].withUnsafeBytes { try StreamFrame.length(in: $0) }
        }
        var pair = try established()
        pair.feed([type, 0, 0, 0, 30], to: .client)
        #expect(pair.outcome(.client) == .finished(.unexpectedFrame(type: type)))
    }

    @Test("a bad frame header once established is answered with a Close 0x01 (§6)", arguments: [
        ([0x04, 0x00, 0x01, 0x11, 0x70], SecureChannelError.badLength(type: 0x04, length: 70000)),
        ([0x09], .unexpectedFrame(type: 0x09)),
    ] as [([UInt8], SecureChannelError)])
    func badHeaderWhenEstablished(header: [UInt8], error: SecureChannelError) throws {
        // docs/channel-protocol.md §6: "An error in the peer's input found once established ... is
        // answered with a Close giving the reason"; the reason table lists a bad frame under 0x01.
        var pair = try established()
        pair.feed(header, to: .server)
        #expect(pair.outcome(.server) == .finished(error))
        #expect(pair.serverWrote.count == 2)  // Cookie-ack, then the Close
        pair.pump()
        #expect(pair.outcome(.client) == .finished(.closedByPeer(.protocolError)))

        var other = try established()
        other.feed(header, to: .client)
        #expect(other.outcome(.client) == .finished(error))
        other.pump()
        #expect(other.outcome(.server) == .finished(.closedByPeer(.protocolError)))
    }

    @Test("a known frame type in the wrong state ends the handshake", arguments: [UInt8(0x02), 0x03, 0x04])
    func wrongStateAtServer(type: UInt8) throws {
        var pair = Pair.keyMesh()
        let length = [0x02: 136, 0x03: 152, 0x04: 40][Int(type)] ?? 0
        pair.feed(StreamFrame.header(try #require(StreamFrame.FrameType(rawValue: type)), length: length)
            + [UInt8](repeating: 0, count: length), to: .server)
        #expect(pair.outcome(.server) == .finished(.unexpectedFrame(type: type)))
        #expect(pair.serverWrote.isEmpty)
    }

    @Test("a Hello with another version is refused with .unsupportedVersion")
    func helloVersion() throws {
        var pair = Pair.keyMesh()
        pair.start()
        var hello = pair.toServer.removeFirst()
        hello[5] = 0x02
        pair.feed(hello, to: .server)
        #expect(pair.outcome(.server) == .finished(.unsupportedVersion(2)))
        #expect(pair.serverWrote.isEmpty)
    }

    // MARK: Handshake under attack

    @Test("a server without the client's configured key cannot open the Hello")
    func wrongServer() throws {
        let impostor = KeyMeshStreamServer(identity: KeyMeshPairKeys.stranger, policy: .open, random: SeededRandom(seed: 7))
        var pair = MachinePair(client: KeyMeshStreamClient(identity: KeyMeshPairKeys.client, serverKey: serverKey,
                                                           random: SeededRandom(seed: 8)),
                               server: impostor)
        pair.handshake()
        #expect(pair.outcome(.server) == .finished(.authenticationFailed))
        #expect(pair.serverWrote.isEmpty)
        #expect(pair.outcome(.client) == .finished(.connectionLost))
        #expect(pair.established(.client).isEmpty)
    }

    @Test("a client configured with another server key refuses the real server's Cookie-ack")
    func wrongServerKeyAtClient() throws {
        // Two clients with the same ephemeral key and Ctag: one knows S, one expects another key.
        let script: [[UInt8]] = [ChannelTestKeys.pattern(32, offset: 1), ChannelTestKeys.pattern(32, offset: 50),
                                 ChannelTestKeys.pattern(24, offset: 90)]
        var right = MachinePair(
            client: KeyMeshStreamClient(identity: KeyMeshPairKeys.client, serverKey: serverKey, random: ScriptedRandom(script)),
            server: KeyMeshStreamServer(identity: KeyMeshPairKeys.server, policy: .open, random: SeededRandom(seed: 9)))
        right.start()
        right.deliverNext(to: .server)
        let cookieAck = try #require(right.toClient.first)

        var wrong = KeyMeshStreamClient(identity: KeyMeshPairKeys.client, serverKey: KeyMeshPairKeys.stranger.publicKey,
                                        random: ScriptedRandom(script))
        _ = wrong.start()
        #expect(wrong.receive(frame: cookieAck) == [.finish(.authenticationFailed)])
        #expect(!wrong.isEstablished)
        // control: the client that knows S accepts the very same Cookie-ack
        right.deliverNext(to: .client)
        #expect(right.established(.client) == [serverKey])
    }

    @Test("a tampered Cookie-ack (nonce, box or echoed Ctag) ends the client; no Vouch is written",
          arguments: [5, 28, 29, 100, 140])
    func tamperedCookieAck(index: Int) throws {
        var pair = Pair.keyMesh()
        pair.start()
        pair.deliverNext(to: .server)
        var ack = pair.toClient.removeFirst()
        ack[index] ^= 0x80
        pair.feed(ack, to: .client)
        #expect(pair.outcome(.client) == .finished(.authenticationFailed))
        #expect(pair.clientWrote.count == 1)
    }

    @Test("a genuine Cookie-ack sealed by Ss that echoes the wrong Ctag is refused")
    func wrongCtag() throws {
        var pair = Pair.keyMesh()
        pair.start()
        let hello = try Hello(body: StreamFrame.parse(pair.toServer.removeFirst()).1)
        for ctag in [[UInt8](repeating: 0, count: 32), try hello.openTag(serverSecret: KeyMeshPairKeys.server).map { $0 ^ 1 }] {
            var client = pair.client
            let forged = try CookieAck(.init(serverEphemeral: ChannelTestKeys.seeded(20).publicKey, ctag: ctag,
                                             stag: [UInt8](repeating: 3, count: 32)),
                                       nonce: NaClNonce.random(using: SeededRandom(seed: 21)),
                                       serverSecret: KeyMeshPairKeys.server, clientEphemeral: hello.ephemeralKey)
            #expect(client.receive(frame: forged.frame) == [.finish(.authenticationFailed)])
        }
        // control: the right Ctag is accepted
        let right = try CookieAck(.init(serverEphemeral: ChannelTestKeys.seeded(20).publicKey,
                                        ctag: try hello.openTag(serverSecret: KeyMeshPairKeys.server),
                                        stag: [UInt8](repeating: 3, count: 32)),
                                  nonce: NaClNonce.random(using: SeededRandom(seed: 21)),
                                  serverSecret: KeyMeshPairKeys.server, clientEphemeral: hello.ephemeralKey)
        let actions = pair.client.receive(frame: right.frame)
        #expect(actions.count == 2)
        #expect(actions.last == .established(peerKey: serverKey))
    }

    @Test("a low-order EC in the Hello is refused (libsodium refuses the box)")
    func lowOrderHelloKey() throws {
        var pair = Pair.keyMesh()
        pair.start()
        var hello = pair.toServer.removeFirst()
        for index in 6..<38 { hello[index] = 0 }
        pair.feed(hello, to: .server)
        #expect(pair.outcome(.server) == .finished(.authenticationFailed))
        #expect(pair.serverWrote.isEmpty)
    }

    @Test("a Cookie-ack carrying a low-order ES (with the right Ctag) is refused by the client")
    func lowOrderServerEphemeral() throws {
        var pair = Pair.keyMesh()
        pair.start()
        let hello = try Hello(body: StreamFrame.parse(pair.toServer.removeFirst()).1)
        let forged = try CookieAck(.init(serverEphemeral: ChannelTestKeys.publicKey([UInt8](repeating: 0, count: 32)),
                                         ctag: try hello.openTag(serverSecret: KeyMeshPairKeys.server),
                                         stag: [UInt8](repeating: 3, count: 32)),
                                   nonce: NaClNonce.random(using: SeededRandom(seed: 28)),
                                   serverSecret: KeyMeshPairKeys.server, clientEphemeral: hello.ephemeralKey)
        #expect(pair.client.receive(frame: forged.frame) == [.finish(.authenticationFailed)])
    }

    @Test("a tampered Vouch ends the server with .authenticationFailed and no Close (TCP closes at once)",
          arguments: [5, 20, 60, 100, 156])
    func tamperedVouch(index: Int) throws {
        var pair = Pair.keyMesh()
        pair.start()
        pair.deliverNext(to: .server)
        pair.deliverNext(to: .client)
        #expect(pair.client.isEstablished)
        var vouch = pair.toServer.removeFirst()
        vouch[index] ^= 0x04
        let actions = pair.server.receive(frame: vouch)
        #expect(actions == [.finish(.authenticationFailed)])
        #expect(!pair.server.isEstablished)
    }

    /// A client and server whose randomness is scripted, so a later server can share ES with an earlier one.
    static func scriptedServer(stag: UInt8, policy: ClientPolicy = .open) -> KeyMeshStreamServer {
        KeyMeshStreamServer(identity: KeyMeshPairKeys.server, policy: policy,
                            random: ScriptedRandom([ChannelTestKeys.pattern(32, offset: 7), [UInt8](repeating: stag, count: 32),
                                                    [UInt8](repeating: 0xCC, count: 24)]))
    }

    @Test("a Vouch whose V binds another Stag or another EC is refused")
    func vouchBindsStagAndEC() throws {
        let clientScript: [[UInt8]] = [ChannelTestKeys.pattern(32, offset: 3), [UInt8](repeating: 0xAA, count: 32),
                                       [UInt8](repeating: 0xDD, count: 24)]
        let ecs = try ChannelTestKeys.secret(clientScript[0])
        let es = try ChannelTestKeys.secret(ChannelTestKeys.pattern(32, offset: 7)).publicKey
        let session = try NaClBoxKey(publicKey: es, secretKey: ecs)
        let nv = try #require(NaClNonce([UInt8](repeating: 0xDD, count: 24)))
        let cases: [(Curve25519PublicKey, [UInt8], Bool)] = [
            (ecs.publicKey, [UInt8](repeating: 0x5A, count: 32), true),       // the genuine binding
            (ecs.publicKey, [UInt8](repeating: 0x5B, count: 32), false),      // another Stag
            (ChannelTestKeys.seeded(22).publicKey, [UInt8](repeating: 0x5A, count: 32), false),  // another EC
        ]
        for (ec, stag, accepted) in cases {
            var pair = MachinePair(
                client: KeyMeshStreamClient(identity: KeyMeshPairKeys.client, serverKey: serverKey,
                                            random: ScriptedRandom(clientScript)),
                server: Self.scriptedServer(stag: 0x5A))
            pair.start()
            pair.deliverNext(to: .server)
            let vouch = try Vouch(client: KeyMeshPairKeys.client, clientEphemeral: ec, stag: stag, serverKey: serverKey,
                                  vouchNonce: nv, session: session)
            pair.feed(vouch.frame, to: .server)
            #expect(pair.server.isEstablished == accepted)
            #expect(pair.outcome(.server) == (accepted ? .running : .finished(.authenticationFailed)))
        }
    }

    @Test("a recorded Vouch replayed on a new connection fails: the new server's Stag differs")
    func vouchReplay() throws {
        let clientScript: [[UInt8]] = [ChannelTestKeys.pattern(32, offset: 3), [UInt8](repeating: 0xAA, count: 32),
                                       [UInt8](repeating: 0xDD, count: 24)]
        var first = MachinePair(
            client: KeyMeshStreamClient(identity: KeyMeshPairKeys.client, serverKey: serverKey, random: ScriptedRandom(clientScript)),
            server: Self.scriptedServer(stag: 0x01))
        first.handshake()
        try #require(first.server.isEstablished)
        let (hello, vouch) = (first.clientWrote[0], first.clientWrote[1])

        // an attacker replays Hello and Vouch to new servers
        func replay(to server: KeyMeshStreamServer) -> [ChannelAction] {
            var server = server
            var actions = server.receive(frame: hello)
            actions += server.receive(frame: vouch)
            return actions
        }
        // same ES (so the outer box opens), fresh Stag: the vouch V no longer matches
        let sameESNewStag = replay(to: Self.scriptedServer(stag: 0x02))
        #expect(sameESNewStag.count == 2)
        #expect(sameESNewStag.last == .finish(.authenticationFailed))
        // an ordinary fresh server: refused as well
        let fresh = replay(to: KeyMeshStreamServer(identity: KeyMeshPairKeys.server, policy: .open, random: SeededRandom(seed: 23)))
        #expect(fresh.last == .finish(.authenticationFailed))
        // control: a server that drew the very same ES and Stag would accept it, so Stag is what refused it
        let same = replay(to: Self.scriptedServer(stag: 0x01))
        #expect(same.last == .established(peerKey: clientKey))
    }

    // MARK: Policy

    @Test("allow-list refusal: the server writes Close 0x03 as its first record and finishes with .clientNotAllowed")
    func allowListRefusal() throws {
        var pair = Pair.keyMesh(policy: .allowList([KeyMeshPairKeys.stranger.publicKey]))
        pair.handshake()
        #expect(pair.outcome(.server) == .finished(.clientNotAllowed))
        #expect(pair.established(.server).isEmpty)
        #expect(pair.serverWrote.count == 2)
        #expect(pair.serverWrote.last?.count == 31)
        #expect(pair.serverWrote.last.map { ChannelTestKeys.u64($0, at: 5) } == 0)  // the first record
        // the client had established, then learns the refusal from that record
        #expect(pair.established(.client) == [serverKey])
        #expect(pair.outcome(.client) == .finished(.closedByPeer(.clientNotAllowed)))
    }

    @Test("allow-list acceptance: a pinned client key is established and can talk")
    func allowListAcceptance() throws {
        var pair = try established(.keyMesh(policy: .allowList([KeyMeshPairKeys.stranger.publicKey, clientKey])))
        #expect(pair.established(.server) == [clientKey])
        try pair.send(Array("hi".utf8), from: .client)
        pair.pump()
        #expect(pair.delivered(.server) == [Array("hi".utf8)])
    }

    @Test("an open server accepts an anonymous client and reports its key")
    func anonymousClient() throws {
        let anonymous = Curve25519SecretKey(using: SeededRandom(seed: 24))
        var pair = MachinePair(
            client: KeyMeshStreamClient(identity: anonymous, serverKey: serverKey, random: SeededRandom(seed: 25)),
            server: KeyMeshStreamServer(identity: KeyMeshPairKeys.server, policy: .open, random: SeededRandom(seed: 26)))
        pair.handshake()
        #expect(pair.established(.server) == [anonymous.publicKey])
    }

    // MARK: Closing

    @Test("a clean close: Close 0x00 then a clean end on both sides", arguments: [true, false])
    func cleanClose(clientCloses: Bool) throws {
        var pair = try established()
        let side: Pair.Side = clientCloses ? .client : .server
        let actions = clientCloses ? pair.client.close(.normal) : pair.server.close(.normal)
        #expect(actions.count == 2)
        #expect(actions.last == .finish(nil))
        pair.record(actions, from: side)
        pair.pump()
        #expect(pair.outcome(.client) == .finished(nil))
        #expect(pair.outcome(.server) == .finished(nil))
        #expect(throws: SecureChannelError.closed) { try pair.send([1], from: .client) }
        #expect(throws: SecureChannelError.closed) { try pair.send([1], from: .server) }
        #expect(pair.client.close(.normal) == [])
    }

    @Test("a Close with another reason reaches the peer as .closedByPeer(reason)",
          arguments: [CloseReason.protocolError, .messageTooLarge, .clientNotAllowed, .timeout])
    func closeReasons(reason: CloseReason) throws {
        var pair = try established()
        pair.record(pair.server.close(reason), from: .server)
        #expect(pair.outcome(.server) == .finished(nil))
        pair.pump()
        #expect(pair.outcome(.client) == .finished(.closedByPeer(reason)))
    }

    @Test("TCP lost while established is .connectionLost, not a clean end; nothing is written")
    func connectionLost() throws {
        var pair = try established()
        #expect(pair.server.transportEnded(.connectionLost) == [.finish(.connectionLost)])
        #expect(pair.client.transportEnded(.connectionLost) == [.finish(.connectionLost)])
        #expect(pair.client.transportEnded(.connectionLost) == [])
        #expect(!pair.client.isEstablished)
        var reset = try established()
        #expect(reset.server.transportEnded(.transport("connection reset")) == [.finish(.transport("connection reset"))])
    }

    @Test("a handshake timeout finishes with .timeout and writes nothing")
    func handshakeTimeout() throws {
        var pair = Pair.keyMesh()
        pair.start()
        #expect(pair.client.transportEnded(.timeout) == [.finish(.timeout)])  // waiting for the Cookie-ack
        var server = KeyMeshStreamServer(identity: KeyMeshPairKeys.server, policy: .open, random: SeededRandom(seed: 27))
        #expect(server.transportEnded(.timeout) == [.finish(.timeout)])  // waiting for the Hello
        var waiting = Pair.keyMesh()
        waiting.start()
        waiting.deliverNext(to: .server)
        #expect(waiting.server.transportEnded(.timeout) == [.finish(.timeout)])  // waiting for the Vouch
    }

    @Test("an idle timeout once established writes Close 0x04 first")
    func establishedTimeout() throws {
        var pair = try established()
        let actions = pair.server.transportEnded(.timeout)
        #expect(actions.count == 2)
        #expect(actions.last == .finish(.timeout))
        pair.record(actions, from: .server)
        pair.pump()
        #expect(pair.outcome(.client) == .finished(.closedByPeer(.timeout)))
    }

    @Test("close during the handshake finishes cleanly without writing")
    func closeDuringHandshake() throws {
        var pair = Pair.keyMesh()
        pair.start()
        #expect(pair.client.close(.normal) == [.finish(nil)])
        #expect(pair.server.close(.normal) == [.finish(nil)])
    }
}
