// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshServer

/// Identifiers in the key endpoints are 1-255 bytes of printable ASCII, compared byte-exact
/// (docs/SECURITY.md "Identifiers"); rows an older version stored never trap.
@Suite("Key endpoints: identifiers byte-exact, NUL and non-ASCII refused, old rows safe")
struct KeyIdentifierRouteTests {
    @Test("NFC/NFD twin algorithm names and NUL in key ids are 400 M_INVALID_PARAM and store nothing")
    func uploadIdentifiers() async throws {
        let config = Homeserver.config()
        try await Homeserver.run(config) { api in
            let alice = try await api.register("alice")
            try await api.uploadKeys(alice, oneTimeKeys: 1)
            let before = try KeyTestRows.dump(config)
            let bodies: [(String, JSONObject)] = [
                ("NFC/NFD twins", ["one_time_keys": ["x.caf\u{e9}:1": alice.signedKeyObject(), "x.cafe\u{301}:2": alice.signedKeyObject()]]),
                ("NUL in the algorithm", ["one_time_keys": ["signed_curve25519\u{0}x:AAAA": alice.signedKeyObject()]]),
                ("NUL in the key id", ["one_time_keys": ["signed_curve25519:AA\u{0}AA": alice.signedKeyObject()]]),
                ("non-ASCII fallback", ["fallback_keys": ["signed_curve25519:\u{e9}": alice.signedKeyObject(fallback: true)]]),
                ("space in a key id", ["one_time_keys": ["signed_curve25519:A B": alice.signedKeyObject()]]),
                ("too long", ["one_time_keys": [.init("signed_curve25519:" + String(repeating: "A", count: 300)): alice.signedKeyObject()]]),
                ("algorithms entry with NUL", ["device_keys": .object(alice.deviceKeys { $0["algorithms"] = ["m.olm\u{0}x"] })]),
                ("device key id non-ASCII", ["device_keys": .object(alice.deviceKeys { keys in
                    var map = keys["keys"]?.objectValue ?? [:]
                    map["ed25519:caf\u{e9}"] = map["ed25519:\(alice.deviceID)"]
                    keys["keys"] = .object(map)
                })]),
            ]
            for (name, body) in bodies {
                let reply = try await api.call(.post, "keys/upload", token: alice.token, json: body)
                #expect(reply.status == .badRequest, "\(name): \(reply.body)")
                #expect(reply.errcode == "M_INVALID_PARAM", "\(name): \(reply.body)")
            }
            #expect(try KeyTestRows.dump(config) == before)
        }
    }

    @Test("query, claim and signature upload refuse non-ASCII and NUL user ids, device ids and algorithms")
    func otherIdentifiers() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            try await api.uploadKeys(alice, oneTimeKeys: 2)
            let requests: [(String, String, JSONObject)] = [
                ("query user", "keys/query", ["device_keys": ["@al\u{e9}:localhost": []]]),
                ("query user NUL", "keys/query", ["device_keys": [.init(alice.userID + "\u{0}x"): []]]),
                ("query device", "keys/query", ["device_keys": [.init(alice.userID): [.string(alice.deviceID + "\u{0}")]]]),
                ("claim user", "keys/claim", ["one_time_keys": ["@al\u{e9}:localhost": [.init(alice.deviceID): "signed_curve25519"]]]),
                ("claim device", "keys/claim", ["one_time_keys": [.init(alice.userID): ["D\u{0}": "signed_curve25519"]]]),
                ("claim algorithm", "keys/claim", ["one_time_keys": [.init(alice.userID): [.init(alice.deviceID): "signed_curve25519\u{0}x"]]]),
                ("signature user", "keys/signatures/upload", ["@al\u{e9}:localhost": ["D": ["key": "x"]]]),
                ("signature target", "keys/signatures/upload", [.init(alice.userID): ["D\u{0}x": ["key": "x"]]]),
            ]
            for (name, path, body) in requests {
                let reply = try await api.call(.post, path, token: alice.token, json: body)
                #expect(reply.status == .badRequest, "\(name): \(reply.body)")
                #expect(reply.errcode == "M_INVALID_PARAM", "\(name): \(reply.body)")
            }
            // nothing was claimed
            #expect(try await api.sync(alice)["device_one_time_keys_count"] == ["signed_curve25519": 2])
        }
    }

    @Test("rows an older version stored (NFC/NFD twin algorithms, NUL-cut names) never trap sync, upload, query or claim")
    func oldRows() async throws {
        let config = Homeserver.config()
        try await Homeserver.run(config) { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            try await api.uploadKeys(alice, oneTimeKeys: 1)
            for (algorithm, id) in [("x.caf\u{e9}", "1"), ("x.cafe\u{301}", "2"), ("signed_curve25519", "cut")] {
                try KeyTestRows.execute(config, """
                    INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, key_identity)
                    VALUES (?, ?, ?, ?, '{"key":"old"}', '{"key":"old"}')
                    """, [alice.userID, alice.deviceID, algorithm, id])
            }
            let sync = try await api.sync(alice)
            #expect(sync["device_one_time_keys_count"]?.objectValue?["signed_curve25519"] == 2)
            // the twins are one Swift string: counted once, summed (whichever spelling names them)
            let twins = (sync["device_one_time_keys_count"]?.objectValue ?? [:]).filter { $0.key.hasPrefix("x.caf") }
            #expect(twins.compactMap(\.value.intValue) == [2])
            let upload = try await api.uploadKeys(alice, oneTimeKeys: 1, deviceKeys: false)
            #expect(upload.status == .ok, "\(upload.body)")
            let query = try await api.call(.post, "keys/query", token: bob.token, json: ["device_keys": [.init(alice.userID): []]])
            #expect(query.status == .ok)
            let claim = try await api.claim(by: bob, [(alice.userID, alice.deviceID)])
            #expect(claim.status == .ok)
            #expect(try await api.sync(alice)["device_one_time_keys_count"]?.objectValue?["signed_curve25519"] == 2)
        }
    }
}
