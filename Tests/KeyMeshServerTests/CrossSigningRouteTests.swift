// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import Testing

@Suite("Cross-signing: device_signing/upload, signatures/upload, visibility in /keys/query")
struct CrossSigningRouteTests {
    static func query(_ api: API, by user: TestUser, _ users: [String]) async throws -> Reply {
        var wanted = JSONObject()
        for u in users { wanted[u] = [] }
        let reply = try await api.call(.post, "keys/query", token: user.token, json: ["device_keys": .object(wanted)])
        try #require(reply.status == .ok)
        return reply
    }

    @Test("first upload needs no UIA; a change needs the password; an identical retry needs nothing; USK visible to its owner only")
    func uploadRules() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice", password: "pw-a")
            let bob = try await api.register("bob")
            let identity = CrossSigningIdentity(userID: alice.userID)
            #expect(try await api.call(.post, "keys/device_signing/upload", token: alice.token, json: identity.uploadBody).status == .ok)
            #expect(try await api.call(.post, "keys/device_signing/upload", token: alice.token, json: identity.uploadBody).status == .ok)

            let seenByBob = try await Self.query(api, by: bob, [alice.userID])
            #expect(seenByBob["master_keys"]?.objectValue?[alice.userID] == .object(identity.masterKey))
            #expect(seenByBob["self_signing_keys"]?.objectValue?[alice.userID] == .object(identity.selfSigningKey))
            #expect(seenByBob["user_signing_keys"] == [:])
            let seenByAlice = try await Self.query(api, by: alice, [alice.userID])
            #expect(seenByAlice["user_signing_keys"]?.objectValue?[alice.userID] == .object(identity.userSigningKey))

