// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@testable import KeyMeshP2P

/// Every refusal of docs/P2P.md §4-§6 and §10 is a typed error and changes no state: after each,
/// the session still opens the correct next message.
@Suite("P2P refusals")
struct P2PNegativeTests {
    let now = TestDevice.start

    /// An established exchange and the responder's next message (sequence 2) still unopened.
    func established(seed: UInt64) throws -> (TestExchange, P2PMessage) {
        let random = SeededRandom(seed: seed)
        let a = TestDevice("JOINER", random: random)
        var b = TestDevice("AUTHORISER", random: random)
        var x = try TestExchange.run(a, &b, random: random)
        let next = try x.responderSession.seal(.authgrant, ["grant": "yes"])
        return (x, next)
    }

    /// `mutated` is refused with `error`, and the untouched `next` still opens afterwards.
    func expectRefused(_ mutated: P2PMessage, _ error: P2PError, session: P2PSession, next: P2PMessage,
                       now: Int64? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var s = session
        #expect(throws: error, sourceLocation: sourceLocation) { try s.open(mutated, now: now ?? self.now) }
        #expect(s.lastReceived == session.lastReceived, sourceLocation: sourceLocation)
        #expect(try s.open(next, now: self.now) == ["grant": "yes"], sourceLocation: sourceLocation)
    }

    @Test func tamperedCiphertextTagAndHeaderAreRefused() throws {
        let (x, next) = try established(seed: 1)
        guard case .ciphertext(let sealed) = next.payload else { Issue.record("not encrypted"); return }
        for index in [0, sealed.count / 2, sealed.count - 1] {
            var bytes = sealed
            bytes[index] ^= 0x01
            var m = next
            m.payload = .ciphertext(bytes)
            try expectRefused(m, .authenticationFailure, session: x.initiatorSession, next: next)
        }
        var typeChanged = next
        typeChanged.header.type = .rotation  // AD covers the type
        try expectRefused(typeChanged, .authenticationFailure, session: x.initiatorSession, next: next)
        var truncated = next
        truncated.payload = .ciphertext(Array(sealed.dropLast()))
        try expectRefused(truncated, .authenticationFailure, session: x.initiatorSession, next: next)
    }

    @Test func headerIdsThatDoNotMatchAreRefused() throws {
        let (x, next) = try established(seed: 2)
        var m = next
        m.header.dstClientID = "SOMEONEELSE"
        try expectRefused(m, .wrongRecipient, session: x.initiatorSession, next: next)
        m = next
        m.header.srcKeyID = "AAAAAAAAAAAA"
        try expectRefused(m, .unknownSession, session: x.initiatorSession, next: next)
        m = next
        m.header.dstKeyID = "AAAAAAAAAAAA"
        try expectRefused(m, .unknownSession, session: x.initiatorSession, next: next)
        m = next
        m.header.srcClientID = "OTHER"
        try expectRefused(m, .unknownSession, session: x.initiatorSession, next: next)
    }

    @Test func replayGapAndReorderAreRefused() throws {
        var (x, second) = try established(seed: 3)
        let third = try x.responderSession.seal(.rotation, ["n": 3])
        // Out of order: 3 before 2.
        try expectRefused(third, .wrongSequence(expected: 2, got: 3), session: x.initiatorSession, next: second)
        // Replay of 2 after it was accepted, then 3 still opens.
        #expect(try x.initiatorSession.open(second, now: now) == ["grant": "yes"])
        #expect(throws: P2PError.wrongSequence(expected: 3, got: 2)) { try x.initiatorSession.open(second, now: now) }
        #expect(try x.initiatorSession.open(third, now: now) == ["n": 3])
        // A changed sequence number is a changed nonce and AD: refused by the tag.
        var forged = try x.responderSession.seal(.rotation, ["n": 4])
        forged.header.sequence = 5
        #expect(throws: P2PError.wrongSequence(expected: 4, got: 5)) { try x.initiatorSession.open(forged, now: now) }
        forged.header.sequence = 4
        #expect(try x.initiatorSession.open(forged, now: now) == ["n": 4])
    }

