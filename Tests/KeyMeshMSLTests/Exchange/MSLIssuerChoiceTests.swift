// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshMatrixAPI
import Testing

@Suite("MSL issuer scheme choice (docs/MSL.md §3, §5)")
struct MSLIssuerChoiceTests {
    typealias F = ExchangeFixtures

    private func expectCode(_ code: MSLErrorCode, _ offers: [JSONValue], issuer: MSLIssuer? = nil,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let issuer = try issuer ?? F.issuer()
        #expect(throws: MSLError(code), sourceLocation: sourceLocation) {
            try issuer.issue(offers: offers, identity: F.identity, issuerData: nil, now: 1000)
        }
    }

    @Test("preference order DH > ASYMMETRIC > SYMMETRIC, whatever the offer order")
    func preference() throws {
        let dh = try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14)
        let psk = MSLKeyRequest.symmetricWrapped(preSharedKey: F.psk())
        let issuance = try F.issuer().issue(offers: [psk.keyRequestData, dh.keyRequestData], identity: F.identity,
                                            issuerData: nil, now: 1000)
        #expect(issuance.scheme == .diffieHellman)
        let symFirst = try F.issuer(order: [.symmetricWrapped, .diffieHellman])
            .issue(offers: [dh.keyRequestData, psk.keyRequestData], identity: F.identity, issuerData: nil, now: 1000)
        #expect(symFirst.scheme == .symmetricWrapped)
    }

    @Test("a failing offer falls back to the next; the issuer's order decides before the offers' order")
    func fallback() throws {
        let issuance = try F.issuer().issue(
            offers: [F.pskOffer, F.dhOffer(id: "unknown"), F.rsaOffer(key: [1, 2, 3])],
            identity: F.identity, issuerData: nil, now: 1000)
        #expect(issuance.scheme == .symmetricWrapped)
        let dh = try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14)
        let second = try F.issuer().issue(offers: [F.dhOffer(id: "unknown"), dh.keyRequestData],
                                          identity: F.identity, issuerData: nil, now: 1000)
        #expect(second.scheme == .diffieHellman)
        #expect(try dh.complete(second.response) == second.sessionKeys)
    }

    @Test("when every attempt fails the last error is returned")
    func lastError() throws {
        try expectCode(.unsupportedKeyxKeyID, [F.dhOffer(id: "unknown"), F.pskOffer], issuer: F.issuer(psks: []))
        try expectCode(.unsupportedKeyxKeyID, [F.pskOffer, F.rsaOffer(key: [1, 2, 3])], issuer: F.issuer(psks: []))
        try expectCode(.unknownKeyxParametersID, [F.pskOffer, F.dhOffer(id: "unknown")],
                       issuer: F.issuer(psks: [], order: [.symmetricWrapped, .diffieHellman]))
        try expectCode(.invalidPublicKey, [F.rsaOffer(key: [1, 2, 3])])
        try expectCode(.unknownKeyxParametersID, [F.dhOffer(id: "unknown")])
        try expectCode(.keyxInvalidPublicKey, [F.dhOffer(publicValue: [0, 1])])
        try expectCode(.unsupportedKeyxMechanism, [F.rsaOffer(mechanism: "ECC")])
        try expectCode(.entityNotFound, [F.pskOffer], issuer: F.issuer(psks: [("someone-else", F.psk())]))
        try expectCode(.keyxMasterTokenMissing, [F.sessionOffer])
        try expectCode(.entityNotFound, [F.pskOffer], issuer: F.issuer(psks: [("entity-1\u{301}", F.psk())]))
    }

    @Test("recognised unimplemented offers are skipped; none implemented → KEYX_FACTORY_NOT_FOUND")
    func unimplemented() throws {
        try expectCode(.keyxFactoryNotFound, [F.ladderOffer])
        try expectCode(.keyxFactoryNotFound, [F.ladderOffer, ["scheme": "WIDEVINE", "keydata": [:]]])
        try expectCode(.keyxFactoryNotFound, [F.pskOffer], issuer: F.issuer(order: [.diffieHellman]))
        let issuance = try F.issuer().issue(offers: [F.ladderOffer, F.pskOffer], identity: F.identity, issuerData: nil, now: 1)
        #expect(issuance.scheme == .symmetricWrapped)
    }

    @Test("a malformed offer fails the whole request; empty and over 16 offers are parse errors")
    func malformed() throws {
        try expectCode(.unidentifiedKeyxScheme, [F.pskOffer, ["scheme": "DH", "keydata": [:]]])
        try expectCode(.mslParseError, [F.pskOffer, ["scheme": "SYMMETRIC_WRAPPED"]])
        try expectCode(.unidentifiedKeyxKeyID, [F.pskOffer, ["scheme": "SYMMETRIC_WRAPPED", "keydata": ["keyid": "X"]]])
        try expectCode(.unidentifiedKeyxMechanism, [F.pskOffer, F.rsaOffer(mechanism: "RSA2")])
        try expectCode(.mslParseError, [])
        try expectCode(.mslParseError, Array(repeating: F.pskOffer, count: 17))
        let sixteen = try F.issuer().issue(offers: Array(repeating: F.pskOffer, count: 16), identity: F.identity,
                                           issuerData: nil, now: 1)
        #expect(sixteen.scheme == .symmetricWrapped)
    }

    @Test("a new token: sequence 0, random serial, times from now, identity and issuer data inside")
    func newToken() throws {
        let issuer = try F.issuer()
        let issuance = try issuer.issue(offers: [F.pskOffer], identity: F.identity, issuerData: ["user_id": "@u:x"], now: 5000)
        let token = try issuer.verify(masterToken: issuance.masterToken.json)
        #expect(token.sequenceNumber == 0 && token.renewalWindow == 5060 && token.expiration == 5120)
        #expect(token.session?.identity == F.identity && token.session?.issuerData == ["user_id": "@u:x"])
        #expect(token.session?.keys == issuance.sessionKeys)
        #expect(issuance.previous == nil)
        let serials = Set((0..<20).map { _ in issuer.randomSerialNumber() })
        #expect(serials.count == 20 && serials.allSatisfy { (0...MSLJSON.maxInteger).contains($0) })
    }
}
