// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshOlm
import Testing

/// An attacker with an account and the key endpoints: keys in someone else's name, forged
/// signatures, a swapped identity, a refused upload that must store nothing at all (issue 12
/// item 5), and requests built to grow tables or amplify work.
@Suite("Attacks: keys")
struct KeyAttacks {
    @Test("keys for another user or device, forged and garbage signatures, a changed identity: 400, nothing stored")
    func forgeries() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let bob = try await bench.api.register("bob", deviceID: "BOB")
            _ = try await bench.api.login(alice, deviceID: "OTHER")
            try await bench.api.uploadKeys(alice, oneTimeKeys: 1)
            try await bench.api.uploadKeys(bob, oneTimeKeys: 1)
            let mallory = OlmAccount()
            let honest = alice.account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            var cases: [(String, JSONObject)] = []
            for (user, device) in [(bob.userID, bob.deviceID), (alice.userID, "OTHER"), (bob.userID, alice.deviceID)] {
                var object = honest
                object["signatures"] = nil
                object["user_id"] = .string(user)
                object["device_id"] = .string(device)
                cases.append(("device_keys as \(user) \(device)",
                              ["device_keys": .object(try KeyForge.signed(object, by: alice.account, userID: alice.userID, deviceID: alice.deviceID))]))
            }
            var unsigned = honest
            unsigned["signatures"] = nil
            let otherIdentity = OlmAccount().deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            cases += [
                ("device_keys signed by another key", ["device_keys": .object(try KeyForge.signed(unsigned, by: mallory, userID: alice.userID, deviceID: alice.deviceID))]),
                ("device_keys garbage signature", ["device_keys": .object(unsigned.merging(["signatures": [alice.userID: ["ed25519:DEV": "AAAA"]]]))]),
                ("device_keys unsigned", ["device_keys": .object(unsigned)]),
                ("a new identity for an existing device", ["device_keys": .object(otherIdentity)]),
                ("one-time key signed by another key", ["one_time_keys": ["signed_curve25519:M1": .object(
                    try KeyForge.signed(["key": .string(KeyForge.freshKey())], by: mallory, userID: alice.userID, deviceID: alice.deviceID))]]),
                ("one-time key signed as bob", ["one_time_keys": ["signed_curve25519:M2": .object(
                    try KeyForge.signed(["key": .string(KeyForge.freshKey())], by: alice.account, userID: bob.userID, deviceID: bob.deviceID))]]),
                ("one-time key not a key", ["one_time_keys": ["signed_curve25519:M3": .object(
                    try KeyForge.signed(["key": "bm90IGEga2V5"], by: alice.account, userID: alice.userID, deviceID: alice.deviceID))]]),
                ("fallback key signed by another key", ["fallback_keys": ["signed_curve25519:F1": .object(
                    try KeyForge.signed(["key": .string(KeyForge.freshKey()), "fallback": true], by: mallory, userID: alice.userID, deviceID: alice.deviceID))]]),
            ]
            for (name, body) in cases {
                try await bench.expectRefused(name, status: [400], still: alice) {
                    try await bench.send("POST", "keys/upload", token: alice.token, json: body)
                }
            }
        }
    }

    @Test("a refused upload stores nothing: new device keys, a fallback key and a new one-time key go back when a one-time key conflicts last")
    func refusedUploadStoresNothing() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            try await bench.api.uploadKeys(alice, oneTimeKeys: 0, fallback: true)
            let stored = try KeyForge.oneTimeKey(alice)
            #expect(try await bench.send("POST", "keys/upload", token: alice.token, json: ["one_time_keys": ["signed_curve25519:ZZZ": stored]]).status == 200)
            // same identity keys, a different (validly re-signed) object: a real change of device_keys
            var changed = alice.account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            changed["signatures"] = nil
            changed["algorithms"] = ["m.olm.v1.curve25519-aes-sha2"]
            let body: JSONObject = [
                "device_keys": .object(try KeyForge.signed(changed, by: alice.account, userID: alice.userID, deviceID: alice.deviceID)),
                "fallback_keys": ["signed_curve25519:NEWFB": try KeyForge.oneTimeKey(alice, fallback: true)],
                // "AAA" sorts first, "ZZZ" last: the conflict is found after everything else
                "one_time_keys": ["signed_curve25519:AAA": try KeyForge.oneTimeKey(alice), "signed_curve25519:ZZZ": try KeyForge.oneTimeKey(alice)],
            ]
            try await bench.expectRefused("conflicting one-time key last", status: [400], still: alice) {
                try await bench.send("POST", "keys/upload", token: alice.token, json: body)
            }
            // the same id with the same key is not a conflict (a retry after a lost response)
            #expect(try await bench.send("POST", "keys/upload", token: alice.token, json: ["one_time_keys": ["signed_curve25519:ZZZ": stored]]).status == 200)
        }
    }

    @Test("huge claims and queries and padded key objects are 413 M_TOO_LARGE; queries of invented users grow no table")
    func amplification() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let bob = try await bench.api.register("bob", deviceID: "BOB")
            try await bench.api.uploadKeys(bob, oneTimeKeys: 5)
            var devices = JSONObject()
            for n in 0..<5000 { devices["D\(n)"] = "signed_curve25519" }
            try await bench.expectRefused("claim 5000 keys of one user", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                try await bench.send("POST", "keys/claim", token: alice.token, json: ["one_time_keys": [bob.userID: .object(devices)]])
            }
            var users = JSONObject()
            for n in 0..<5000 { users["@u\(n):localhost"] = ["D": "signed_curve25519"] }
            try await bench.expectRefused("claim 5000 users", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                try await bench.send("POST", "keys/claim", token: alice.token, json: ["one_time_keys": .object(users)])
            }
            var queried = JSONObject()
            for n in 0..<5000 { queried["@ghost\(n):localhost"] = [] }
            try await bench.expectRefused("query 5000 users", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                try await bench.send("POST", "keys/query", token: alice.token, json: ["device_keys": .object(queried)])
            }
            try await bench.expectRefused("query 20000 devices", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                try await bench.send("POST", "keys/query", token: alice.token,
                                     json: ["device_keys": [bob.userID: .array((0..<20_000).map { .string("D\($0)") })]])
            }
            // padding inside signed objects: device_keys and key objects have byte limits
            var padded = alice.account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            padded["signatures"] = nil
            padded["padding"] = .string(String(repeating: "p", count: 64 * 1024))
            let paddedKeys = try KeyForge.signed(padded, by: alice.account, userID: alice.userID, deviceID: alice.deviceID)
            try await bench.expectRefused("64 KiB of padding in device_keys", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                try await bench.send("POST", "keys/upload", token: alice.token, json: ["device_keys": .object(paddedKeys)])
            }
            try await bench.api.uploadKeys(alice)
            let paddedKey = try KeyForge.signed(["key": .string(KeyForge.freshKey()), "padding": .string(String(repeating: "p", count: 16 * 1024))],
                                                by: alice.account, userID: alice.userID, deviceID: alice.deviceID)
            try await bench.expectRefused("16 KiB of padding in a one-time key", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                try await bench.send("POST", "keys/upload", token: alice.token, json: ["one_time_keys": ["signed_curve25519:PAD": .object(paddedKey)]])
            }
            // within the limits: invented local and remote users are answered, and nothing is
            // written for them (no follow rows for ids nobody registered)
            let before = try bench.snapshot()
            for batch in 0..<4 {
                var ghosts = JSONObject()
                for n in 0..<250 { ghosts["@ghost\(batch)-\(n):localhost"] = [] }
                ghosts["@ghost\(batch):evil.example"] = []
                let reply = try await bench.send("POST", "keys/query", token: alice.token, json: ["device_keys": .object(ghosts)])
                #expect(reply.status == 200)
            }
            let after = try bench.snapshot()
            #expect(after.rows("device_list_followers") == before.rows("device_list_followers"),
                    "\(after.difference(from: before))")
            #expect(after == before, "\(after.difference(from: before))")
            // bob's keys are all still there
            #expect(try await bench.api.sync(bob)["device_one_time_keys_count"] == ["signed_curve25519": 5])
        }
    }
}
