// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshCrypto
import Foundation
import KeyMeshMatrixAPI
import Testing

@Suite("MSL issuer renewal (docs/MSL.md §7)")
struct MSLIssuerRenewTests {
    typealias F = ExchangeFixtures

    @Test("renewal keeps identity, issuer data and serial; sequence + 1; times and keys are new")
    func renew() throws {
        let issuer = try F.issuer()
        let first = try issuer.issue(offers: [F.pskOffer], identity: F.identity, issuerData: ["d": 1], now: 1000)
        let renewed = try issuer.renew(offers: [F.pskOffer], masterToken: first.masterToken.json, now: 9000)
        #expect(renewed.masterToken.serialNumber == first.masterToken.serialNumber)
        #expect(renewed.masterToken.sequenceNumber == 1)
        #expect(renewed.masterToken.renewalWindow == 9060 && renewed.masterToken.expiration == 9120)
        #expect(renewed.identity == F.identity && renewed.masterToken.session?.issuerData == ["d": 1])
        #expect(renewed.sessionKeys != first.sessionKeys)
        #expect(renewed.previous?.isSameToken(first.masterToken) == true)
        #expect(renewed.masterToken.isNewer(than: first.masterToken))
        // the first token was expired at 9000: renewal is the remedy for expiry
        #expect(first.masterToken.isExpired(now: 9000))
    }

    @Test("sequence number 2^53 renews to 0, and the new token counts as newer")
    func wrap() throws {
        let issuer = try F.issuer()
        let old = try MSLMasterToken.issue(
            identity: F.identity, keys: TokenFixtures.sessionKeys(), issuerData: nil, renewalWindow: 10, expiration: 20,
            sequenceNumber: MSLJSON.maxInteger, serialNumber: 42, issuerKeys: issuer.keys)
        let renewed = try issuer.renew(offers: [F.pskOffer], masterToken: old.json, now: 30)
        #expect(renewed.masterToken.sequenceNumber == 0 && renewed.masterToken.serialNumber == 42)
        #expect(renewed.masterToken.isNewer(than: old))
    }

    @Test("tokens not verified by these keys are MASTERTOKEN_UNTRUSTED")
    func untrusted() throws {
        let issuer = try F.issuer()
        let other = try F.issuer(keys: TokenFixtures.issuerKeys("kid-1", seed: 40))
        let foreign = try other.issue(offers: [F.pskOffer], identity: F.identity, issuerData: nil, now: 1)
        #expect(throws: MSLError(.mastertokenUntrusted)) {
            try issuer.renew(offers: [F.pskOffer], masterToken: foreign.masterToken.json, now: 2)
        }
        let mine = try issuer.issue(offers: [F.pskOffer], identity: F.identity, issuerData: nil, now: 1)
        for index in [0, mine.masterToken.tokendata.count / 2, mine.masterToken.tokendata.count - 1] {
            var tokendata = mine.masterToken.tokendata
            tokendata[index] ^= 0x01
            let tampered: JSONValue = ["tokendata": .string(MSLBase64.encode(tokendata)),
                                       "signature": .string(MSLBase64.encode(mine.masterToken.signature))]
            #expect(throws: MSLError.self) { try issuer.renew(offers: [F.pskOffer], masterToken: tampered, now: 2) }
        }
        let text = String(decoding: mine.masterToken.tokendata, as: UTF8.self)
            .replacingOccurrences(of: "\"sequencenumber\":0", with: "\"sequencenumber\":1")
        #expect(Array(text.utf8) != mine.masterToken.tokendata)
        let edited: JSONValue = ["tokendata": .string(MSLBase64.encode(Array(text.utf8))),
                                 "signature": .string(MSLBase64.encode(mine.masterToken.signature))]
        #expect(throws: MSLError(.mastertokenUntrusted)) { try issuer.renew(offers: [F.pskOffer], masterToken: edited, now: 2) }
        var signature = mine.masterToken.signature
        signature[0] ^= 0x80
        let badSignature: JSONValue = ["tokendata": .string(MSLBase64.encode(mine.masterToken.tokendata)),
                                       "signature": .string(MSLBase64.encode(signature))]
        #expect(throws: MSLError(.mastertokenUntrusted)) {
            try issuer.renew(offers: [F.pskOffer], masterToken: badSignature, now: 2)
        }
        #expect(throws: MSLError(.mastertokenUntrusted)) { try issuer.verify(masterToken: badSignature) }
        // a token verified by someone else's keys is not trusted by this issuer
        let parsedElsewhere = try MSLMasterToken.parse(foreign.masterToken.json, issuerKeys: other.verificationKeys)
        #expect(parsedElsewhere.session != nil)
        #expect(throws: MSLError(.mastertokenUntrusted)) {
            try issuer.renew(offers: [F.pskOffer], token: parsedElsewhere, now: 2)
        }
    }

    @Test("a token under an accepted older key renews under the current key")
    func rotation() throws {
        let oldKeys = TokenFixtures.issuerKeys("old", seed: 70)
        let oldIssuer = try F.issuer(keys: oldKeys)
        let token = try oldIssuer.issue(offers: [F.pskOffer], identity: F.identity, issuerData: nil, now: 1).masterToken
        let issuer = try F.issuer(accepted: [oldKeys])
        let renewed = try issuer.renew(offers: [F.pskOffer], masterToken: token.json, now: 2)
        #expect(renewed.masterToken.verifiedKeyID == "kid-1")
        #expect(try MSLMasterToken.parse(renewed.masterToken.json, issuerKeys: [oldKeys]).isVerified == false)
    }

    @Test("SESSION with a master token is WRAP_NOT_SUPPORTED")
    func session() throws {
        let issuer = try F.issuer()
        let token = try issuer.issue(offers: [F.pskOffer], identity: F.identity, issuerData: nil, now: 1).masterToken
        #expect(throws: MSLError(.wrapNotSupported)) {
            try issuer.renew(offers: [F.sessionOffer], masterToken: token.json, now: 2)
        }
    }
}
