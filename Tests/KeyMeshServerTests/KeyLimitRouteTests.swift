// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshServer

/// The key endpoints' limits (``KeyLimits``, docs/SECURITY.md "Limits"): 413 `M_TOO_LARGE`
/// storing nothing, one-time keys pruned oldest first, claims that can always succeed.
@Suite("Key limits: sizes, counts, pruning, claims within the burst")
struct KeyLimitRouteTests {
    static func tooLarge(_ reply: Reply, _ what: String) {
        #expect(reply.status == .contentTooLarge, "\(what): \(reply.body)")
        #expect(reply.errcode == "M_TOO_LARGE", "\(what): \(reply.body)")
    }

    @Test("device_keys, key objects and cross-signing keys above their size are 413 M_TOO_LARGE and store nothing")
    func sizes() async throws {
        let config = Homeserver.config { $0.keys.maxDeviceKeysBytes = 4096; $0.keys.maxKeyObjectBytes = 1024 }
        try await Homeserver.run(config) { api in
            let alice = try await api.register("alice")
            let padding = JSONValue.string(String(repeating: "x", count: 5000))
            let big = alice.deviceKeys { $0["padding"] = padding }
            Self.tooLarge(try await api.call(.post, "keys/upload", token: alice.token, json: ["device_keys": .object(big)]), "device_keys")
            #expect(try KeyTestRows.dump(config) == [])
            try await api.uploadKeys(alice, oneTimeKeys: 1)
            let before = try KeyTestRows.dump(config)
            var key = alice.signedKeyObject().objectValue ?? [:]
            key["padding"] = .string(String(repeating: "x", count: 2000))
            let signed = alice.signed(key)
            Self.tooLarge(try await api.call(.post, "keys/upload", token: alice.token,
                                             json: ["one_time_keys": ["signed_curve25519:BIG": .object(signed)]]), "one-time key")
            Self.tooLarge(try await api.call(.post, "keys/upload", token: alice.token,
                                             json: ["fallback_keys": ["signed_curve25519:BIG": .object(signed)]]), "fallback key")
            var master = CrossSigningIdentity(userID: alice.userID).masterKey
            master["padding"] = padding
            Self.tooLarge(try await api.call(.post, "keys/device_signing/upload", token: alice.token,
                                             json: ["master_key": .object(master)]), "master key")
            #expect(try KeyTestRows.dump(config) == before)
        }
    }

    @Test("one-time keys above the per-device limit prune the oldest; one upload above it is 413; fallback algorithms are capped")
    func counts() async throws {
        let config = Homeserver.config { $0.keys.maxOneTimeKeys = 5; $0.keys.maxFallbackKeys = 1 }
        try await Homeserver.run(config) { api in
            let alice = try await api.register("alice")
            #expect(try await api.uploadKeys(alice, oneTimeKeys: 4, fallback: true).body == ["one_time_key_counts": ["signed_curve25519": 4]])
            #expect(try await api.uploadKeys(alice, oneTimeKeys: 3, deviceKeys: false).body == ["one_time_key_counts": ["signed_curve25519": 5]])
            let before = try KeyTestRows.dump(config)
            var six = JSONObject()
            for n in 0..<6 { six["signed_curve25519:SIX\(n)"] = alice.signedKeyObject() }
            Self.tooLarge(try await api.call(.post, "keys/upload", token: alice.token, json: ["one_time_keys": .object(six)]), "six keys")
            Self.tooLarge(try await api.call(.post, "keys/upload", token: alice.token,
                                             json: ["fallback_keys": ["other.algorithm:F": alice.signedKeyObject(fallback: true)]]),
                          "a second fallback algorithm")
            Self.tooLarge(try await api.call(.post, "keys/upload", token: alice.token, json: [
                "fallback_keys": ["a.one:F": alice.signedKeyObject(fallback: true), "a.two:F": alice.signedKeyObject(fallback: true)],
            ]), "two fallback keys in one upload")
            #expect(try KeyTestRows.dump(config) == before)
        }
    }

