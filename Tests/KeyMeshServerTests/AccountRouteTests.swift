// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshCrypto
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshServer

@Suite("Accounts: register, login, logout, whoami, tokens")
struct AccountRouteTests {
    @Test("registration is a user-interactive m.login.dummy flow; a session works once")
    func registerFlow() async throws {
        try await Homeserver.run { api in
            let body: JSONObject = ["username": "alice", "password": "pw"]
            let challenge = try await api.call(.post, "register", json: body)
            #expect(challenge.status == .unauthorized)
            #expect(challenge.errcode == nil)
            #expect(challenge["flows"] == [["stages": ["m.login.dummy"]]])
            #expect(challenge["params"] == [:])
            let session = try #require(challenge["session"]?.stringValue)

            var wrongStage = body
            wrongStage["auth"] = ["type": "m.login.password", "session": .string(session)]
            #expect(try await api.call(.post, "register", json: wrongStage).status == .unauthorized)

            var done = body
            done["auth"] = ["type": "m.login.dummy", "session": .string(session)]
            let reply = try await api.call(.post, "register", json: done)
            #expect(reply.status == .ok)
            #expect(reply["user_id"] == "@alice:localhost")
            #expect(reply["access_token"]?.stringValue?.hasPrefix("km_") == true)

            var again = body
            again["username"] = "alice2"
            again["auth"] = ["type": "m.login.dummy", "session": .string(session)]
            let reused = try await api.call(.post, "register", json: again)
            #expect(reused.status == .unauthorized)
            #expect(reused.errcode == "M_UNKNOWN")
        }
    }

    @Test("dummy auth without a session (matrix-nio's one-shot register) and auth without type (a flow request)")
    func registerShortcuts() async throws {
        try await Homeserver.run { api in
            let oneShot = try await api.call(.post, "register", json: ["username": "bob", "password": "pw",
                                                                       "auth": ["type": "m.login.dummy"]])
            #expect(oneShot.status == .ok)
            let noType = try await api.call(.post, "register", json: ["username": "carol", "password": "pw", "auth": ["session": "x"]])
            #expect(noType.status == .unauthorized)
            #expect(noType["session"]?.stringValue != nil)
        }
    }

    @Test("taken, invalid and missing names and passwords are refused with the spec's codes")
    func registerRefusals() async throws {
        try await Homeserver.run { api in
            _ = try await api.register("dave")
            let dummy: JSONValue = ["type": "m.login.dummy"]
            let cases: [(JSONObject, HTTPResponse.Status, String)] = [
                (["username": "dave", "password": "pw", "auth": dummy], .badRequest, "M_USER_IN_USE"),
                (["username": "DAVE", "password": "pw", "auth": dummy], .badRequest, "M_USER_IN_USE"),
                (["username": "bad name", "password": "pw", "auth": dummy], .badRequest, "M_INVALID_USERNAME"),
                (["username": "", "password": "pw", "auth": dummy], .badRequest, "M_INVALID_USERNAME"),
                (["username": .string(String(repeating: "a", count: 260)), "password": "pw", "auth": dummy], .badRequest, "M_INVALID_USERNAME"),
                (["username": "erin", "auth": dummy], .badRequest, "M_MISSING_PARAM"),
                (["username": "erin", "password": 5, "auth": dummy], .badRequest, "M_BAD_JSON"),
                (["username": 7, "password": "pw"], .badRequest, "M_BAD_JSON"),
                (["username": "erin", "password": "", "auth": dummy], .badRequest, "M_WEAK_PASSWORD"),
                (["username": "erin", "password": "pw", "auth": dummy, "device_id": "has space"], .badRequest, "M_INVALID_PARAM"),
            ]
            for (body, status, errcode) in cases {
                let reply = try await api.call(.post, "register", json: body)
                #expect(reply.status == status, "\(body)")
                #expect(reply.errcode == errcode, "\(body)")
            }
            let guest = try await api.call(.post, "register?kind=guest", json: ["auth": dummy])
            #expect(guest.status == .forbidden)
            #expect(guest.errcode == "M_GUEST_ACCESS_FORBIDDEN")
            // no half-made account: erin never registered, so the name is still free
            _ = try await api.register("erin")
        }
    }