            let replacement = CrossSigningIdentity(userID: alice.userID)
            let challenge = try await api.call(.post, "keys/device_signing/upload", token: alice.token, json: replacement.uploadBody)
            #expect(challenge.status == .unauthorized)
            #expect(challenge["flows"] == [["stages": ["m.login.password"]]])
            var withAuth = replacement.uploadBody
            withAuth["auth"] = ["type": "m.login.password", "session": challenge["session"] ?? "", "password": "pw-a",
                                "identifier": ["type": "m.id.user", "user": .string(alice.userID)]]
            #expect(try await api.call(.post, "keys/device_signing/upload", token: alice.token, json: withAuth).status == .ok)
            let after = try await Self.query(api, by: bob, [alice.userID])
            #expect(after["master_keys"]?.objectValue?[alice.userID] == .object(replacement.masterKey))
        }
    }

    @Test("invalid uploads: unsigned SSK, no master key, wrong usage or user, two keys, a key equal to a device id")
    func uploadValidation() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let identity = CrossSigningIdentity(userID: alice.userID)
            let stranger = Ed25519SecretKey()
            var twoKeys = identity.masterKey
            twoKeys["keys"] = .object(JSONObject([("ed25519:\(identity.master.publicKey.base64)", .string(identity.master.publicKey.base64)),
                                              ("ed25519:\(stranger.publicKey.base64)", .string(stranger.publicKey.base64))]))
            let cases: [(JSONObject, HTTPResponse.Status, String)] = [
                (["master_key": .object(identity.masterKey),
                  "self_signing_key": .object(try identity.sign(identity.object(identity.selfSigning, usage: "self_signing"), with: stranger))],
                 .badRequest, "M_INVALID_SIGNATURE"),
                (["self_signing_key": .object(identity.selfSigningKey)], .badRequest, "M_MISSING_PARAM"),
                (["master_key": .object(identity.object(identity.master, usage: "self_signing"))], .badRequest, "M_INVALID_PARAM"),
                (["master_key": .object(CrossSigningIdentity(userID: "@bob:localhost").masterKey)], .badRequest, "M_INVALID_PARAM"),
                (["master_key": .object(twoKeys)], .badRequest, "M_INVALID_PARAM"),
                (["master_key": "x"], .badRequest, "M_BAD_JSON"),
            ]
            for (body, status, errcode) in cases {
                let reply = try await api.call(.post, "keys/device_signing/upload", token: alice.token, json: body)
                #expect(reply.status == status, "\(body)")
                #expect(reply.errcode == errcode, "\(body)")
            }
            // a device whose id is a public key, then a master key equal to it: 403
            let clash = CrossSigningIdentity(userID: alice.userID)
            _ = try await api.login(alice, deviceID: clash.master.publicKey.base64)
            let refused = try await api.call(.post, "keys/device_signing/upload", token: alice.token, json: ["master_key": .object(clash.masterKey)])
            #expect(refused.status == .forbidden)
            // and the other way round: logging in with a device id equal to a stored key
            #expect(try await api.call(.post, "keys/device_signing/upload", token: alice.token, json: identity.uploadBody).status == .ok)
            let login = try await api.call(.post, "login", json: ["type": "m.login.password", "user": "alice", "password": .string(alice.password),
                                                                  "device_id": .string(identity.selfSigning.publicKey.base64)])
            #expect(login.status == .forbidden)
        }
    }

    @Test("three users reach cross-signed trust through HTTP alone; nobody sees another user's user-signing signatures")
    func threeUsers() async throws {
        try await Homeserver.run { api in
            var users: [TestUser] = []
            var identities: [CrossSigningIdentity] = []
            for name in ["alice", "bob", "carol"] {
                let first = try await api.register(name)
                let second = try await api.login(first)
                try await api.uploadKeys(first)
                try await api.uploadKeys(second)
                let identity = CrossSigningIdentity(userID: first.userID)
                #expect(try await api.call(.post, "keys/device_signing/upload", token: first.token, json: identity.uploadBody).status == .ok)
                // each user signs both own devices with the SSK, and the MSK with the first device
                var body = JSONObject()
                var own = JSONObject()
                for device in [first, second] {
                    let signed = try identity.sign(device.account.deviceKeys(userID: device.userID, deviceID: device.deviceID), with: identity.selfSigning)
                    own[device.deviceID] = .object(signed)
                }
                // the device's own Ed25519 key (inside its Olm account) signs the master key
                var masterByDevice = identity.masterKey
                let deviceSignature = first.account.sign(try JSONSigner.signedBytes(of: masterByDevice))
                masterByDevice["signatures"] = .object(JSONObject([(first.userID, .object(JSONObject([("ed25519:\(first.deviceID)", .string(deviceSignature.base64))])))]))
                own[identity.master.publicKey.base64] = .object(masterByDevice)
                body[first.userID] = .object(own)
                let reply = try await api.call(.post, "keys/signatures/upload", token: first.token, json: body)
                #expect(reply.body == ["failures": [:]], "\(name)")
                users += [first, second]
                identities.append(identity)
            }
            let (alice, bob, carol) = (users[0], users[2], users[4])
            // alice verifies bob: her USK signs his MSK
            let bobMaster = try identities[0].sign(identities[1].masterKey, with: identities[0].userSigning)
            let signed = try await api.call(.post, "keys/signatures/upload", token: alice.token,
                                            json: JSONObject([(bob.userID, .object(JSONObject([(identities[1].master.publicKey.base64, .object(bobMaster))])))]))
            #expect(signed.body == ["failures": [:]])

            // alice's view: her USK signature on bob's MSK, bob's SSK signatures on his devices
            let view = try await Self.query(api, by: alice, [alice.userID, bob.userID, carol.userID])
            let master = try #require(view["master_keys"]?.objectValue?[bob.userID]?.objectValue)
            try JSONSigner.verify(master, entity: alice.userID, keyID: .ed25519(identities[0].userSigning.publicKey.base64),
                                  publicKey: identities[0].userSigning.publicKey)
            let ssk = try #require(view["self_signing_keys"]?.objectValue?[bob.userID]?.objectValue)
            try JSONSigner.verify(ssk, entity: bob.userID, keyID: .ed25519(identities[1].master.publicKey.base64),
                                  publicKey: identities[1].master.publicKey)
            for device in [users[2], users[3]] {
                let object = try #require(view["device_keys"]?.objectValue?[bob.userID]?.objectValue?[device.deviceID]?.objectValue)
                try JSONSigner.verify(object, entity: bob.userID, keyID: .ed25519(identities[1].selfSigning.publicKey.base64),
                                      publicKey: identities[1].selfSigning.publicKey)
                try JSONSigner.verify(object, entity: bob.userID, keyID: .ed25519(device.deviceID), publicKey: device.account.ed25519Key)
            }
            // everyone verifies everyone else (USK → their MSK); then each viewer's evaluator, fed only
            // the server's /keys/query answer, finds all six devices cross-signed and trusted
            let owners = [0, 2, 4]
            for (i, signerIndex) in owners.enumerated() {
                for (j, targetIndex) in owners.enumerated() where i != j && !(i == 0 && j == 1) {
                    let target = users[targetIndex]
                    let signedMaster = try identities[i].keys.signUser(masterKey: identities[j].masterKey)
                    let body = CrossSigningKeys.signaturesUploadBody([(target.userID, identities[j].master.publicKey.base64, signedMaster)])
                    let reply = try await api.call(.post, "keys/signatures/upload", token: users[signerIndex].token, json: body)
                    #expect(reply.body == ["failures": [:]])
                }
            }
            for (i, viewerIndex) in owners.enumerated() {
                let viewer = users[viewerIndex]
                let answer = try await Self.query(api, by: viewer, users.map(\.userID))
                let evaluator = TrustEvaluator(ownUserID: viewer.userID, ownMaster: identities[i].master.publicKey)
                let trust = evaluator.evaluate(answer.body)
                for device in users {
                    #expect(trust[device.userID]?.devices[device.deviceID] == .crossSignedTrusted, "\(viewer.userID) → \(device.userID)/\(device.deviceID)")
                }
            }
            // a viewer who verified nobody sees the others as signed by untrusted identities
            let dave = try await api.register("dave")
            let daveKeys = CrossSigningIdentity(userID: dave.userID)
            _ = try await api.call(.post, "keys/device_signing/upload", token: dave.token, json: daveKeys.uploadBody)
            let daveView = TrustEvaluator(ownUserID: dave.userID, ownMaster: daveKeys.master.publicKey)
                .evaluate(try await Self.query(api, by: dave, [bob.userID]).body)
            guard case .signedByUntrustedIdentity = daveView[bob.userID]?.devices[bob.deviceID] else {
                Issue.record("an unverified user's device counted as trusted")
                return
            }

            // carol's and bob's views: bob's MSK carries bob's device signature, never alice's USK signature
            for viewer in [carol, bob] {
                let other = try await Self.query(api, by: viewer, [bob.userID])
                let seen = try #require(other["master_keys"]?.objectValue?[bob.userID]?.objectValue)
                #expect(seen["signatures"]?.objectValue?[alice.userID] == nil, "\(viewer.userID)")
                #expect(seen["signatures"]?.objectValue?[carol.userID] == nil || viewer.userID == carol.userID, "\(viewer.userID)")
                #expect(seen["signatures"]?.objectValue?[bob.userID]?.objectValue?["ed25519:\(bob.deviceID)"] != nil)
                #expect(other["user_signing_keys"]?.objectValue?[bob.userID] == (viewer.userID == bob.userID ? .object(identities[1].userSigningKey) : nil))
            }
        }
    }

    @Test("signature failures: unknown device, another user's device, tampered object, wrong signer; the good items still land")
    func signatureFailures() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            try await api.uploadKeys(alice)
            try await api.uploadKeys(bob)
            let aliceID = CrossSigningIdentity(userID: alice.userID)
            let bobID = CrossSigningIdentity(userID: bob.userID)
            _ = try await api.call(.post, "keys/device_signing/upload", token: alice.token, json: aliceID.uploadBody)
            _ = try await api.call(.post, "keys/device_signing/upload", token: bob.token, json: bobID.uploadBody)
            let device = alice.account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)
            var tampered = device
            tampered["algorithms"] = ["m.olm.v1.curve25519-aes-sha2"]
            let bobDevice = bob.account.deviceKeys(userID: bob.userID, deviceID: bob.deviceID)
            let body = JSONObject([
                (alice.userID, .object(JSONObject([
                    (alice.deviceID, .object(try aliceID.sign(device, with: aliceID.selfSigning))),
                    ("NOSUCH", .object(try aliceID.sign(device, with: aliceID.selfSigning))),
                ]))),
                (bob.userID, .object(JSONObject([
                    (bob.deviceID, .object(try aliceID.sign(bobDevice, with: aliceID.userSigning))),
                    (bobID.master.publicKey.base64, .object(try aliceID.sign(bobID.masterKey, with: aliceID.selfSigning))),
                ]))),
            ])
            let reply = try await api.call(.post, "keys/signatures/upload", token: alice.token, json: body)
            let failures = try #require(reply["failures"]?.objectValue)
            #expect(failures[alice.userID]?.objectValue?["NOSUCH"]?.objectValue?["errcode"] == "M_NOT_FOUND")
            #expect(failures[alice.userID]?.objectValue?[alice.deviceID] == nil)  // the good one landed
            #expect(failures[bob.userID]?.objectValue?[bob.deviceID]?.objectValue?["errcode"] == "M_NOT_FOUND")
            #expect(failures[bob.userID]?.objectValue?[bobID.master.publicKey.base64]?.objectValue?["errcode"] == "M_INVALID_SIGNATURE")
            let mismatch = try await api.call(.post, "keys/signatures/upload", token: alice.token, json: JSONObject([
                (alice.userID, .object(JSONObject([(alice.deviceID, .object(try aliceID.sign(tampered, with: aliceID.selfSigning)))]))),
            ]))
            #expect(mismatch["failures"]?.objectValue?[alice.userID]?.objectValue?[alice.deviceID]?.objectValue?["error"] == "Key does not match")
            let view = try await Self.query(api, by: bob, [alice.userID])
            let signedDevice = try #require(view["device_keys"]?.objectValue?[alice.userID]?.objectValue?[alice.deviceID]?.objectValue)
            try JSONSigner.verify(signedDevice, entity: alice.userID, keyID: .ed25519(aliceID.selfSigning.publicKey.base64),
                                  publicKey: aliceID.selfSigning.publicKey)
        }
    }

    @Test("master/self-signing changes and device signatures reach followers' device_lists; a user-signing change only its owner")
    func deviceLists() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice", password: "pw-a")
            let bob = try await api.register("bob")
            _ = try await Self.query(api, by: bob, [alice.userID])
            var bobSince = try #require(try await api.sync(bob).nextBatch)
            var aliceSince = try #require(try await api.sync(alice).nextBatch)
            let identity = CrossSigningIdentity(userID: alice.userID)
            _ = try await api.call(.post, "keys/device_signing/upload", token: alice.token,
                                   json: ["master_key": .object(identity.masterKey), "self_signing_key": .object(identity.selfSigningKey)])
            var reply = try await api.sync(bob, since: bobSince)
            #expect(reply.changedUsers == [alice.userID])
            bobSince = try #require(reply.nextBatch)
            aliceSince = try #require(try await api.sync(alice, since: aliceSince).nextBatch)
            // a user-signing key alone: alice hears of it, bob does not
            // (a new key beside a stored master key needs the password)
            let challenge = try await api.call(.post, "keys/device_signing/upload", token: alice.token,
                                               json: ["user_signing_key": .object(identity.userSigningKey)])
            #expect(challenge.status == .unauthorized)
            let upload = try await api.call(.post, "keys/device_signing/upload", token: alice.token, json: [
                "user_signing_key": .object(identity.userSigningKey),
                "auth": ["type": "m.login.password", "session": challenge["session"] ?? "", "password": "pw-a", "user": "alice"],
            ])
            #expect(upload.status == .ok)
            #expect(try await api.sync(alice, since: aliceSince).changedUsers == [alice.userID])
            reply = try await api.sync(bob, since: bobSince)
            #expect(reply.changedUsers == [])
        }
    }
}