    @Test("queries above the user or device limit are 413; an answer above the device limit too")
    func queries() async throws {
        try await Homeserver.run(Homeserver.config { $0.keys.maxQueryUsers = 3; $0.keys.maxQueryDevices = 2 }) { api in
            let alice = try await api.register("alice")
            try await api.uploadKeys(alice)
            for _ in 0..<2 { try await api.uploadKeys(try await api.login(alice)) }
            let users: JSONObject = ["@a:localhost": [], "@b:localhost": [], "@c:localhost": [], "@d:localhost": []]
            Self.tooLarge(try await api.call(.post, "keys/query", token: alice.token, json: ["device_keys": .object(users)]), "users")
            Self.tooLarge(try await api.call(.post, "keys/query", token: alice.token,
                                             json: ["device_keys": [.init(alice.userID): ["A", "B", "C"]]]), "device ids")
            Self.tooLarge(try await api.call(.post, "keys/query", token: alice.token,
                                             json: ["device_keys": [.init(alice.userID): []]]), "three devices answered")
            let two = try await api.call(.post, "keys/query", token: alice.token,
                                         json: ["device_keys": [.init(alice.userID): [.string(alice.deviceID), "NONE"]]])
            #expect(two.status == .ok)
        }
    }

    @Test("a signature upload naming more objects than the limit is 413 and stores nothing")
    func signatureTargets() async throws {
        let config = Homeserver.config { $0.keys.maxSignatureTargets = 2 }
        try await Homeserver.run(config) { api in
            let alice = try await api.register("alice")
            let before = try KeyTestRows.dump(config)
            let objects: JSONObject = ["A": [:], "B": [:], "C": [:]]
            Self.tooLarge(try await api.call(.post, "keys/signatures/upload", token: alice.token,
                                             json: [.init(alice.userID): .object(objects)]), "three signed objects")
            #expect(try KeyTestRows.dump(config) == before)
            let two = try await api.call(.post, "keys/signatures/upload", token: alice.token,
                                         json: [.init(alice.userID): ["A": [:], "B": [:]]])
            #expect(two.status == .ok, "\(two.body)")  // each in `failures`: unknown objects
        }
    }

    @Test("a known local user without devices is {}; unknown and remote users are absent")
    func knownUserWithoutDevices() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            let reply = try await api.call(.post, "keys/query", token: alice.token, json: [
                "device_keys": [.init(bob.userID): [], "@nobody:localhost": [], "@x:remote.example": []],
            ])
            #expect(reply["device_keys"] == [.init(bob.userID): [:]])
        }
    }

    @Test("a claim larger than the burst succeeds once the bucket is full (charged the burst); more than the limit is 413")
    func largeClaims() async throws {
        // a burst of 10 keys, then one key per 1000 s: no refill while the test runs
        let config = Homeserver.config { $0.claimRate = 0.001; $0.claimBurst = 10; $0.keys.maxClaimKeys = 20 }
        try await Homeserver.run(config) { api in
            let alice = try await api.register("alice")
            try await api.uploadKeys(alice, oneTimeKeys: 1)
            let bob = try await api.register("bob")
            var devices: JSONObject = [.init(alice.deviceID): "signed_curve25519"]
            for n in 0..<14 { devices["MISSING\(n)"] = "signed_curve25519" }
            let claim: JSONObject = ["one_time_keys": [.init(alice.userID): .object(devices)]]
            let first = try await api.call(.post, "keys/claim", token: bob.token, json: claim)
            #expect(first.status == .ok, "\(first.body)")
            let again = try await api.call(.post, "keys/claim", token: bob.token, json: claim)
            #expect(again.status == .tooManyRequests)
            // the wait to refill the burst (10 keys at 0.001/s), never more
            let wait = again["retry_after_ms"]?.intValue ?? 0
            #expect(wait > 0 && wait <= 10_000_000, "\(wait)")
            for n in 14..<20 { devices["MISSING\(n)"] = "signed_curve25519" }
            Self.tooLarge(try await api.call(.post, "keys/claim", token: bob.token,
                                             json: ["one_time_keys": [.init(alice.userID): .object(devices)]]), "21 keys")
        }
    }
}