    @Test("registration modes closed and shared-secret refuse POST /register with 403")
    func registrationModes() async throws {
        for mode in [ServerConfig.Registration.closed, .sharedSecret] {
            try await Homeserver.run(Homeserver.config { $0.registration = mode; $0.registrationSharedSecret = "s" }) { api in
                let reply = try await api.call(.post, "register", json: ["username": "x", "password": "pw", "auth": ["type": "m.login.dummy"]])
                #expect(reply.status == .forbidden)
                #expect(reply.errcode == "M_FORBIDDEN")
            }
        }
        #expect(ServerConfig().effectiveRegistration == .open)
        var remote = ServerConfig()
        remote.host = "0.0.0.0"
        #expect(remote.effectiveRegistration == .sharedSecret)
    }

    @Test("shared-secret admin registration: Synapse's nonce + HMAC-SHA1; wrong MAC, reused nonce and no secret refused")
    func adminRegistration() async throws {
        let path = "/_synapse/admin/v1/register"
        try await Homeserver.run(Homeserver.config { $0.registration = .closed; $0.registrationSharedSecret = "op-secret" }) { api in
            func body(_ nonce: String, secret: String, admin: Bool = false) -> JSONObject {
                // Known-answer check of the MAC layout is in the second half: a secret mismatch must fail.
                let message = Array(nonce.utf8) + [0] + Array("opal".utf8) + [0] + Array("pw".utf8) + [0] + Array((admin ? "admin" : "notadmin").utf8)
                return ["nonce": .string(nonce), "username": "opal", "password": "pw", "admin": .bool(admin),
                        "mac": .string(TestHMAC.sha1Hex(key: Array(secret.utf8), message: message))]
            }
            let nonce = try #require(try await api.call(.get, path)["nonce"]?.stringValue)
            let wrong = try await api.call(.post, path, json: body(nonce, secret: "not-it"))
            #expect(wrong.status == .forbidden)
            let reply = try await api.call(.post, path, json: body(nonce, secret: "op-secret"))
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(reply["user_id"] == "@opal:localhost")
            let token = try #require(reply["access_token"]?.stringValue)
            #expect(try await api.call(.get, "account/whoami", token: token)["user_id"] == "@opal:localhost")
            let reused = try await api.call(.post, path, json: body(nonce, secret: "op-secret"))
            #expect(reused.status == .badRequest)
            let unknown = try await api.call(.post, path, json: body("made-up", secret: "op-secret"))
            #expect(unknown.status == .badRequest)
        }
        try await Homeserver.run { api in
            let off = try await api.call(.get, path)
            #expect(off.status == .badRequest)
            #expect(off.errcode == "M_UNKNOWN")
        }
    }

