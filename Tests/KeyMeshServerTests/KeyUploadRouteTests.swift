// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm
import Testing

@Suite("POST /keys/upload: signatures checked, ownership enforced, re-uploads safe")
struct KeyUploadRouteTests {
    @Test("signed device, one-time and fallback keys are stored; counts come back; the fallback type shows in sync")
    func upload() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let reply = try await api.uploadKeys(alice, oneTimeKeys: 5, fallback: true)
            #expect(reply.status == .ok)
            #expect(reply.body == ["one_time_key_counts": ["signed_curve25519": 5]])
            let empty = try await api.call(.post, "keys/upload", token: alice.token, json: [:])
            #expect(empty.body == ["one_time_key_counts": ["signed_curve25519": 5]])
            let sync = try await api.sync(alice)
            #expect(sync["device_one_time_keys_count"] == ["signed_curve25519": 5])
            #expect(sync["device_unused_fallback_key_types"] == ["signed_curve25519"])
        }
    }

    @Test("device keys of another user or device are 400 M_BAD_JSON; a broken self-signature 400 M_INVALID_SIGNATURE")
    func deviceKeyRules() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            let account = alice.account
            var cases: [(String, JSONObject, String)] = [
                ("other user", account.deviceKeys(userID: bob.userID, deviceID: alice.deviceID), "M_BAD_JSON"),
                ("other device", account.deviceKeys(userID: alice.userID, deviceID: bob.deviceID), "M_BAD_JSON"),
                // bob's own keys, uploaded with alice's token: nobody writes another user's keys
                ("bob's keys", bob.account.deviceKeys(userID: bob.userID, deviceID: bob.deviceID), "M_BAD_JSON"),
            ]
            var tampered = account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            tampered["algorithms"] = ["m.olm.v1.curve25519-aes-sha2"]
            cases.append(("tampered", tampered, "M_INVALID_SIGNATURE"))
            var unsigned = account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            unsigned["signatures"] = nil
            cases.append(("unsigned", unsigned, "M_INVALID_SIGNATURE"))
            // signed by another device's key: the key inside must be the signer
            var foreign = bob.account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            var keys = foreign["keys"]?.objectValue ?? [:]
            keys["ed25519:\(alice.deviceID)"] = .string(account.ed25519Key.base64)
            foreign["keys"] = .object(keys)
            cases.append(("foreign signature", foreign, "M_INVALID_SIGNATURE"))
            var noEd = account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            noEd["keys"] = ["curve25519:\(alice.deviceID)": .string(account.curve25519Key.base64)]
            cases.append(("no ed25519 key", noEd, "M_BAD_JSON"))
            var badCurve = account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            var badKeys = badCurve["keys"]?.objectValue ?? [:]
            badKeys["curve25519:\(alice.deviceID)"] = "AAAA"
            badCurve["keys"] = .object(badKeys)
            cases.append(("short curve key", badCurve, "M_BAD_JSON"))
            var noAlgorithms = account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            noAlgorithms["algorithms"] = "m.olm"
            cases.append(("algorithms not a list", noAlgorithms, "M_BAD_JSON"))
            for (name, deviceKeys, errcode) in cases {
                let reply = try await api.call(.post, "keys/upload", token: alice.token, json: ["device_keys": .object(deviceKeys)])
                #expect(reply.status == .badRequest, "\(name)")
                #expect(reply.errcode == errcode, "\(name)")
            }
            // nothing was stored by any refused upload
            let query = try await api.call(.post, "keys/query", token: bob.token, json: ["device_keys": [alice.userID: []]])
            #expect(query["device_keys"] == [alice.userID: [:]])  // a known user without keys: {}
        }
    }

    @Test("one-time and fallback keys must be signed by the device; unsigned legacy keys are refused")
    func keySignatures() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let before = try await api.call(.post, "keys/upload", token: alice.token,
                                            json: ["one_time_keys": .object(Self.signedKey(by: alice, id: "AAAA"))])
            #expect(before.errcode == "M_BAD_JSON")  // no device keys yet: nothing to verify against
            try await api.uploadKeys(alice)
            let stranger = OlmAccount()
            let cases: [(String, JSONObject, String)] = [
                ("unsigned string key", ["one_time_keys": ["curve25519:AAAB": .string(stranger.curve25519Key.base64)]], "M_BAD_JSON"),
                ("signed by a stranger", ["one_time_keys": .object(Self.signedKey(by: alice, id: "AAAC", signer: stranger))], "M_INVALID_SIGNATURE"),
                ("no signatures", ["one_time_keys": ["signed_curve25519:AAAD": ["key": .string(stranger.curve25519Key.base64)]]], "M_INVALID_SIGNATURE"),
                ("short key", ["one_time_keys": .object(Self.signedKey(by: alice, id: "AAAE", key: "AAAA"))], "M_BAD_JSON"),
                ("key id without colon", ["one_time_keys": ["signed_curve25519": ["key": "x"]]], "M_BAD_JSON"),
                ("fallback by a stranger", ["fallback_keys": .object(Self.signedKey(by: alice, id: "AAAF", signer: stranger))], "M_INVALID_SIGNATURE"),
                ("two fallback keys", ["fallback_keys": .object(Self.signedKey(by: alice, id: "F1").merging(Self.signedKey(by: alice, id: "F2")))], "M_INVALID_PARAM"),
                ("one_time_keys not an object", ["one_time_keys": []], "M_BAD_JSON"),
            ]
            for (name, body, errcode) in cases {
                let reply = try await api.call(.post, "keys/upload", token: alice.token, json: body)
                #expect(reply.status == .badRequest, "\(name)")
                #expect(reply.errcode == errcode, "\(name)")
            }
            #expect(try await api.sync(alice)["device_one_time_keys_count"] == ["signed_curve25519": 0])
        }
    }

    @Test("re-uploading a one-time key id: same key is a no-op (even padded), a different key is refused and nothing of that upload is stored")
    func reupload() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            try await api.uploadKeys(alice)
            let key = Curve25519SecretKey().publicKey.base64
            let first = try await api.call(.post, "keys/upload", token: alice.token,
                                           json: ["one_time_keys": .object(Self.signedKey(by: alice, id: "K1", key: key))])
            #expect(first.body == ["one_time_key_counts": ["signed_curve25519": 1]])
            let padded = try await api.call(.post, "keys/upload", token: alice.token,
                                            json: ["one_time_keys": .object(Self.signedKey(by: alice, id: "K1", key: key + "="))])
            #expect(padded.body == ["one_time_key_counts": ["signed_curve25519": 1]])
            let other = Curve25519SecretKey().publicKey.base64
            let conflict = try await api.call(.post, "keys/upload", token: alice.token, json: [
                "one_time_keys": .object(Self.signedKey(by: alice, id: "K2").merging(Self.signedKey(by: alice, id: "K1", key: other))),
            ])
            #expect(conflict.status == .badRequest)
            #expect(conflict.errcode == "M_INVALID_PARAM")
            #expect(try await api.sync(alice)["device_one_time_keys_count"] == ["signed_curve25519": 1])
        }
    }

    /// `{"signed_curve25519:<id>": {"key": …, "signatures": …}}` signed by `signer` (default: the user's device).
    static func signedKey(by user: TestUser, id: String, key: String? = nil, signer: OlmAccount? = nil) -> JSONObject {
        let object: JSONObject = ["key": .string(key ?? Curve25519SecretKey().publicKey.base64)]
        let bytes = (try? JSONSigner.signedBytes(of: object)) ?? []
        let signature = (signer ?? user.account).sign(bytes)
        var signed = object
        signed["signatures"] = [user.userID: ["ed25519:\(user.deviceID)": .string(signature.base64)]]
        return ["signed_curve25519:\(id)": .object(signed)]
    }
}

extension JSONObject {
    func merging(_ other: JSONObject) -> JSONObject {
        var out = self
        for (key, value) in other { out[key] = value }
        return out
    }
}
