// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

/// An attacker with an account puts NUL, non-ASCII and canonically-equal text in every
/// identifier position (issue 12 item 1; the rule is docs/SECURITY.md "Identifiers": 1-255
/// bytes of printable ASCII, else 400 `M_INVALID_PARAM`). Nothing may be stored, and the
/// server must not trap on the next request of that device (the crash survived restarts).
@Suite("Attacks: identifiers")
struct IdentifierAttacks {
    /// Identifier texts that are never valid, each with its name.
    static let bad: [(String, String)] = [
        ("NUL inside", "sig\u{0}x"), ("NUL at the end", "sig\u{0}"), ("precomposed é", "caf\u{e9}"),
        ("decomposed é", "cafe\u{301}"), ("space", "a b"), ("DEL", "a\u{7f}"), ("newline", "a\nb"),
        ("empty", ""), ("256 bytes", String(repeating: "k", count: 256)),
    ]
    /// The ones that still make an identifier invalid when appended to a valid one.
    static var appended: [(String, String)] { bad.filter { !$0.1.isEmpty } }
    static let refusal: Set<String> = ["M_INVALID_PARAM", "M_BAD_JSON"]

    @Test("one-time and fallback key names: NUL, non-ASCII, canonically equal pairs refused; the device still works")
    func keyNames() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            try await bench.api.uploadKeys(alice, oneTimeKeys: 2, fallback: true)
            var names = ["signed_curve25519\u{0}x:AAAAAQ", "signed_curve25519:AA\u{0}", "x.caf\u{e9}:1", "signed_curve25519:é",
                         ":AAAA", "signed_curve25519:", "signed_curve25519:" + String(repeating: "k", count: 300), "no-colon"]
            names += Self.bad.map { "signed_curve25519:" + $0.1 }
            for name in names {
                for field in ["one_time_keys", "fallback_keys"] {
                    let key = try KeyForge.oneTimeKey(alice, fallback: field == "fallback_keys")
                    try await bench.expectRefused("\(field) \(name.debugDescription)", status: [400], errcodes: Self.refusal, still: alice) {
                        try await bench.send("POST", "keys/upload", token: alice.token, json: [field: [name: key]])
                    }
                }
            }
            // the pair that crashed the server: different bytes, equal Swift strings
            let pair: JSONObject = ["x.caf\u{e9}:1": try KeyForge.oneTimeKey(alice), "x.cafe\u{301}:2": try KeyForge.oneTimeKey(alice)]
            try await bench.expectRefused("canonically equal algorithms", status: [400], errcodes: Self.refusal, still: alice) {
                try await bench.send("POST", "keys/upload", token: alice.token, json: ["one_time_keys": .object(pair)])
            }
            let sameID: JSONObject = ["signed_curve25519:caf\u{e9}": try KeyForge.oneTimeKey(alice),
                                      "signed_curve25519:cafe\u{301}": try KeyForge.oneTimeKey(alice)]
            try await bench.expectRefused("canonically equal key ids", status: [400], errcodes: Self.refusal, still: alice) {
                try await bench.send("POST", "keys/upload", token: alice.token, json: ["one_time_keys": .object(sameID)])
            }
            // the device's next sync and upload work (they trapped on the stored pair before)
            #expect(try await bench.send("GET", "sync", token: alice.token).status == 200)
            #expect(try await bench.api.uploadKeys(alice, oneTimeKeys: 1).status == .ok)
        }
    }

    @Test("device_keys with NUL or non-ASCII in key names, user id or device id: refused, nothing stored")
    func deviceKeyNames() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let honest = alice.account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            var variants: [(String, JSONObject)] = []
            for (name, text) in Self.appended {
                var keys = honest["keys"]?.objectValue ?? [:]
                keys["curve25519:" + text] = keys["curve25519:DEV"]
                variants.append(("key name \(name)", ["user_id": honest["user_id"] ?? "", "device_id": "DEV",
                                                     "algorithms": honest["algorithms"] ?? [], "keys": .object(keys)]))
                variants.append(("user id \(name)", ["user_id": .string(alice.userID + text), "device_id": "DEV",
                                                    "algorithms": honest["algorithms"] ?? [], "keys": honest["keys"] ?? [:]]))
                variants.append(("device id \(name)", ["user_id": .string(alice.userID), "device_id": .string("DEV" + text),
                                                      "algorithms": honest["algorithms"] ?? [], "keys": honest["keys"] ?? [:]]))
            }
            for (name, object) in variants {
                let signed = try KeyForge.signed(object, by: alice.account, userID: alice.userID, deviceID: alice.deviceID)
                try await bench.expectRefused("device_keys \(name)", status: [400], still: alice) {
                    try await bench.send("POST", "keys/upload", token: alice.token, json: ["device_keys": .object(signed)])
                }
            }
        }
    }

    @Test("query, claim and signature upload with bad user, device and algorithm ids: 400, nothing stored")
    func queryAndClaim() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let bob = try await bench.api.register("bob", deviceID: "BOB")
            try await bench.api.uploadKeys(bob, oneTimeKeys: 3)
            for (name, text) in Self.appended {
                let user = "@bob" + text + ":localhost"
                try await bench.expectRefused("query user \(name)", status: [400], errcodes: Self.refusal, still: alice) {
                    try await bench.send("POST", "keys/query", token: alice.token, json: ["device_keys": [user: []]])
                }
                try await bench.expectRefused("query device \(name)", status: [400], errcodes: Self.refusal, still: alice) {
                    try await bench.send("POST", "keys/query", token: alice.token,
                                         json: ["device_keys": [bob.userID: [.string("BOB" + text)]]])
                }
                let claims: [(String, JSONObject)] = [
                    ("user", [user: ["BOB": "signed_curve25519"]]),
                    ("device", [bob.userID: ["BOB" + text: "signed_curve25519"]]),
                    ("algorithm", [bob.userID: ["BOB": .string("signed_curve25519" + text)]]),
                ]
                for (position, request) in claims {
                    try await bench.expectRefused("claim \(position) \(name)", status: [400], errcodes: Self.refusal, still: alice) {
                        try await bench.send("POST", "keys/claim", token: alice.token, json: ["one_time_keys": .object(request)])
                    }
                }
                try await bench.expectRefused("signatures user \(name)", status: [400], errcodes: Self.refusal, still: alice) {
                    try await bench.send("POST", "keys/signatures/upload", token: alice.token,
                                         json: [user: ["BOB": ["user_id": .string(user), "device_id": "BOB"]]])
                }
                try await bench.expectRefused("signatures key id \(name)", status: [400], errcodes: Self.refusal, still: alice) {
                    try await bench.send("POST", "keys/signatures/upload", token: alice.token,
                                         json: [alice.userID: ["DEV" + text: ["user_id": .string(alice.userID)]]])
                }
            }
            // the NUL-cut algorithm must never be served as a real key: bob's three are all there
            #expect(try await bench.api.sync(bob)["device_one_time_keys_count"] == ["signed_curve25519": 3])
        }
    }

    @Test("sendToDevice: bad event types, txn ids (%00 included) and recipients refused; %00 never collides")
    func toDevice() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let bob = try await bench.api.register("bob", deviceID: "BOB")
            let message: JSONObject = ["messages": [bob.userID: ["BOB": ["n": 1]]]]
            let paths = ["m.test%00x/t1", "m.test/t%00", "m.test/a%00b", "%00/t2", "m.caf%C3%A9/t3", "m.cafe%CC%81/t4",
                         "m.test/t%C3%A9", "m.test/t%FF", "m.test/t%ZZ", "m.test%20x/t5", "m.test/" + String(repeating: "t", count: 256)]
            for path in paths {
                try await bench.expectRefused("sendToDevice/\(path)", status: [400], errcodes: Self.refusal, still: alice) {
                    try await bench.send("PUT", "sendToDevice/" + path, token: alice.token, json: message)
                }
            }
            for (name, text) in Self.appended {
                let recipients: [(String, JSONObject)] = [
                    ("user", ["@bob\(text):localhost": ["BOB": ["n": 1]]]),
                    ("device", [bob.userID: ["BOB" + text: ["n": 1]]]),
                ]
                for (position, messages) in recipients {
                    try await bench.expectRefused("sendToDevice \(position) \(name)", status: [400], errcodes: Self.refusal, still: alice) {
                        try await bench.send("PUT", "sendToDevice/m.test/r-\(position)", token: alice.token, json: ["messages": .object(messages)])
                    }
                }
            }
            // "a" and "a%00b" were two txn ids once cut at NUL: now "a" is simply new and delivered once
            #expect(try await bench.send("PUT", "sendToDevice/m.test/a", token: alice.token, json: message).status == 200)
            #expect(try await bench.send("PUT", "sendToDevice/m.test/a", token: alice.token, json: message).status == 200)
            #expect(try await bench.api.sync(bob).toDeviceEvents.count == 1)
        }
    }

    @Test("device ids in /devices paths: NUL, non-ASCII and canonically equal ids refused, nothing changed")
    func devicePaths() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            _ = try await bench.api.login(alice, deviceID: "caf")
            for id in ["DEV%00", "DEV%00x", "caf%C3%A9", "cafe%CC%81", "D%20V", "%FF", String(repeating: "D", count: 256)] {
                for method in ["GET", "PUT", "DELETE"] {
                    let body: [UInt8]? = method == "GET" ? nil : Array(#"{"display_name":"evil"}"#.utf8)
                    try await bench.expectRefused("\(method) devices/\(id)", status: [400, 404],
                                                  errcodes: ["M_INVALID_PARAM", "M_NOT_FOUND"], still: alice) {
                        try await bench.send(method, "devices/" + id, token: alice.token, body: body)
                    }
                }
            }
        }
    }
}
