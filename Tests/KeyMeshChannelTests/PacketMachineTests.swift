// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshChannel

/// PacketClient and PacketServer back to back (docs/channel-protocol.md §5).
@Suite("keymesh packet mode")
struct PacketMachineTests {
    let serverIdentity = ChannelTestKeys.seeded(70)
    var serverKey: Curve25519PublicKey { serverIdentity.publicKey }
    let t0 = ContinuousClock.now

    func makeServer(startCounter: UInt64 = 1_000) -> PacketServer<String> {
        PacketServer(identity: serverIdentity, startCounter: startCounter)
    }

    func makeClient(seed: UInt64 = 71) throws -> PacketClient {
        try PacketClient(serverKey: serverKey, random: SeededRandom(seed: seed))
    }

    /// The client's EC, read from one of its datagrams.
    func ephemeral(of datagram: [UInt8]) throws -> Curve25519PublicKey {
        try Curve25519PublicKey(rawRepresentation: datagram[1..<33])
    }

    @Test("a request and a reply: 58 + n and 26 + n bytes, the reply goes to the request's address")
    func roundTrip() throws {
        var server = makeServer()
        var client = try makeClient()
        let request = try client.seal(Array("ping".utf8))
        #expect(request.count == 58 + 4)
        #expect(request[0] == 0x11)
        let ec = try ephemeral(of: request)
        #expect(server.receive(request, from: "10.0.0.1:5353", now: t0) == .message(client: ec, Array("ping".utf8)))
        #expect(server.associationCount == 1)
        let (reply, address) = try #require(try server.seal(Array("pong".utf8), to: ec))
        #expect(address == "10.0.0.1:5353")
        #expect(reply.count == 26 + 4)
        #expect(reply[0] == 0x12)
        #expect(client.open(reply) == .message(Array("pong".utf8)))

        // more traffic both ways, empty messages included
        for text in ["", "a", "bc"] {
            #expect(server.receive(try client.seal(Array(text.utf8)), from: "10.0.0.1:5353", now: t0)
                == .message(client: ec, Array(text.utf8)))
            let (back, _) = try #require(try server.seal(Array(text.utf8).reversed(), to: ec))
            #expect(client.open(back) == .message(Array(text.utf8).reversed()))
        }
        #expect(server.associationCount == 1)
    }

    @Test("every datagram of one client carries the same EC and counters 0, 1, 2, …")
    func clientCounters() throws {
        var client = try makeClient()
        let datagrams = try (0..<4).map { _ in try client.seal([1]) }
        #expect(Set(datagrams.map { Array($0[1..<33]) }).count == 1)
        #expect(datagrams.map { ChannelTestKeys.u64($0, at: 33) } == [0, 1, 2, 3])
        // another client association has another EC
        var other = try makeClient(seed: 72)
        #expect(Array(try other.seal([1])[1..<33]) != Array(datagrams[0][1..<33]))
    }

    @Test("a duplicated datagram is dropped (nil) in both directions")
    func duplicate() throws {
        var server = makeServer()
        var client = try makeClient()
        let request = try client.seal(Array("once".utf8))
        #expect(server.receive(request, from: "a", now: t0) != nil)
        #expect(server.receive(request, from: "a", now: t0) == nil)
        let (reply, _) = try #require(try server.seal([9], to: try ephemeral(of: request)))
        #expect(client.open(reply) == .message([9]))
        #expect(client.open(reply) == nil)
    }

    @Test("reordered datagrams within the window are each accepted once")
    func reordered() throws {
        var server = makeServer()
        var client = try makeClient()
        let datagrams = try (0..<5).map { try client.seal([UInt8($0)]) }
        var delivered: [[UInt8]] = []
        for index in [3, 0, 4, 1, 2, 3, 0] {
            if case .message(_, let data) = server.receive(datagrams[index], from: "a", now: t0) { delivered.append(data) }
        }
        #expect(delivered == [[3], [0], [4], [1], [2]])
    }

    @Test("a tampered datagram is dropped and moves nothing: the genuine one is accepted afterwards",
          arguments: [1, 32, 33, 40, 41, 56, 57, 61])
    func tampered(index: Int) throws {
        var server = makeServer()
        var client = try makeClient()
        let request = try client.seal(Array("ping".utf8))
        #expect(server.receive(ChannelTestKeys.flipped(request, at: index), from: "evil", now: t0) == nil)
        #expect(server.associationCount == 0)
        #expect(server.receive(request, from: "good", now: t0) == .message(client: try ephemeral(of: request), Array("ping".utf8)))
        // a tampered copy from another address does not redirect the replies
        let second = try client.seal(Array("pong".utf8))
        #expect(server.receive(ChannelTestKeys.flipped(second, at: index), from: "evil", now: t0) == nil)
        #expect(try server.seal([3], to: try ephemeral(of: request))?.1 == "good")
        // and the reply side: a tampered server datagram is dropped, the genuine one is not
        let (reply, _) = try #require(try server.seal([4], to: try ephemeral(of: request)))
        #expect(client.open(ChannelTestKeys.flipped(reply, at: min(index, reply.count - 1))) == nil)
        #expect(client.open(reply) == .message([4]))
    }

    @Test("the wrong type byte is dropped in both directions")
    func wrongType() throws {
        var server = makeServer()
        var client = try makeClient()
        var request = try client.seal([1])
        let ec = try ephemeral(of: request)
        for type: UInt8 in [0x12, 0x10, 0x00, 0x01] {
            request[0] = type
            #expect(server.receive(request, from: "a", now: t0) == nil, "type \(type)")
        }
        request[0] = 0x11
        #expect(server.receive(request, from: "a", now: t0) == .message(client: ec, [1]))
        var (reply, _) = try #require(try server.seal([2], to: ec))
        reply[0] = 0x11
        #expect(client.open(reply) == nil)
        reply[0] = 0x12
        #expect(client.open(reply) == .message([2]))
    }

    @Test("too short or too long datagrams are dropped")
    func lengths() throws {
        var server = makeServer()
        var client = try makeClient()
        let request = try client.seal([])
        #expect(request.count == 58)
        #expect(server.receive(Array(request.prefix(57)), from: "a", now: t0) == nil)
        #expect(server.receive([], from: "a", now: t0) == nil)
        #expect(server.receive([0x11], from: "a", now: t0) == nil)
        #expect(server.receive(request + [0], from: "a", now: t0) == nil)
        #expect(server.receive(request, from: "a", now: t0) != nil)
        #expect(client.open([]) == nil)
        #expect(client.open([0x12] + [UInt8](repeating: 0, count: 24)) == nil)
    }

    @Test("a datagram sealed to another server key is dropped and creates no association")
    func otherServer() throws {
        var server = makeServer()
        var stranger = try PacketClient(serverKey: ChannelTestKeys.seeded(73).publicKey, random: SeededRandom(seed: 74))
        #expect(server.receive(try stranger.seal(Array("hi".utf8)), from: "a", now: t0) == nil)
        #expect(server.associationCount == 0)
        // and a server reply to one client does not open at another
        var alice = try makeClient(seed: 75)
        var bob = try makeClient(seed: 76)
        let request = try alice.seal([1])
        _ = server.receive(request, from: "a", now: t0)
        let (reply, _) = try #require(try server.seal([2], to: try ephemeral(of: request)))
        #expect(bob.open(reply) == nil)
        #expect(alice.open(reply) == .message([2]))
    }

    @Test("a client Close forgets the association; replies to it are no longer possible")
    func clientClose() throws {
        var server = makeServer()
        var client = try makeClient()
        let request = try client.seal([1])
        let ec = try ephemeral(of: request)
        _ = server.receive(request, from: "a", now: t0)
        #expect(server.associationCount == 1)
        let close = try client.sealClose()
        #expect(close.count == 58 + 1)
        #expect(server.receive(close, from: "a", now: t0) == .closed(client: ec, .normal))
        #expect(server.associationCount == 0)
        #expect(try server.seal([2], to: ec) == nil)
        // the documented cost of forgetting: a recorded packet is accepted again (§5)
        #expect(server.receive(request, from: "a", now: t0) == .message(client: ec, [1]))
    }

    @Test("a server Close reaches the client and forgets the association")
    func serverClose() throws {
        var server = makeServer()
        var client = try makeClient()
        let request = try client.seal([1])
        let ec = try ephemeral(of: request)
        _ = server.receive(request, from: "a", now: t0)
        let (close, address) = try #require(try server.sealClose(.timeout, to: ec))
        #expect(address == "a")
        #expect(close.count == 26 + 1)
        #expect(server.associationCount == 0)
        #expect(client.open(close) == .close(.timeout))
        #expect(try server.sealClose(.normal, to: ec) == nil)
    }

    @Test("associations idle for more than 120 s are evicted; exactly 120 s is still kept")
    func idleEviction() throws {
        var server = makeServer()
        var a = try makeClient(seed: 80), b = try makeClient(seed: 81), c = try makeClient(seed: 82)
        let requestA = try a.seal([1]), requestB = try b.seal([1])
        let ecA = try ephemeral(of: requestA), ecB = try ephemeral(of: requestB)
        _ = server.receive(requestA, from: "a", now: t0)
        _ = server.receive(requestB, from: "b", now: t0 + .seconds(60))
        server.evict(now: t0 + .seconds(120))
        #expect(server.associationCount == 2)
        server.evict(now: t0 + .seconds(121))
        #expect(server.associationCount == 1)
        #expect(try server.seal([1], to: ecA) == nil)
        #expect(try server.seal([1], to: ecB) != nil)
        // activity refreshes: B speaks at 170 s, so it survives 240 s
        _ = server.receive(try b.seal([2]), from: "b", now: t0 + .seconds(170))
        // a new association runs the eviction too
        _ = server.receive(try c.seal([1]), from: "c", now: t0 + .seconds(240))
        #expect(server.associationCount == 2)
        _ = server.receive(try a.seal([3]), from: "a", now: t0 + .seconds(400))
        #expect(server.associationCount == 1)  // A anew; B and C idle since 170 s and 240 s
    }

    @Test("at most 4096 associations: the least recently used one goes first")
    func associationLimit() throws {
        #expect(PacketServer<String>.maximumAssociations == 4096)
        var server = makeServer()
        var first: Curve25519PublicKey?
        for n in 0..<4096 {
            var client = try PacketClient(serverKey: serverKey, random: SeededRandom(seed: 10_000 + UInt64(n)))
            let request = try client.seal([1])
            if n == 0 { first = try ephemeral(of: request) }
            #expect(server.receive(request, from: "\(n)", now: t0 + .milliseconds(n)) != nil)
        }
        #expect(server.associationCount == 4096)
        let oldest = try #require(first)
        var late = try PacketClient(serverKey: serverKey, random: SeededRandom(seed: 99_999))
        _ = server.receive(try late.seal([1]), from: "late", now: t0 + .seconds(5))
        #expect(server.associationCount == 4096)
        #expect(try server.seal([1], to: oldest) == nil)
    }

    @Test("the server counter starts at startCounter and increases across associations, even after one is forgotten")
    func serverCounter() throws {
        var server = makeServer(startCounter: 500)
        var a = try makeClient(seed: 90), b = try makeClient(seed: 91)
        let requestA = try a.seal([1]), requestB = try b.seal([1])
        let ecA = try ephemeral(of: requestA), ecB = try ephemeral(of: requestB)
        _ = server.receive(requestA, from: "a", now: t0)
        _ = server.receive(requestB, from: "b", now: t0)
        var counters: [UInt64] = []
        for target in [ecA, ecB, ecA, ecB] {
            let (datagram, _) = try #require(try server.seal([0], to: target))
            counters.append(ChannelTestKeys.u64(datagram, at: 1))
        }
        let (close, _) = try #require(try server.sealClose(.normal, to: ecA))
        counters.append(ChannelTestKeys.u64(close, at: 1))
        _ = server.receive(try a.seal([2]), from: "a", now: t0)  // A again: a new association, same EC
        let (again, _) = try #require(try server.seal([0], to: ecA))
        counters.append(ChannelTestKeys.u64(again, at: 1))
        #expect(counters == [500, 501, 502, 503, 504, 505])
        // a forgotten association does not hand out a counter
        #expect(try server.seal([0], to: ChannelTestKeys.seeded(92).publicKey) == nil)
        let (next, _) = try #require(try server.seal([0], to: ecB))
        #expect(ChannelTestKeys.u64(next, at: 1) == 506)
    }

    @Test("the default start counter is the wall clock in nanoseconds")
    func wallClockCounter() throws {
        let before = PacketServer<String>.wallClockNanoseconds()
        #expect(before > 1_700_000_000 * 1_000_000_000)  // after November 2023
        var server = PacketServer<String>(identity: serverIdentity)
        var client = try makeClient()
        let request = try client.seal([1])
        _ = server.receive(request, from: "a", now: t0)
        let (reply, _) = try #require(try server.seal([1], to: try ephemeral(of: request)))
        let counter = ChannelTestKeys.u64(reply, at: 1)
        #expect(counter >= before)
        #expect(counter <= PacketServer<String>.wallClockNanoseconds())
        #expect(client.open(reply) == .message([1]))  // the client's window takes the jump
    }

    @Test("65000 bytes is the largest message; 65001 is refused by both sides")
    func maximum() throws {
        var server = makeServer()
        var client = try makeClient()
        #expect(throws: SecureChannelError.messageTooLarge(size: 65001, limit: 65000)) {
            try client.seal([UInt8](repeating: 1, count: 65001))
        }
        let big = ChannelTestKeys.pattern(65000)
        let request = try client.seal(big)
        #expect(request.count == 65058)
        #expect(ChannelTestKeys.u64(request, at: 33) == 0)  // the refused seal used no counter
        let ec = try ephemeral(of: request)
        #expect(server.receive(request, from: "a", now: t0) == .message(client: ec, big))
        #expect(throws: SecureChannelError.messageTooLarge(size: 65001, limit: 65000)) {
            try server.seal([UInt8](repeating: 1, count: 65001), to: ec)
        }
        let (reply, _) = try #require(try server.seal(big, to: ec))
        #expect(reply.count == 65026)
        #expect(client.open(reply) == .message(big))
    }
}
