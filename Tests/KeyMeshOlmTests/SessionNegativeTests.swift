// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshOlm
import KeyMeshTestSupport
import Testing

@Suite("Olm sessions refuse bad messages and stay unchanged")
struct SessionNegativeTests {
    @Test("every single-bit flip is refused with a typed error and leaves the session as it was")
    func bitFlips() throws {
        var pair = try SessionPair(seed: 20)
        let message = try pair.aliceSession.encrypt(Array("integrity".utf8))
        let before = Fingerprint.of(pair.bobSession)
        for bit in 0..<(message.bytes.count * 8) {
            var bytes = message.bytes
            bytes[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
            var session = pair.bobSession
            do {
                let parsed = try OlmMessage(type: message.messageType, bytes: bytes)
                _ = try session.decrypt(parsed)
                Issue.record("bit \(bit) flipped and the message still decrypted")
            } catch is MessageDecodeError {
            } catch is DecryptionError {
            }
            #expect(Fingerprint.of(session) == before, "bit \(bit)")
        }
        #expect(try pair.bobSession.decrypt(message) == Array("integrity".utf8))
    }

    @Test("a tampered MAC is one coarse authentication failure")
    func tamperedMAC() throws {
        var pair = try SessionPair(seed: 21)
        var bytes = try pair.aliceSession.encrypt(Array("x".utf8)).bytes
        bytes[bytes.count - 1] ^= 0x80
        let before = Fingerprint.of(pair.bobSession)
        #expect(throws: DecryptionError.authenticationFailure) { try pair.bobSession.decrypt(try OlmMessage(type: 1, bytes: bytes)) }
        #expect(Fingerprint.of(pair.bobSession) == before)
    }

    @Test("a replayed message is refused and the session is unchanged")
    func replay() throws {
        var pair = try SessionPair(seed: 22)
        let message = try pair.aliceSession.encrypt(Array("once".utf8))
        _ = try pair.bobSession.decrypt(message)
        let before = Fingerprint.of(pair.bobSession)
        #expect(throws: DecryptionError.missingMessageKey(index: 0)) { try pair.bobSession.decrypt(message) }
        #expect(Fingerprint.of(pair.bobSession) == before)
    }

    @Test("every truncation is refused without a change")
    func truncation() throws {
        var pair = try SessionPair(seed: 23, established: false)
        let message = try pair.aliceSession.encrypt(Array("truncate me".utf8))
        let before = Fingerprint.of(pair.bobSession)
        for length in 0..<message.bytes.count {
            var session = pair.bobSession
            #expect(throws: (any Error).self) {
                try session.decrypt(try OlmMessage(type: message.messageType, bytes: Array(message.bytes.prefix(length))))
            }
            #expect(Fingerprint.of(session) == before)
        }
    }

    @Test("a message from another session (a wrong key) fails and changes nothing")
    func wrongSession() throws {
        var pair = try SessionPair(seed: 24)
        var other = try SessionPair(seed: 25)
        let foreign = try other.aliceSession.encrypt(Array("not yours".utf8))
        let before = Fingerprint.of(pair.bobSession)
        #expect(throws: DecryptionError.self) { try pair.bobSession.decrypt(foreign) }
        #expect(Fingerprint.of(pair.bobSession) == before)
        // a new ratchet key while the responder has no sending chain is refused outright
        var fresh = try SessionPair(seed: 26, established: false)
        #expect(throws: DecryptionError.unexpectedRatchetKey) { try fresh.bobSession.decrypt(foreign) }
    }

    @Test("inbound creation checks the sender key, keeps the one-time key on failure and spends it on success")
    func inboundCreation() throws {
        let random = SeededRandom(seed: 27)
        let alice = OlmAccount(random: random), bob = OlmAccount(random: random), mallory = OlmAccount(random: random)
        let otk = bob.generateOneTimeKeys(count: 1)[0]
        var session = try alice.outboundSession(identityKey: bob.curve25519Key, oneTimeKey: otk)
        let message = try session.encrypt(Array("hi".utf8))
        let before = Fingerprint.of(bob)
        #expect(throws: SessionCreationError.mismatchedIdentityKey) {
            try bob.inboundSession(identityKey: mallory.curve25519Key, message: message)
        }
        #expect(throws: SessionCreationError.notPreKeyMessage) {
            try bob.inboundSession(identityKey: alice.curve25519Key, message: .normal(try #require(message.preKeyInner)))
        }
        var tampered = message.bytes
        tampered[tampered.count - 1] ^= 1
        #expect(throws: SessionCreationError.decryption(.authenticationFailure)) {
            try bob.inboundSession(identityKey: alice.curve25519Key, message: try OlmMessage(type: 0, bytes: tampered))
        }
        #expect(Fingerprint.of(bob) == before)  // the one-time key survived the forgery
        _ = try bob.inboundSession(identityKey: alice.curve25519Key, message: message)
        #expect(throws: SessionCreationError.missingOneTimeKey(otk)) {
            try bob.inboundSession(identityKey: alice.curve25519Key, message: message)
        }
    }

    @Test("a low-order key is refused as non-contributory")
    func nonContributory() throws {
        let alice = OlmAccount()
        let zero = try Curve25519PublicKey(rawRepresentation: [UInt8](repeating: 0, count: 32))
        #expect(throws: SessionCreationError.nonContributoryKey) {
            try alice.outboundSession(identityKey: zero, oneTimeKey: zero)
        }
    }
}

extension OlmMessage {
    var preKeyInner: NormalMessage? {
        if case .preKey(let m) = self { m.message } else { nil }
    }
}
