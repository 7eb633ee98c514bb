// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshCrypto
import KeyMeshMSL
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshServer

/// `POST /_keymesh/msl/v1/token` (docs/MSL.md §11): a token per scheme, its identity and
/// issuer data, its times; the access token is the entity authentication.
@Suite("MSL issuer: /token")
struct MSLIssueRouteTests {
    @Test("DIFFIE_HELLMAN: the token names the device, carries the derived keys, and follows the 12 h / 24 h policy")
    func diffieHellman() async throws {
        try await Homeserver.run(try MSLTestRequester.config()) { api in
            let alice = try await api.register("alice")
            let request = try MSLTestRequester.dh()
            let before = MSLTestRequester.now()
            let reply = try await MSLTestRequester.issue(api, alice, [request])
            let (_, token) = try MSLTestRequester.complete(reply, request)
            #expect(reply["keyresponsedata"]?.objectValue?["scheme"]?.stringValue == "DIFFIE_HELLMAN")
            #expect(token.isVerified)
            #expect(token.session?.identity == "\(alice.userID)|\(alice.deviceID)")
            #expect(token.session?.issuerData == ["user_id": .string(alice.userID), "device_id": .string(alice.deviceID)])
            #expect(token.sequenceNumber == 0)
            #expect((before + 12 * 3600...MSLTestRequester.now() + 12 * 3600).contains(token.renewalWindow))
            #expect((before + 24 * 3600...MSLTestRequester.now() + 24 * 3600).contains(token.expiration))
        }
    }

    @Test("ASYMMETRIC_WRAPPED with every mechanism", arguments: [MSLAsymmetricMechanism.rsa, .jwkRSA, .jwkRSAES, .jweRSA, .jwejsRSA])
    func asymmetricWrapped(mechanism: MSLAsymmetricMechanism) async throws {
        try await Homeserver.run(try MSLTestRequester.config()) { api in
            let alice = try await api.register("alice")
            let request = try MSLKeyRequest.asymmetricWrapped(mechanism: mechanism, keyPairID: "pair-1")
            let reply = try await MSLTestRequester.issue(api, alice, [request])
            let (_, token) = try MSLTestRequester.complete(reply, request)
            #expect(reply["keyresponsedata"]?.objectValue?["scheme"]?.stringValue == "ASYMMETRIC_WRAPPED")
            #expect(token.session?.identity == "\(alice.userID)|\(alice.deviceID)")
        }
    }

    @Test("SYMMETRIC_WRAPPED: the server holds no pre-shared keys (7004) and SESSION needs a token (7010)")
    func symmetricWrapped() async throws {
        try await Homeserver.run(try MSLTestRequester.config()) { api in
            let alice = try await api.register("alice")
            let psk = try await api.call(.post, MSLTestRequester.tokenPath, token: alice.token,
                                         json: ["keyrequestdata": [["scheme": "SYMMETRIC_WRAPPED", "keydata": ["keyid": "PSK"]]]])
            MSLTestRequester.expectRefusal(psk, .unsupportedKeyxKeyID)
            let session = try await api.call(.post, MSLTestRequester.tokenPath, token: alice.token,
                                             json: ["keyrequestdata": [["scheme": "SYMMETRIC_WRAPPED", "keydata": ["keyid": "SESSION"]]]])
            MSLTestRequester.expectRefusal(session, .keyxMasterTokenMissing)
        }
    }

    @Test("the issuer prefers DIFFIE_HELLMAN whatever the offer order; a ladder offer is skipped")
    func preference() async throws {
        try await Homeserver.run(try MSLTestRequester.config()) { api in
            let alice = try await api.register("alice")
            let rsa = try MSLKeyRequest.asymmetricWrapped(mechanism: .rsa, keyPairID: "p")
            let dh = try MSLTestRequester.dh()
            let ladder: JSONValue = ["scheme": "JWK_LADDER", "keydata": [:]]
            let reply = try await api.call(.post, MSLTestRequester.tokenPath, token: alice.token,
                                           json: ["keyrequestdata": [ladder, rsa.keyRequestData, dh.keyRequestData]])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(reply["keyresponsedata"]?.objectValue?["scheme"]?.stringValue == "DIFFIE_HELLMAN")
        }
    }

    @Test("without an access token /token is 401 M_MISSING_TOKEN; an unknown one M_UNKNOWN_TOKEN")
    func unauthenticated() async throws {
        try await Homeserver.run(try MSLTestRequester.config()) { api in
            let body: JSONObject = ["keyrequestdata": [try MSLTestRequester.dh().keyRequestData]]
            let missing = try await api.call(.post, MSLTestRequester.tokenPath, json: body)
            #expect(missing.status == .unauthorized)
            #expect(missing.errcode == "M_MISSING_TOKEN")
            let unknown = try await api.call(.post, MSLTestRequester.tokenPath, token: "not-a-token", json: body)
            #expect(unknown.status == .unauthorized)
            #expect(unknown.errcode == "M_UNKNOWN_TOKEN")
        }
    }

    @Test("a new token starts a new lineage: the previous token can no longer be renewed (1009)")
    func newLineage() async throws {
        try await Homeserver.run(try MSLTestRequester.config()) { api in
            let alice = try await api.register("alice")
            let first = try MSLTestRequester.dh()
            let (keys, token) = try MSLTestRequester.complete(try await MSLTestRequester.issue(api, alice, [first]), first)
            let second = try MSLTestRequester.dh()
            _ = try MSLTestRequester.complete(try await MSLTestRequester.issue(api, alice, [second]), second)
            let renew = try await api.call(.post, MSLTestRequester.renewPath, json: MSLTestRequester.renewBody(
                token.json, hmacKey: keys.hmacKey, offers: [try MSLTestRequester.dh().keyRequestData]))
            MSLTestRequester.expectRefusal(renew, .mastertokenSequenceNumberOutOfSync)
        }
    }
}
