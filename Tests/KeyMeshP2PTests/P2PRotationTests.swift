// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P
import KeyMeshTestSupport
import Testing

/// The pool's rotation rules (docs/P2P.md §3): 10 keys always, a consumed key never again,
/// its secret gone from storage, every key replaced after its 7 days.
@Suite("P2P pool rotation")
struct P2PRotationTests {
    @Test func thirtyExchangesAgainstOnePool() throws {
        let random = SeededRandom(seed: 0xB0B)
        var responder = TestDevice("AUTHORISER", random: random)
        var seenIDs = Set(responder.pool.entries.map(\.id))
        var consumed: [(entry: P2PKeyEntry, secret: SecretBytes)] = []
        var now = TestDevice.start
        for round in 0..<30 {
            now += 1000
            let initiator = TestDevice("JOINER\(round)", random: random, now: now)
            // The key the request will nominate, and its secret, read from storage beforehand.
            let storedBefore = responder.pool.encoded()
            let x = try TestExchange.run(initiator, &responder, purpose: round % 2 == 0 ? .join : .rotation,
                                         now: now, random: random)
            #expect(x.initiatorSession.vcs == x.responderSession.vcs)
            let secretText = try #require(storedBefore["keys"]?.arrayValue?.first {
                $0.objectValue?["id"]?.stringValue == x.nominated.id
            }?.objectValue?["secret"]?.stringValue)
            consumed.append((x.nominated, SecretBytes(try Base64.decode(secretText))))

            #expect(responder.pool.entries.count == 9)
            let changed1 = responder.pool.maintain(now: now, random: random)
            #expect(changed1)
            #expect(responder.pool.entries.count == P2PKeyPool.size)
            let changed2 = responder.pool.maintain(now: now, random: random)
            #expect(!changed2)  // nothing more to do
            let fresh = try #require(responder.pool.entries.last)
            #expect(!seenIDs.contains(fresh.id), "key id reused in round \(round)")
            seenIDs.insert(fresh.id)
            #expect(fresh.expiresAt == now + P2PKeyPool.lifetime)

