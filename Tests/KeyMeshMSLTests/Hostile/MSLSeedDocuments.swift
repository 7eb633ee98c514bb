// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

@testable import KeyMeshMSL

/// Valid MSL documents for every scheme and mechanism, made for the fuzz fixture's fixed
/// requester keys (docs/MSL.md §2, §5, §6): the hostile suites mutate them and the seed corpus
/// of `fuzz-msl` is written from them (`MSLCorpusReplayTests.writeSeeds`).
enum MSLSeedDocuments {
    static var fixture: MSLFuzzFixture { .shared }

    /// A DH offer in `default1` from the fixed pair.
    static var dhOffer: JSONValue {
        MSLKeyRequestData.diffieHellman(parametersID: "default1", publicValue: fixture.dhPair.publicValue).json
    }

    /// An ASYMMETRIC_WRAPPED offer of the fixed RSA key; `keypairid` names the mechanism, which is
    /// how the harness picks the mechanism to unwrap a response with.
    static func rsaOffer(_ mechanism: MSLAsymmetricMechanism) -> JSONValue {
        MSLKeyRequestData.asymmetricWrapped(keyPairID: mechanism.rawValue, mechanism: mechanism,
                                            publicKeyDER: fixture.rsaPair.publicKeyDER).json
    }

    static let pskOffer: JSONValue = MSLKeyRequestData.symmetricWrapped(keyID: .psk).json

    /// Every implemented offer: DH, each RSA mechanism, PSK.
    static var offers: [(name: String, offer: JSONValue)] {
        [("dh-default1", dhOffer), ("psk", pskOffer)]
            + MSLAsymmetricMechanism.allCases.filter { $0 != .ecc }.map { ("rsa-\($0.rawValue)", rsaOffer($0)) }
    }

    /// The issuance answering `offer` (the fixture's issuer, fixed clock).
    static func issuance(_ offer: JSONValue) throws -> MSLIssuance {
        try fixture.issuer().issue(offers: [offer], identity: fixture.identity, issuerData: ["user_id": "@u:h"],
                                   now: MSLFuzzFixture.now)
    }

    /// Valid key responses, one per offer.
    static func responses() throws -> [(name: String, response: JSONValue)] {
        try offers.map { ($0.name, try issuance($0.offer).keyResponseData) }
    }

    /// A valid token (from the PSK exchange).
    static func token() throws -> MSLMasterToken { try issuance(pskOffer).masterToken }

    /// The token's tokendata as an object, to alter and re-sign.
    static func tokendataObject() throws -> JSONObject {
        try MSLJSON.parseObject(try token().tokendata)
    }
}