    @Test func wrongKeyExpiredAndClosedSessionsRefuse() throws {
        let (x, next) = try established(seed: 4)
        // A session of another exchange with the same ids does not have the key.
        let (other, _) = try established(seed: 5)
        var wrong = other.responderSession
        let forged = try wrong.seal(.authgrant, ["grant": "yes"])
        var impostor = forged
        impostor.header = next.header
        try expectRefused(impostor, .authenticationFailure, session: x.initiatorSession, next: next)
        // The session's lifetime is 10 minutes.
        try expectRefused(next, .expired, session: x.initiatorSession, next: next,
                          now: x.initiatorSession.createdAt + 10 * 60 * 1000)
        var closed = x.initiatorSession
        closed.close()
        #expect(throws: P2PError.sessionClosed) { try closed.open(next, now: now) }
        #expect(throws: P2PError.sessionClosed) { try closed.seal(.authproof, ["vcm": "00000"]) }
    }

    /// A message whose tag verifies but whose plaintext is not a JSON object (docs/P2P.md §6).
    @Test func plaintextThatIsNotAJSONObjectIsRefused() throws {
        let (x, next) = try established(seed: 6)
        let deep = String(repeating: "{\"a\":", count: 17) + "1" + String(repeating: "}", count: 17)
        for plaintext in ["[1,2]", "\"text\"", "{\"a\":", "{\"a\":1}{}", deep, "{\"a\":1.5}"] {
            var m = next
            m.payload = .ciphertext(try P2PCipher.seal(Array(plaintext.utf8), key: x.responderSession.sendKey,
                                                       header: next.header))
            let error = errorOf(m, x.initiatorSession)
            guard case .malformed = error else { Issue.record("\(plaintext): \(error)"); continue }
            try expectRefused(m, error, session: x.initiatorSession, next: next)
        }
    }

    func errorOf(_ m: P2PMessage, _ session: P2PSession) -> P2PError {
        var s = session
        do { _ = try s.open(m, now: now); return .sessionClosed } catch { return error }
    }

