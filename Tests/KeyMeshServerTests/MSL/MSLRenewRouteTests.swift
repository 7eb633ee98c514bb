// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshCrypto
import KeyMeshMSL
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshServer

/// `POST /_keymesh/msl/v1/renew` (docs/MSL.md §7, §11): proof of the session key, the lineage's
/// newest token only, a live device, a fresh timestamp; a refused renewal stores nothing.
@Suite("MSL issuer: /renew")
struct MSLRenewRouteTests {
    typealias R = MSLTestRequester

    /// alice with a freshly issued DH token.
    static func issued(_ api: API) async throws -> (TestUser, MSLSessionKeys, MSLMasterToken) {
        let alice = try await api.register("alice")
        let request = try R.dh()
        let (keys, token) = try R.complete(try await R.issue(api, alice, [request]), request)
        return (alice, keys, token)
    }

    static func renew(_ api: API, _ token: MSLMasterToken, _ keys: MSLSessionKeys, timestamp: Int64 = R.now())
        async throws -> (Reply, MSLKeyRequest) {
        let request = try R.dh()
        let body = R.renewBody(token.json, hmacKey: keys.hmacKey, offers: [request.keyRequestData], timestamp: timestamp)
        return (try await api.call(.post, R.renewPath, json: body), request)
    }

    @Test("renewal keeps serial, identity and issuer data, advances the sequence, and brings new keys")
    func renews() async throws {
        try await Homeserver.run(try R.config()) { api in
            let (alice, keys, token) = try await Self.issued(api)
            let (reply, request) = try await Self.renew(api, token, keys)
            let (newKeys, renewed) = try R.complete(reply, request)
            #expect(renewed.serialNumber == token.serialNumber)
            #expect(renewed.sequenceNumber == token.sequenceNumber + 1)
            #expect(renewed.session?.identity == "\(alice.userID)|\(alice.deviceID)")
            #expect(renewed.session?.issuerData == token.session?.issuerData)
            #expect(newKeys != keys)
            // and again from the renewed token, with RSA this time
            let rsa = try MSLKeyRequest.asymmetricWrapped(mechanism: .jweRSA, keyPairID: "r")
            let again = try await api.call(.post, R.renewPath, json: R.renewBody(renewed.json, hmacKey: newKeys.hmacKey,
                                                                                offers: [rsa.keyRequestData]))
            #expect(try R.complete(again, rsa).token.sequenceNumber == token.sequenceNumber + 2)
        }
    }

    @Test("the old token after a renewal is refused 1009, and the refusal stores nothing")
    func oldTokenRefused() async throws {
        try await Homeserver.run(try R.config()) { api in
            let (_, keys, token) = try await Self.issued(api)
            let (reply, request) = try await Self.renew(api, token, keys)
            let (newKeys, renewed) = try R.complete(reply, request)
            let (old, _) = try await Self.renew(api, token, keys)
            R.expectRefusal(old, .mastertokenSequenceNumberOutOfSync)
            // the renewed token is still the newest: the refusal did not move the lineage
            let (next, nextRequest) = try await Self.renew(api, renewed, newKeys)
            #expect(try R.complete(next, nextRequest).token.sequenceNumber == renewed.sequenceNumber + 1)
        }
    }

    @Test("a header not signed with the token's session key is 1000 MASTERTOKEN_UNTRUSTED")
    func badSignature() async throws {
        try await Homeserver.run(try R.config()) { api in
            let (_, keys, token) = try await Self.issued(api)
            let offers = [try R.dh().keyRequestData]
            let wrongKey = R.renewBody(token.json, hmacKey: SecretBytes(randomCount: 32, using: SystemRandom()), offers: offers)
            R.expectRefusal(try await api.call(.post, R.renewPath, json: wrongKey), .mastertokenUntrusted)
            var truncated = R.renewBody(token.json, hmacKey: keys.hmacKey, offers: offers)
            truncated["signature"] = .string(MSLBase64.encode(HMACSHA256.mac(key: keys.hmacKey, message: [1]).prefix(16)))
            R.expectRefusal(try await api.call(.post, R.renewPath, json: truncated), .mastertokenUntrusted)
            // the header changed after signing
            var swapped = R.renewBody(token.json, hmacKey: keys.hmacKey, offers: offers)
            swapped["headerdata"] = .string(MSLBase64.encode(MSLJSON.encode(["keyrequestdata": .array(offers), "timestamp": .int(R.now() + 1)])))
            R.expectRefusal(try await api.call(.post, R.renewPath, json: swapped), .mastertokenUntrusted)
            // the real owner can still renew: nothing was stored
            let (reply, request) = try await Self.renew(api, token, keys)
            #expect(try R.complete(reply, request).token.sequenceNumber == 1)
        }
    }