            // No consumed key is ever accepted again, nor present in storage in any encoding.
            let stored = try CanonicalJSON.string(.object(responder.pool.encoded()))
            for old in consumed {
                #expect(throws: P2PError.ephemeralKeyMismatch) {
                    var pool = responder.pool
                    _ = try pool.consume(keyID: old.entry.id, digest: old.entry.digest, now: now)
                }
                let raw = old.secret.unsafeExportSecret()
                for text in [Base64.encode(raw), raw.hex, Hex.encode(raw).uppercased(), String(Base64.encode(raw).prefix(20))] {
                    #expect(!stored.contains(text))
                }
                #expect(!responder.pool.entries.contains { $0.id == old.entry.id })
            }
        }
        #expect(seenIDs.count == 40)
    }

    /// A request nominating a consumed key gets the fail response and changes nothing.
    @Test func nominatingAConsumedKeyFails() throws {
        let random = SeededRandom(seed: 0xB0C)
        let a = TestDevice("JOINER", random: random)
        var b = TestDevice("AUTHORISER", random: random)
        let staleRecord = try b.verifiedRecord()
        let x = try TestExchange.run(a, &b, random: random)
        b.pool.maintain(now: TestDevice.start, random: random)
        let (_, replay) = try P2PInitiator.start(local: try a.local(), remote: staleRecord, entry: x.nominated,
                                                 purpose: .join, now: TestDevice.start, random: random)
        let before = b.pool.encoded()
        let (session, response) = try P2PResponder.respond(to: try P2PSessionRequest.parse(replay),
                                                            verifiedRecord: try a.verifiedRecord(),
                                                            local: try b.local(), pool: &b.pool, now: TestDevice.start)
        #expect(session == nil)
        #expect(response.content["body"]?.objectValue?["status"] == "fail")
        #expect(b.pool.encoded() == before)
        // Replaying the original request verbatim fails the same way.
        let (again, _) = try P2PResponder.respond(to: try P2PSessionRequest.parse(x.request),
                                                  verifiedRecord: try a.verifiedRecord(),
                                                  local: try b.local(), pool: &b.pool, now: TestDevice.start)
        #expect(again == nil)
    }

    @Test func maintainAfterSevenDaysReplacesEveryKey() throws {
        let random = SeededRandom(seed: 0xB0D)
        var pool = P2PKeyPool()
        let t0 = TestDevice.start
        let changed3 = pool.maintain(now: t0, random: random)
        #expect(changed3)
        let first = pool.entries
        #expect(first.count == 10)
        #expect(first.allSatisfy { $0.expiresAt == t0 + 7 * 24 * 3600 * 1000 })
        let changed4 = pool.maintain(now: t0 + P2PKeyPool.lifetime - 1, random: random)
        #expect(!changed4)
        #expect(pool.entries == first)
        // A key expires when `now` reaches its `expires_ts`: at that instant it is refused and replaced.
        var atExpiry = pool
        #expect(throws: P2PError.ephemeralKeyMismatch) {
            try atExpiry.consume(keyID: first[0].id, digest: first[0].digest, now: first[0].expiresAt)
        }
        let replacedAtExpiry = atExpiry.maintain(now: first[0].expiresAt, random: random)
        #expect(replacedAtExpiry)
        #expect(Set(atExpiry.entries.map(\.id)).isDisjoint(with: first.map(\.id)))
        let later = t0 + P2PKeyPool.lifetime + 1
        let changed5 = pool.maintain(now: later, random: random)
        #expect(changed5)
        #expect(pool.entries.count == 10)
        #expect(Set(pool.entries.map(\.id)).isDisjoint(with: first.map(\.id)))
        #expect(pool.entries.allSatisfy { $0.expiresAt == later + P2PKeyPool.lifetime })
        for old in first {
            #expect(throws: P2PError.ephemeralKeyMismatch) { try pool.consume(keyID: old.id, digest: old.digest, now: later) }
        }
    }

    @Test func initiatorsNominateOnlyKeysValidAMinuteLonger() throws {
        let random = SeededRandom(seed: 0xB0E)
        let b = TestDevice("AUTHORISER", random: random)
        let record = try b.verifiedRecord()
        let expiry = try #require(record.keys.first).expiresAt
        #expect(record.nominate(now: expiry - 60_000, random: random) != nil)
        #expect(record.nominate(now: expiry - 59_999, random: random) == nil)
        let a = TestDevice("JOINER", random: random)
        let entry = try #require(record.keys.first)
        #expect(throws: P2PError.expired) {
            try P2PInitiator.start(local: try a.local(), remote: record, entry: entry, purpose: .join,
                                   now: expiry - 59_999, random: random)
        }
        // Nominations spread over the pool.
        let picks = Set((0..<200).compactMap { _ in record.nominate(now: TestDevice.start, random: random)?.id })
        #expect(picks.count == 10)
    }

    @Test func poolRecordLimitsAreEnforced() throws {
        let random = SeededRandom(seed: 0xB0F)
        let b = TestDevice("AUTHORISER", random: random)
        var object = try b.record()
        #expect(throws: P2PError.malformed("record.user_id is not the expected user")) {
            try P2PPoolRecord.verify(object, userID: "@mallory:example.org", deviceID: b.deviceID,
                                     deviceEd25519: b.ed25519.publicKey)
        }
        #expect(throws: P2PError.malformed("record.device_id is not the expected device")) {
            try P2PPoolRecord.verify(object, userID: TestDevice.userID, deviceID: "OTHER", deviceEd25519: b.ed25519.publicKey)
        }
        var keys = try #require(object["keys"]?.arrayValue)
        keys.append(keys[0])
        object["keys"] = .array(keys)
        #expect(throws: P2PError.malformed("record holds more than 10 keys")) { try P2PPoolRecord.parseUnverified(object) }
        keys.removeLast(2)
        keys.append(keys[0])
        object["keys"] = .array(keys)
        #expect(throws: P2PError.malformed("record holds a key id twice")) { try P2PPoolRecord.parseUnverified(object) }
        var unknownMember = try b.record()
        unknownMember["note"] = "kept and signed"
        #expect(throws: P2PError.authenticationFailure) {
            try P2PPoolRecord.verify(unknownMember, userID: TestDevice.userID, deviceID: b.deviceID,
                                     deviceEd25519: b.ed25519.publicKey)
        }
    }
}
