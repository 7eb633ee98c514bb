// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshChannel

/// Issue 12 item 4: a recorded curve_tun Hello and Vouch must not open a second session while
/// their cookie lives (docs/channel-protocol.md §9). Back-to-back state machines; the same over
/// loopback TCP is in `ChannelReplayLoopbackTests`.
@Suite("curve_tun profile: replayed handshakes are refused")
struct CurveTunReplayTests {
    static let serverSecret = ChannelTestKeys.seeded(60)
    static let clientSecret = ChannelTestKeys.seeded(61)

    /// A client whose ephemeral key and NonceLT come from `seed`: two clients with one seed are
    /// one client's handshake recorded and played again.
    static func client(seed: UInt64 = 62) -> CurveTunClient {
        CurveTunClient(identity: clientSecret, serverKey: serverSecret.publicKey, random: SeededRandom(seed: seed))
    }

    /// One connection's server on the listener's shared ring.
    static func server(_ ring: CurveTunCookieRing, seed: UInt64) -> CurveTunServer {
        CurveTunServer(identity: serverSecret, policy: .open, ring: ring, random: SeededRandom(seed: seed))
    }

    static func ring(capacity: Int = CurveTunCookieRing.defaultCapacity) -> CurveTunCookieRing {
        CurveTunCookieRing(keys: MinuteKeys(current: NaClSecretBox(using: SeededRandom(seed: 63)), previous: nil),
                           capacity: capacity, random: SeededRandom(seed: 64))
    }

    /// A full handshake and one message on a first connection; returns what the client wrote.
    static func recordSession(on ring: CurveTunCookieRing) throws -> [[UInt8]] {
        var pair = MachinePair(client: client(), server: server(ring, seed: 70))
        pair.handshake()
        try #require(pair.server.isEstablished)
        try pair.send(Array("transfer 100".utf8), from: .client)
        pair.pump()
        try #require(pair.delivered(.server) == [Array("transfer 100".utf8)])
        return pair.clientWrote
    }

    /// Plays `frames` to a fresh server, stopping at the first `.finish`.
    static func replay(_ frames: [[UInt8]], to server: CurveTunServer) -> [ChannelAction] {
        var server = server
        var actions: [ChannelAction] = []
        for frame in frames {
            actions += server.receive(frame: frame)
            if actions.contains(where: { if case .finish = $0 { true } else { false } }) { break }
        }
        return actions
    }

    @Test("a recorded Hello + Vouch + message replayed on a new connection is refused; nothing is delivered")
    func replayRefused() throws {
        let ring = Self.ring()
        let recorded = try Self.recordSession(on: ring)
        try #require(recorded.count == 3)  // Hello, Vouch, Msg
        // Same listener, a new connection, within the cookie's lifetime (no rotation yet).
        let actions = Self.replay(recorded, to: Self.server(ring, seed: 71))
        #expect(actions == [.finish(.replayedHandshake)])
        // Still refused after one rotation (the cookie opens under the previous key).
        ring.rotate()
        #expect(Self.replay(recorded, to: Self.server(ring, seed: 72)) == [.finish(.replayedHandshake)])
    }

    @Test("without the shared cache, the per-connection cookie still refuses the recorded Vouch")
    func replayRefusedByCookieBinding() throws {
        let recorded = try Self.recordSession(on: Self.ring())
        // A listener that never saw the first connection, holding the same minute key.
        let actions = Self.replay(recorded, to: Self.server(Self.ring(), seed: 73))
        #expect(actions.count == 2)
        #expect(actions.last == .finish(.authenticationFailed))
        #expect(!actions.contains { if case .deliver = $0 { true } else { false } })
        #expect(!actions.contains { if case .established = $0 { true } else { false } })
    }

    @Test("a Vouch carrying a cookie issued on another connection (same EC) is refused")
    func cookieFromAnotherConnection() throws {
        let ring = Self.ring()
        var first = Self.server(ring, seed: 74)
        var second = Self.server(ring, seed: 75)
        var client = Self.client()
        guard case .write(let hello)? = client.start().first else { Issue.record("no Hello"); return }
        // The same Hello reaches two connections; each issues its own cookie.
        guard case .write(let cookie1)? = first.receive(frame: hello).first,
              case .write(let cookie2)? = second.receive(frame: hello).first else { Issue.record("no Cookie"); return }
        #expect(cookie1 != cookie2)
        // The client answers the first cookie; its Vouch arrives on the second connection.
        let answer = client.receive(frame: cookie1)
        guard case .write(let vouch)? = answer.first else { Issue.record("no Vouch"); return }
        #expect(second.receive(frame: vouch) == [.finish(.authenticationFailed)])
        #expect(!second.isEstablished)
        // On its own connection the same Vouch is accepted.
        #expect(first.receive(frame: vouch) == [.established(peerKey: Self.clientSecret.publicKey)])
    }

    @Test("a client ephemeral key is accepted once: a second Hello with it is refused until two rotations")
    func ephemeralAcceptedOnce() throws {
        let ring = Self.ring()
        _ = try Self.recordSession(on: ring)
        var again = MachinePair(client: Self.client(), server: Self.server(ring, seed: 76))
        again.handshake()
        #expect(again.outcome(.server) == .finished(.replayedHandshake))
        #expect(again.serverWrote.isEmpty)  // no Cookie for a replayed Hello
        ring.rotate()
        ring.rotate()  // every cookie for that key is now unopenable, so the key is forgotten
        #expect(ring.rememberedCount == 0)
        var later = MachinePair(client: Self.client(), server: Self.server(ring, seed: 77))
        later.handshake()
        #expect(later.server.isEstablished)
    }

    @Test("legitimate clients with fresh keys all connect through one ring")
    func freshClientsConnect() throws {
        let ring = Self.ring()
        for seed in UInt64(100)..<110 {
            var pair = MachinePair(client: Self.client(seed: seed), server: Self.server(ring, seed: seed + 1000))
            pair.handshake()
            #expect(pair.server.isEstablished && pair.client.isEstablished)
        }
        #expect(ring.rememberedCount == 10)
    }

    @Test("a full ring rotates early instead of forgetting: no replay opens, the cache stays at its capacity")
    func fullRing() throws {
        let ring = Self.ring(capacity: 4)
        var recordings: [[[UInt8]]] = []
        for seed in UInt64(200)..<212 {
            var pair = MachinePair(client: Self.client(seed: seed), server: Self.server(ring, seed: seed + 1000))
            pair.handshake()
            #expect(pair.server.isEstablished)
            #expect(ring.rememberedCount <= 4)
            recordings.append(pair.clientWrote)
        }
        // Every recorded handshake is refused: either its key is remembered, or its cookie's
        // minute key rotated out with it.
        for (index, recorded) in recordings.enumerated() {
            let actions = Self.replay(recorded, to: Self.server(ring, seed: 300 + UInt64(index)))
            #expect(!actions.contains { if case .established = $0 { true } else { false } }, "recording \(index)")
            #expect(actions.last == .finish(.replayedHandshake) || actions.last == .finish(.authenticationFailed))
        }
    }
}
