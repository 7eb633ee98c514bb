// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import Testing

/// An attacker with an account reaching for other users' data: cross-signing keys in their
/// name, forged cross-signing signatures, their account data and filters; and odd parameters
/// on the remaining endpoints (docs/SECURITY.md "Tests that attack").
@Suite("Attacks: other users' data")
struct CrossUserAttacks {
    @Test("cross-signing keys in another's name or badly signed: 400; forged signatures land in failures and store nothing")
    func crossSigning() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let bob = try await bench.api.register("bob", deviceID: "BOB")
            try await bench.api.uploadKeys(alice)
            try await bench.api.uploadKeys(bob)
            let aliceIdentity = CrossSigningIdentity(userID: alice.userID)
            let bobIdentity = CrossSigningIdentity(userID: bob.userID)
            #expect(try await bench.api.call(.post, "keys/device_signing/upload", token: alice.token, json: aliceIdentity.uploadBody).status == .ok)
            #expect(try await bench.api.call(.post, "keys/device_signing/upload", token: bob.token, json: bobIdentity.uploadBody).status == .ok)
            let mallory = CrossSigningIdentity(userID: "@mallory:localhost")

            let otherMaster = CrossSigningIdentity(userID: alice.userID)
            try await bench.expectRefused("bob uploads a master key for alice", status: [400, 403], still: bob) {
                try await bench.send("POST", "keys/device_signing/upload", token: bob.token, json: ["master_key": .object(otherMaster.masterKey)])
            }
            let badSSK = try mallory.sign(aliceIdentity.object(mallory.selfSigning, usage: "self_signing"), with: mallory.master)
            try await bench.expectRefused("a self-signing key not signed by the master key", status: [400], still: alice) {
                try await bench.send("POST", "keys/device_signing/upload", token: alice.token, json: ["self_signing_key": .object(badSSK)])
            }
            // a new master key needs the password: the interactive-auth challenge is the answer,
            // and only its session row may be written
            let before = try bench.snapshot().excluding(["auth_sessions"])
            let challenge = try await bench.send("POST", "keys/device_signing/upload", token: alice.token, json: otherMaster.uploadBody)
            #expect(challenge.status == 401 && challenge.body["flows"] != nil, "\(challenge.status) \(challenge.body)")
            #expect(try bench.snapshot().excluding(["auth_sessions"]) == before)

            // signatures made by a key that is not the one named: refused item by item, nothing stored
            let bobMasterID = bobIdentity.master.publicKey.base64
            let forgedOnBob = try JSONSigner.sign(bobIdentity.masterKey, entity: alice.userID,
                                                  keyID: .ed25519(aliceIdentity.userSigning.publicKey.base64), key: mallory.master)
            var device = alice.account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            device = try JSONSigner.sign(device, entity: alice.userID, keyID: .ed25519(aliceIdentity.selfSigning.publicKey.base64),
                                         key: mallory.selfSigning)
            let snapshot = try bench.snapshot()
            let reply = try await bench.send("POST", "keys/signatures/upload", token: alice.token, json: [
                bob.userID: [bobMasterID: .object(forgedOnBob)], alice.userID: [alice.deviceID: .object(device)],
            ])
            #expect(reply.status == 200 || reply.status == 400, "signatures/upload: \(reply.status)")
            if reply.status == 200 {
                let failures = reply.body["failures"]?.objectValue
                #expect(failures?[bob.userID]?.objectValue?[bobMasterID] != nil, "\(reply.body)")
                #expect(failures?[alice.userID]?.objectValue?[alice.deviceID] != nil, "\(reply.body)")
            }
            let after = try bench.snapshot()
            #expect(after == snapshot, "\(after.difference(from: snapshot))")
        }
    }

    @Test("other users' account data and filters are 403; bad names, display names and keys/changes tokens are 400")
    func otherUsersData() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let bob = try await bench.api.register("bob", deviceID: "BOB")
            #expect(try await bench.send("PUT", "user/\(bob.userID)/account_data/m.secret", token: bob.token, json: ["k": 1]).status == 200)
            let cases: [(String, String, String?, Set<Int>, Set<String>)] = [
                ("PUT", "user/@bob:localhost/account_data/m.secret", #"{"k":2}"#, [403], ["M_FORBIDDEN"]),
                ("GET", "user/@bob:localhost/account_data/m.secret", nil, [403], ["M_FORBIDDEN"]),
                ("POST", "user/@bob:localhost/filter", "{}", [403], ["M_FORBIDDEN"]),
                ("GET", "user/@bob:localhost/filter/0", nil, [403, 404], ["M_FORBIDDEN", "M_NOT_FOUND"]),
                ("PUT", "user/@alice:localhost/account_data/m.x%00y", "{}", [400], ["M_INVALID_PARAM"]),
                ("PUT", "user/@alice:localhost/account_data/m.caf%C3%A9", "{}", [400], ["M_INVALID_PARAM"]),
                ("PUT", "user/@alice%00:localhost/account_data/m.x", "{}", [400, 403], ["M_INVALID_PARAM", "M_FORBIDDEN"]),
                ("PUT", "devices/DEV", #"{"display_name":"\#(String(repeating: "n", count: 300))"}"#, [400], ["M_INVALID_PARAM", "M_TOO_LARGE"]),
                ("PUT", "devices/DEV", #"{"display_name":5}"#, [400], ["M_BAD_JSON"]),
                ("GET", "keys/changes?from=garbage&to=s0", nil, [400], ["M_INVALID_PARAM"]),
                ("GET", "keys/changes", nil, [400], ["M_MISSING_PARAM", "M_INVALID_PARAM"]),
                ("GET", "profile/@nobody:localhost", nil, [404], ["M_NOT_FOUND"]),
                ("GET", "profile/@alice%00:localhost", nil, [400, 404], ["M_INVALID_PARAM", "M_NOT_FOUND"]),
            ]
            for (method, path, body, status, errcodes) in cases {
                try await bench.expectRefused("\(method) \(path.prefix(80))", status: status, errcodes: errcodes, still: alice) {
                    try await bench.send(method, path, token: alice.token, body: body.map { Array($0.utf8) })
                }
            }
            try await bench.expectRefused("register with a 1000-character device name", status: [400], still: alice) {
                try await bench.send("POST", "register", json: ["username": "mallory", "password": "pw", "auth": ["type": "m.login.dummy"],
                                                                "initial_device_display_name": .string(String(repeating: "n", count: 1000))])
            }
            let own = try await bench.send("GET", "user/\(bob.userID)/account_data/m.secret", token: bob.token)
            #expect(own.status == 200 && own.body["k"] == 1)
        }
    }
}