    @Test func unknownDigestIsAMismatchAndLeavesThePoolUnchanged() throws {
        let random = SeededRandom(seed: 7)
        let a = TestDevice("JOINER", random: random)
        var b = TestDevice("AUTHORISER", random: random)
        let remote = try b.verifiedRecord()
        let entry = try #require(remote.nominate(now: now, random: random))
        let forgedEntry = P2PKeyEntry(id: entry.id, digest: Base64.encode([UInt8](repeating: 7, count: 32)),
                                      expiresAt: entry.expiresAt)
        let forgedRecord = try P2PPoolRecord.parseUnverified(
            P2PPoolRecord.unsigned(userID: TestDevice.userID, deviceID: b.deviceID, identityKey: b.identity.publicKey,
                                   keys: [forgedEntry]))
        let (_, request) = try P2PInitiator.start(local: try a.local(), remote: forgedRecord, entry: forgedEntry,
                                                  purpose: .join, now: now, random: random)
        let before = b.pool.encoded()
        let (session, response) = try P2PResponder.respond(to: try P2PSessionRequest.parse(request),
                                                            verifiedRecord: try a.verifiedRecord(),
                                                            local: try b.local(), pool: &b.pool, now: now)
        #expect(session == nil)
        #expect(response.content["body"] == ["status": "fail", "message": "ephemeral key mismatch"])
        #expect(b.pool.encoded() == before)
        #expect(throws: P2PError.ephemeralKeyMismatch) {
            try b.pool.consume(keyID: entry.id, digest: forgedEntry.digest, now: now)
        }
        #expect(throws: P2PError.ephemeralKeyMismatch) {
            try b.pool.consume(keyID: "NOSUCHKEYID0", digest: entry.digest, now: now)
        }
        #expect(b.pool.encoded() == before)
    }

    @Test func consumedAndExpiredKeysAreRefused() throws {
        let random = SeededRandom(seed: 8)
        var pool = P2PKeyPool()
        pool.maintain(now: now, random: random)
        let entry = pool.entries[3]
        _ = try pool.consume(keyID: entry.id, digest: entry.digest, now: now)
        #expect(pool.entries.count == 9)
        #expect(throws: P2PError.ephemeralKeyMismatch) { try pool.consume(keyID: entry.id, digest: entry.digest, now: now) }
        let other = pool.entries[0]
        #expect(throws: P2PError.ephemeralKeyMismatch) {
            try pool.consume(keyID: other.id, digest: other.digest, now: other.expiresAt)
        }
        #expect(pool.entries.count == 9)
        _ = try pool.consume(keyID: other.id, digest: other.digest, now: other.expiresAt - 1)
    }

    @Test func substitutedResponderKeyIsADigestMismatch() throws {
        let pending = try PendingExchange(seed: 9)
        let (a, remote, initiator, response) = (pending.joiner, pending.remote, pending.initiator, pending.response)
        var body = try #require(response.content["body"]?.objectValue)
        // The server substitutes its own key.
        body["dstkey"] = .string(Curve25519SecretKey(using: SeededRandom(seed: 99)).publicKey.base64)
        var substituted = response
        substituted.payload = .body(body)
        let copy = initiator
        #expect(throws: P2PError.digestMismatch) { try initiator.receive(substituted, local: try a.local(), remote: remote) }
        #expect(copy.state == .finished)  // any failure closes the exchange (docs/P2P.md §5 step 3)
    }

    @Test func wrongSessionVerifierIsAnAuthenticationFailure() throws {
        let pending = try PendingExchange(seed: 10)
        let (a, remote, initiator, response) = (pending.joiner, pending.remote, pending.initiator, pending.response)
        var body = try #require(response.content["body"]?.objectValue)
        var auth = try Base64.decode(try #require(body["auth"]?.stringValue))
        auth[31] ^= 0x80
        body["auth"] = .string(Base64.encode(auth))
        var forged = response
        forged.payload = .body(body)
        // A response to another key id is not this exchange's: refused without using the secret.
        var elsewhere = response
        elsewhere.header.srcKeyID = "AAAAAAAAAAAA"
        #expect(throws: P2PError.unknownSession) { try initiator.receive(elsewhere, local: try a.local(), remote: remote) }
        #expect(initiator.state == .awaitingResponse)
        #expect(throws: P2PError.authenticationFailure) { try initiator.receive(forged, local: try a.local(), remote: remote) }
    }

    @Test func lowOrderKeysAreRefusedAndThePoolIsUnchanged() throws {
        let random = SeededRandom(seed: 11)
        let a = TestDevice("JOINER", random: random)
        var b = TestDevice("AUTHORISER", random: random)
        let remote = try b.verifiedRecord()
        let entry = try #require(remote.nominate(now: now, random: random))
        let (_, request) = try P2PInitiator.start(local: try a.local(), remote: remote, entry: entry,
                                                  purpose: .join, now: now, random: random)
        let before = b.pool.encoded()
        // The all-zero point and the order-8 point 1 (u = 1) give an all-zero X25519 result.
        for low in [[UInt8](repeating: 0, count: 32), [1] + [UInt8](repeating: 0, count: 31)] {
            var content = request.content
            var body = try #require(content["body"]?.objectValue)
            body["srckey"] = .string(Base64.encode(low))
            content["body"] = .object(body)
            let parsed = try P2PSessionRequest.parse(try P2PMessage.parse(content))
            #expect(throws: P2PError.lowOrderKey) {
                try P2PResponder.respond(to: parsed, verifiedRecord: try a.verifiedRecord(), local: try b.local(),
                                         pool: &b.pool, now: now)
            }
            #expect(b.pool.encoded() == before)
        }
        // The untouched request still establishes.
        let (session, _) = try P2PResponder.respond(to: try P2PSessionRequest.parse(request),
                                                    verifiedRecord: try a.verifiedRecord(), local: try b.local(),
                                                    pool: &b.pool, now: now)
        #expect(session != nil)
    }
}
