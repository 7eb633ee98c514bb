// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI
import KeyMeshCrypto
import KeyMeshOlm
import Testing

@Suite("POST /keys/query and /keys/claim")
struct KeyClaimRouteTests {
    @Test("query returns the uploaded object exactly, with the display name in unsigned; unknown users are absent")
    func query() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice", deviceID: "PHONE")
            _ = try await api.call(.put, "devices/PHONE", token: alice.token, json: ["display_name": "Phone"])
            try await api.uploadKeys(alice)
            let bob = try await api.register("bob")
            let reply = try await api.call(.post, "keys/query", token: bob.token, json: [
                "device_keys": [alice.userID: [], "@nobody:localhost": [], "@x:remote.example": []], "timeout": 10000,
            ])
            #expect(reply.status == .ok)
            let device = try #require(reply["device_keys"]?.objectValue?[alice.userID]?.objectValue?["PHONE"]?.objectValue)
            var withoutUnsigned = device
            withoutUnsigned["unsigned"] = nil
            #expect(withoutUnsigned == alice.account.deviceKeys(userID: alice.userID, deviceID: "PHONE"))
            #expect(device["unsigned"] == ["device_display_name": "Phone"])
            let ed25519 = try #require(device["keys"]?.objectValue?["ed25519:PHONE"]?.stringValue)
            try JSONSigner.verify(device, entity: alice.userID, keyID: .ed25519("PHONE"), publicKey: .init(base64: ed25519))
            #expect(reply["device_keys"]?.objectValue?.count == 1)
            #expect(reply["failures"] == [:])
            let one = try await api.call(.post, "keys/query", token: bob.token, json: ["device_keys": [alice.userID: ["OTHER"]]])
            #expect(one["device_keys"] == [alice.userID: [:]])  // a known user: {} (as Synapse)
            for bad: JSONObject in [[:], ["device_keys": []], ["device_keys": [alice.userID: "PHONE"]], ["device_keys": [alice.userID: [1]]]] {
                let refused = try await api.call(.post, "keys/query", token: bob.token, json: bad)
                #expect(refused.status == .badRequest, "\(bad)")
                #expect(refused.errcode == "M_BAD_JSON" || refused.errcode == "M_MISSING_PARAM", "\(bad)")
            }
        }
    }

    @Test("claims hand out the oldest key once each, then the fallback key (kept, marked used), then nothing")
    func claimOrderAndFallback() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            try await api.uploadKeys(alice)
            var uploaded: [String] = []
            for batch in 0..<3 {  // three uploads: claims follow upload order across them
                let keys = KeyUploadRouteTests.signedKey(by: alice, id: "B\(batch)")
                uploaded += keys.keys
                _ = try await api.call(.post, "keys/upload", token: alice.token, json: ["one_time_keys": .object(keys)])
            }
            try await api.uploadKeys(alice, fallback: true, deviceKeys: false)
            let bob = try await api.register("bob")
            var claimed: [String] = []
            for _ in 0..<3 {
                let reply = try await api.claim(by: bob, [(alice.userID, alice.deviceID)])
                let keys = try #require(reply["one_time_keys"]?.objectValue?[alice.userID]?.objectValue?[alice.deviceID]?.objectValue)
                claimed += keys.keys
                #expect(reply["failures"] == [:])
            }
            #expect(claimed == uploaded)
            #expect(try await api.sync(alice)["device_unused_fallback_key_types"] == ["signed_curve25519"])
            var fallbackIDs: [String] = []
            for _ in 0..<2 {
                let reply = try await api.claim(by: bob, [(alice.userID, alice.deviceID)])
                let keys = try #require(reply["one_time_keys"]?.objectValue?[alice.userID]?.objectValue?[alice.deviceID]?.objectValue)
                let fallback = try #require(keys.firstEntry?.value.objectValue)
                #expect(fallback["fallback"] == true)
                fallbackIDs.append(try #require(keys.firstEntry?.key))
            }
            #expect(Set(fallbackIDs).count == 1)  // the same fallback key both times
            #expect(!uploaded.contains(fallbackIDs[0]))
            let sync = try await api.sync(alice)
            #expect(sync["device_unused_fallback_key_types"] == [])
            #expect(sync["device_one_time_keys_count"] == ["signed_curve25519": 0])
            let nobody = try await api.claim(by: bob, [("@nobody:localhost", "X"), (alice.userID, "NOPE")])
            #expect(nobody["one_time_keys"] == [:])
        }
    }

    @Test("a claimed key opens a real Olm session: the claimer encrypts, the key's owner decrypts")
    func claimedKeyWorks() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            try await api.uploadKeys(alice, oneTimeKeys: 1)
            let bob = try await api.register("bob")
            let reply = try await api.claim(by: bob, [(alice.userID, alice.deviceID)])
            let object = try #require(reply["one_time_keys"]?.objectValue?[alice.userID]?.objectValue?[alice.deviceID]?.objectValue?.firstEntry?.value.objectValue)
            try JSONSigner.verify(object, entity: alice.userID, keyID: .ed25519(alice.deviceID), publicKey: alice.account.ed25519Key)
            let oneTimeKey = try Curve25519PublicKey(base64: try #require(object["key"]?.stringValue))
            var outbound = try bob.account.outboundSession(identityKey: alice.account.curve25519Key, oneTimeKey: oneTimeKey)
            let message = try outbound.encrypt(Array("hello alice".utf8))
            let (_, plaintext) = try alice.account.inboundSession(identityKey: bob.account.curve25519Key, message: message)
            #expect(plaintext == Array("hello alice".utf8))
        }
    }

    @Test("claims are rate-limited per requesting user: 429 M_LIMIT_EXCEEDED with retry_after_ms and Retry-After")
    func rateLimit() async throws {
        // a burst of 10 keys, then one key per 1000 s: no refill while the test runs, however slow the machine
        try await Homeserver.run(Homeserver.config { $0.claimRate = 0.001; $0.claimBurst = 10 }) { api in
            let alice = try await api.register("alice")
            try await api.uploadKeys(alice, oneTimeKeys: 20)
            let bob = try await api.register("bob")
            let carol = try await api.register("carol")
            for _ in 0..<10 { #expect(try await api.claim(by: bob, [(alice.userID, alice.deviceID)]).status == .ok) }
            let limited = try await api.claim(by: bob, [(alice.userID, alice.deviceID)])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errcode == "M_LIMIT_EXCEEDED")
            #expect((limited["retry_after_ms"]?.intValue ?? 0) > 0)
            #expect(limited.headers[.retryAfter] != nil)
            // another user has a bucket of their own; the limited claim consumed no key
            #expect(try await api.claim(by: carol, [(alice.userID, alice.deviceID)]).status == .ok)
            #expect(try await api.sync(alice)["device_one_time_keys_count"] == ["signed_curve25519": 9])
        }
    }

    @Test("malformed claim bodies are refused with M_BAD_JSON / M_MISSING_PARAM")
    func claimBodies() async throws {
        try await Homeserver.run { api in
            let bob = try await api.register("bob")
            for bad: JSONObject in [[:], ["one_time_keys": []], ["one_time_keys": ["@a:localhost": []]], ["one_time_keys": ["@a:localhost": ["D": 1]]]] {
                let reply = try await api.call(.post, "keys/claim", token: bob.token, json: bad)
                #expect(reply.status == .badRequest, "\(bad)")
                #expect(reply.errcode == "M_BAD_JSON" || reply.errcode == "M_MISSING_PARAM", "\(bad)")
            }
        }
    }
}