    @Test("login by localpart or full id, wrong password 403, unknown type 400; whoami; r0 alias")
    func login() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice", password: "s3cret")
            for user in ["alice", "@alice:localhost", "ALICE"] {
                let reply = try await api.call(.post, "login", json: ["type": "m.login.password", "password": "s3cret",
                                                                      "identifier": ["type": "m.id.user", "user": .string(user)]])
                #expect(reply.status == .ok, "\(user)")
                #expect(reply["user_id"] == .string(alice.userID))
            }
            let legacy = try await api.call(.post, "/_matrix/client/r0/login", json: ["type": "m.login.password", "user": "alice", "password": "s3cret"])
            #expect(legacy.status == .ok)
            let refusals: [(JSONObject, HTTPResponse.Status, String)] = [
                (["type": "m.login.password", "user": "alice", "password": "wrong"], .forbidden, "M_FORBIDDEN"),
                (["type": "m.login.password", "user": "nobody", "password": "s3cret"], .forbidden, "M_FORBIDDEN"),
                (["type": "m.login.password", "user": "@alice:elsewhere", "password": "s3cret"], .forbidden, "M_FORBIDDEN"),
                (["type": "m.login.token", "token": "t"], .badRequest, "M_UNKNOWN"),
                (["type": "m.login.password", "password": "s3cret"], .badRequest, "M_MISSING_PARAM"),
                (["type": "m.login.password", "identifier": ["type": "m.id.thirdparty"], "password": "s3cret"], .badRequest, "M_UNKNOWN"),
                (["password": "s3cret"], .badRequest, "M_MISSING_PARAM"),
            ]
            for (body, status, errcode) in refusals {
                let reply = try await api.call(.post, "login", json: body)
                #expect(reply.status == status, "\(body)")
                #expect(reply.errcode == errcode, "\(body)")
            }
            let whoami = try await api.call(.get, "/_matrix/client/r0/account/whoami", token: alice.token)
            #expect(whoami["user_id"] == .string(alice.userID))
            #expect(whoami["device_id"] == .string(alice.deviceID))
            #expect(try await api.call(.get, "login")["flows"] == [["type": "m.login.password"]])
        }
    }

    @Test("missing token 401 M_MISSING_TOKEN, unknown token 401 M_UNKNOWN_TOKEN, query-string token refused")
    func tokens() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let missing = try await api.call(.get, "account/whoami")
            #expect(missing.status == .unauthorized)
            #expect(missing.errcode == "M_MISSING_TOKEN")
            let unknown = try await api.call(.get, "account/whoami", token: "km_not-a-token")
            #expect(unknown.status == .unauthorized)
            #expect(unknown.errcode == "M_UNKNOWN_TOKEN")
            #expect(unknown["soft_logout"] == false)
            let malformed = try await api.call(.get, "account/whoami", headers: [.authorization: "Basic abc"])
            #expect(malformed.errcode == "M_MISSING_TOKEN")
            // the spec deprecates ?access_token= (tokens in URLs leak into logs): not read at all
            let query = try await api.call(.get, "account/whoami?access_token=\(alice.token)")
            #expect(query.status == .unauthorized)
            #expect(query.errcode == "M_MISSING_TOKEN")
            let both = try await api.call(.get, "account/whoami?access_token=km_wrong", token: alice.token)
            #expect(both["user_id"] == .string(alice.userID))
            for path in ["keys/upload", "keys/query", "keys/claim", "logout"] {
                #expect(try await api.call(.post, path, json: [:]).errcode == "M_MISSING_TOKEN", "\(path)")
            }
            for path in ["sync", "devices", "keys/changes?from=s0"] {
                #expect(try await api.call(.get, path).errcode == "M_MISSING_TOKEN", "\(path)")
            }
            #expect(try await api.call(.put, "sendToDevice/m.test/1", json: ["messages": [:]]).errcode == "M_MISSING_TOKEN")
        }
    }

    @Test("logout deletes the device, its token and its keys; logout/all every device")
    func logout() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            try await api.uploadKeys(alice, oneTimeKeys: 3)
            let second = try await api.login(alice)
            let bob = try await api.register("bob")
            #expect(try await api.call(.post, "logout", token: alice.token).body == [:])
            #expect(try await api.call(.get, "account/whoami", token: alice.token).errcode == "M_UNKNOWN_TOKEN")
            let query = try await api.call(.post, "keys/query", token: bob.token, json: ["device_keys": [alice.userID: []]])
            #expect(query["device_keys"]?.objectValue?[alice.userID] == [:])  // a known user: {} (no keys left)
            let devices = try await api.call(.get, "devices", token: second.token)["devices"]?.arrayValue ?? []
            #expect(devices.count == 1)
            #expect(try await api.call(.post, "logout/all", token: second.token).status == .ok)
            #expect(try await api.call(.get, "devices", token: second.token).errcode == "M_UNKNOWN_TOKEN")
            // the password still logs in: logout removes devices, not the account
            _ = try await api.login(alice)
        }
    }

    @Test("stored tokens are hashes and passwords Argon2id strings, never the secrets")
    func secretsAtRest() async throws {
        let hash = try PasswordHash.hash("hunter2", strength: .minimum)
        #expect(hash.hasPrefix("$argon2id$"))
        #expect(PasswordHash.verify("hunter2", against: hash))
        #expect(!PasswordHash.verify("hunter3", against: hash))
        #expect(!PasswordHash.verify("hunter2", against: "garbage"))
        #expect(!PasswordHash.verify("", against: ""))
        #expect(try PasswordHash.hash("hunter2", strength: .minimum) != hash)  // salted
        let token = AccessToken.generate()
        #expect(AccessToken.hash(token).count == 64)
        #expect(AccessToken.hash(token) != token)
        #expect(!token.contains("+") && !token.contains("/"))
    }
}