    @Test("a token from other issuer keys, or with a forged signature, is 1000")
    func untrustedToken() async throws {
        try await Homeserver.run(try R.config()) { api in
            let (_, keys, token) = try await Self.issued(api)
            let other = try MSLIssuerKeys.random(keyID: "test-kid")
            let forged = try MSLMasterToken.issue(identity: "@alice:localhost|X", keys: keys, issuerData: nil, renewalWindow: 1,
                                                  expiration: 2, sequenceNumber: 0, serialNumber: 5, issuerKeys: other)
            let (reply, _) = try await Self.renew(api, forged, keys)
            R.expectRefusal(reply, .mastertokenUntrusted)
            var tampered = token.json.objectValue ?? [:]
            tampered["signature"] = .string(MSLBase64.encode([UInt8](repeating: 0, count: 32)))
            let body = R.renewBody(.object(tampered), hmacKey: keys.hmacKey, offers: [try R.dh().keyRequestData])
            R.expectRefusal(try await api.call(.post, R.renewPath, json: body), .mastertokenUntrusted)
        }
    }

    @Test("a timestamp more than 10 minutes off is MESSAGE_EXPIRED_NOT_RENEWABLE; 9 minutes is fine")
    func timestamp() async throws {
        try await Homeserver.run(try R.config()) { api in
            let (_, keys, token) = try await Self.issued(api)
            R.expectRefusal(try await Self.renew(api, token, keys, timestamp: R.now() - 11 * 60).0, .messageExpiredNotRenewable)
            R.expectRefusal(try await Self.renew(api, token, keys, timestamp: R.now() + 11 * 60).0, .messageExpiredNotRenewable)
            R.expectRefusal(try await Self.renew(api, token, keys, timestamp: -MSLJSON.maxInteger).0, .messageExpiredNotRenewable)
            R.expectRefusal(try await Self.renew(api, token, keys, timestamp: MSLJSON.maxInteger + 1).0, .mslParseError)
            let (reply, request) = try await Self.renew(api, token, keys, timestamp: R.now() - 9 * 60)
            #expect(try R.complete(reply, request).token.sequenceNumber == 1)
        }
    }

    @Test("a deleted (logged-out) device's token is 1013 MASTERTOKEN_IDENTITY_REVOKED")
    func deletedDevice() async throws {
        try await Homeserver.run(try R.config()) { api in
            let (alice, keys, token) = try await Self.issued(api)
            #expect(try await api.call(.post, "logout", token: alice.token, json: [:]).status == .ok)
            R.expectRefusal(try await Self.renew(api, token, keys).0, .mastertokenIdentityRevoked)
        }
    }

    @Test("a device id logged out and logged in again refuses its earlier incarnation's token (1009)")
    func recreatedDevice() async throws {
        try await Homeserver.run(try R.config()) { api in
            let alice = try await api.register("alice", deviceID: "PHONE")
            let request = try R.dh()
            let (keys, token) = try R.complete(try await R.issue(api, alice, [request]), request)
            #expect(try await api.call(.post, "logout", token: alice.token, json: [:]).status == .ok)
            let again = try await api.login(alice, deviceID: "PHONE")
            R.expectRefusal(try await Self.renew(api, token, keys).0, .mastertokenSequenceNumberOutOfSync)
            // the new incarnation gets and renews its own tokens
            let fresh = try R.dh()
            let (newKeys, newToken) = try R.complete(try await R.issue(api, again, [fresh]), fresh)
            let (reply, next) = try await Self.renew(api, newToken, newKeys)
            #expect(try R.complete(reply, next).token.sequenceNumber == 1)
        }
    }

    @Test("8 concurrent renewals of one token: exactly one succeeds, the others are 1009")
    func concurrentRenewals() async throws {
        try await Homeserver.run(try R.config()) { api in
            let (_, keys, token) = try await Self.issued(api)
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<8 { group.addTask { try await Self.renew(api, token, keys).0 } }
                return try await group.reduce(into: [Reply]()) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == .ok }.count == 1)
            let refused = replies.filter { $0.status != .ok }
            #expect(refused.count == 7)
            for reply in refused { R.expectRefusal(reply, .mastertokenSequenceNumberOutOfSync) }
        }
    }
}
