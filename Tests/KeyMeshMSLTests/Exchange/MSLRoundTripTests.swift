// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshMatrixAPI
import Testing

@Suite("MSL requester ↔ issuer round trips (docs/MSL.md §5)")
struct MSLRoundTripTests {
    typealias F = ExchangeFixtures

    /// Issues against `request`, sends the response through JSON text, completes it.
    private func exchange(_ request: MSLKeyRequest, issuer: MSLIssuer) throws -> (MSLIssuance, MSLSessionKeys, MSLMasterToken) {
        let offers = try MSLJSON.parse(MSLJSON.encode([request.keyRequestData]))
        let issuance = try issuer.issue(offers: offers.arrayValue ?? [], identity: F.identity, issuerData: nil, now: 100)
        let wire = try MSLJSON.parse(MSLJSON.encode(issuance.keyResponseData))
        let (keys, token) = try MSLRequester.complete(response: wire, requests: [request], issuerKeys: issuer.verificationKeys)
        return (issuance, keys, token)
    }

    @Test("Diffie-Hellman in the built-in group")
    func diffieHellman() throws {
        let issuer = try F.issuer()
        let (issuance, keys, token) = try exchange(try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14), issuer: issuer)
        #expect(issuance.scheme == .diffieHellman)
        #expect(keys == issuance.sessionKeys && token.session?.keys == keys)
    }

    @Test("asymmetric wrapped, every mechanism", arguments: [MSLAsymmetricMechanism.rsa, .jwkRSA, .jwkRSAES, .jweRSA, .jwejsRSA])
    func asymmetric(mechanism: MSLAsymmetricMechanism) throws {
        let issuer = try F.issuer()
        let (issuance, keys, token) = try exchange(try MSLKeyRequest.asymmetricWrapped(mechanism: mechanism, keyPairID: "pair-1"), issuer: issuer)
        #expect(issuance.scheme == .asymmetricWrapped)
        #expect(keys == issuance.sessionKeys && token.session?.keys == keys)
        guard case .asymmetricWrapped(let id, _, _) = issuance.response.keydata else { Issue.record("wrong keydata"); return }
        #expect(id == "pair-1")
    }

    @Test("symmetric wrapped with a pre-shared key; a wrong PSK fails to unwrap")
    func symmetric() throws {
        let issuer = try F.issuer()
        let (issuance, keys, token) = try exchange(MSLKeyRequest.symmetricWrapped(preSharedKey: F.psk()), issuer: issuer)
        #expect(keys == issuance.sessionKeys && token.isVerified)
        #expect(throws: MSLError(.unwrapError)) {
            try MSLKeyRequest.symmetricWrapped(preSharedKey: F.psk(seed: 9)).complete(issuance.response)
        }
    }

    @Test("the requester matches the response among several outstanding requests")
    func severalRequests() throws {
        let issuer = try F.issuer()
        let dh = try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14)
        let psk = MSLKeyRequest.symmetricWrapped(preSharedKey: F.psk())
        let issuance = try issuer.issue(offers: [psk.keyRequestData, dh.keyRequestData], identity: F.identity, issuerData: nil, now: 1)
        let (keys, token) = try MSLRequester.complete(response: issuance.keyResponseData, requests: [psk, dh])
        #expect(keys == issuance.sessionKeys && !token.isVerified)
        // a second DH request in the same group does not fit: another private key
        let otherDH = try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14)
        let (wrongKeys, _) = try MSLRequester.complete(response: issuance.keyResponseData, requests: [otherDH])
        #expect(wrongKeys != issuance.sessionKeys)
    }

    @Test("no fitting request → KEYX_RESPONSE_REQUEST_MISMATCH")
    func mismatch() throws {
        let issuer = try F.issuer()
        let psk = MSLKeyRequest.symmetricWrapped(preSharedKey: F.psk())
        let issuance = try issuer.issue(offers: [psk.keyRequestData], identity: F.identity, issuerData: nil, now: 1)
        let dh = try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14)
        #expect(throws: MSLError(.keyxResponseRequestMismatch)) {
            try MSLRequester.complete(response: issuance.keyResponseData, requests: [dh])
        }
        #expect(throws: MSLError(.keyxResponseRequestMismatch)) {
            try MSLRequester.complete(response: issuance.keyResponseData, requests: [MSLKeyRequest.symmetricWrappedSession()])
        }
        #expect(throws: MSLError(.keyxResponseRequestMismatch)) { try dh.complete(issuance.response) }
        let rsa = try MSLKeyRequest.asymmetricWrapped(mechanism: .rsa, keyPairID: "a")
        let answered = try issuer.issue(offers: [rsa.keyRequestData], identity: F.identity, issuerData: nil, now: 1)
        guard case .asymmetricWrapped(_, let enc, let mac) = answered.response.keydata else { Issue.record("keydata"); return }
        let renamed = MSLKeyResponseData(masterToken: answered.masterToken,
                                         keydata: .asymmetricWrapped(keyPairID: "b", encryptionKey: enc, hmacKey: mac))
        #expect(throws: MSLError(.keyxResponseRequestMismatch)) {
            try MSLRequester.complete(response: renamed.json, requests: [rsa])
        }
        #expect(try MSLRequester.complete(response: answered.keyResponseData, requests: [dh, rsa]).keys == answered.sessionKeys)
    }
}
