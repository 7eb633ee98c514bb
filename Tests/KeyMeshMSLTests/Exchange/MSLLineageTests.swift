// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshMatrixAPI
import Testing

@Suite("MSL token lineage compare-and-set (docs/MSL.md §7)")
struct MSLLineageTests {
    typealias F = ExchangeFixtures

    @Test("only the newest token renews; a new token ends the old lineage")
    func newest() async throws {
        let issuer = try F.issuer()
        let lineage = MSLMemoryLineage()
        let first = try issuer.issue(offers: [F.pskOffer], identity: F.identity, issuerData: nil, now: 1)
        try await lineage.commit(first, identity: F.identity)
        #expect(await lineage.record(identity: F.identity) == MSLLineageRecord(first.masterToken))

        let second = try issuer.renew(offers: [F.pskOffer], masterToken: first.masterToken.json, now: 2)
        try await lineage.commit(second, identity: F.identity)
        // renewing the first token again: not the newest any more
        let replay = try issuer.renew(offers: [F.pskOffer], masterToken: first.masterToken.json, now: 3)
        await #expect(throws: MSLError(.mastertokenSequenceNumberOutOfSync)) {
            try await lineage.commit(replay, identity: F.identity)
        }
        #expect(await lineage.record(identity: F.identity) == MSLLineageRecord(second.masterToken))

        // a new token (entity authentication) makes the renewed lineage stale
        let fresh = try issuer.issue(offers: [F.pskOffer], identity: F.identity, issuerData: nil, now: 4)
        try await lineage.commit(fresh, identity: F.identity)
        let stale = try issuer.renew(offers: [F.pskOffer], masterToken: second.masterToken.json, now: 5)
        await #expect(throws: MSLError(.mastertokenSequenceNumberOutOfSync)) {
            try await lineage.commit(stale, identity: F.identity)
        }
        let good = try issuer.renew(offers: [F.pskOffer], masterToken: fresh.masterToken.json, now: 5)
        try await lineage.commit(good, identity: F.identity)
        #expect(await lineage.record(identity: F.identity)?.sequenceNumber == 1)
    }

    @Test("two racing renewals of one token: exactly one commits")
    func race() async throws {
        let issuer = try F.issuer()
        let lineage = MSLMemoryLineage()
        let first = try issuer.issue(offers: [F.pskOffer], identity: F.identity, issuerData: nil, now: 1)
        try await lineage.commit(first, identity: F.identity)
        let a = try issuer.renew(offers: [F.pskOffer], masterToken: first.masterToken.json, now: 2)
        let b = try issuer.renew(offers: [F.pskOffer], masterToken: first.masterToken.json, now: 3)
        async let ra: Bool = { do { try await lineage.commit(a, identity: F.identity); return true } catch { return false } }()
        async let rb: Bool = { do { try await lineage.commit(b, identity: F.identity); return true } catch { return false } }()
        let results = await [ra, rb]
        #expect(results.filter { $0 }.count == 1)
    }

    @Test("an identity with no record accepts a renewal; identities compare as exact bytes")
    func unknownIdentity() async throws {
        let issuer = try F.issuer(psks: [("caf\u{E9}", F.psk()), ("cafe\u{301}", F.psk())])
        let lineage = MSLMemoryLineage()
        let elsewhere = try issuer.issue(offers: [F.pskOffer], identity: "caf\u{E9}", issuerData: nil, now: 1)
        let renewed = try issuer.renew(offers: [F.pskOffer], masterToken: elsewhere.masterToken.json, now: 2)
        try await lineage.commit(renewed, identity: "caf\u{E9}")
        #expect(await lineage.record(identity: "cafe\u{301}") == nil)
        let other = try issuer.issue(offers: [F.pskOffer], identity: "cafe\u{301}", issuerData: nil, now: 3)
        try await lineage.commit(other, identity: "cafe\u{301}")
        #expect(await lineage.record(identity: "caf\u{E9}") == MSLLineageRecord(renewed.masterToken))
    }
}
