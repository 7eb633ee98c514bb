// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import HummingbirdTesting
import KeyMeshMatrixAPI
import KeyMeshOlm
import Testing

@testable import KeyMeshServer

/// Key writes are one transaction each, bound to a device that exists when they commit, and a
/// device's identity keys never change (docs/SERVER.md "Upload rules").
@Suite("Key writes: all or nothing, live devices only, identity fixed")
struct KeyWriteRouteTests {
    @Test("a refused upload (conflict found last) leaves device keys, fallback key and one-time keys exactly as before")
    func refusedUploadStoresNothing() async throws {
        let config = Homeserver.config()
        try await Homeserver.run(config) { api in
            let alice = try await api.register("alice")
            try await api.uploadKeys(alice, fallback: true)
            let first = alice.signedKeyObject()
            #expect(try await api.call(.post, "keys/upload", token: alice.token, json: ["one_time_keys": ["signed_curve25519:ZZZ": first]]).status == .ok)
            let before = try KeyTestRows.dump(config)
            let body: JSONObject = [
                // same identity keys, a real change of the object (another algorithms list)
                "device_keys": .object(alice.deviceKeys { $0["algorithms"] = ["m.olm.v1.curve25519-aes-sha2"] }),
                "fallback_keys": ["signed_curve25519:NEWFB": alice.signedKeyObject(fallback: true)],
                "one_time_keys": ["signed_curve25519:AAA": alice.signedKeyObject(), "signed_curve25519:ZZZ": alice.signedKeyObject()],
            ]
            let reply = try await api.call(.post, "keys/upload", token: alice.token, json: body)
            #expect(reply.status == .badRequest)
            #expect(reply.errcode == "M_INVALID_PARAM")
            #expect(try KeyTestRows.dump(config) == before)
        }
    }

    @Test("new identity keys for an existing device id are 400 M_INVALID_PARAM; an identical re-upload is a no-op; stale signatures never meet new keys")
    func identityFixed() async throws {
        let config = Homeserver.config()
        try await Homeserver.run(config) { api in
            let alice = try await api.register("alice")
            try #require(try await api.uploadKeys(alice).status == .ok)
            // cross-sign the device: the self-signing signature covers these identity keys
            let identity = CrossSigningIdentity(userID: alice.userID)
            var upload = identity.uploadBody
            upload["auth"] = nil
            #expect(try await api.call(.post, "keys/device_signing/upload", token: alice.token, json: upload).status == .ok)
            let signed = try identity.sign(alice.account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID), with: identity.selfSigning)
            let signatures = try await api.call(.post, "keys/signatures/upload", token: alice.token,
                                                json: [.init(alice.userID): [.init(alice.deviceID): .object(signed)]])
            #expect(signatures["failures"] == [:])
            let before = try KeyTestRows.dump(config)
            // the same device id with other identity keys (signed by the new key, valid in itself)
            let impostor = TestUser(userID: alice.userID, deviceID: alice.deviceID, token: alice.token, password: alice.password,
                                    account: OlmAccount())
            let replaced = try await api.uploadKeys(impostor)
            #expect(replaced.status == .badRequest)
            #expect(replaced.errcode == "M_INVALID_PARAM")
            #expect(try KeyTestRows.dump(config) == before)
            // the identical object again: accepted, nothing changes, no device-list change
            let sync = try await api.sync(alice)
            #expect(try await api.uploadKeys(alice).status == .ok)
            #expect(try KeyTestRows.dump(config) == before)
            #expect(try await api.sync(alice, since: sync.nextBatch).changedUsers == [])
        }
    }

    @Test("an upload whose body finishes after its device logged out is 401 M_UNKNOWN_TOKEN and publishes nothing")
    func ghostDevice() async throws {
        let config = Homeserver.config()
        try await Homeserver.run(config, mode: .live) { api in
            let port = try #require(api.client.port)
            let alice = try await api.register("alice")
            let second = try await api.login(alice)
            let body: JSONObject = ["device_keys": .object(alice.account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID))]
            let reply = try await Self.finishAfterLogout(api, port: port, alice, "keys/upload", body)
            #expect(reply.status == 401, "\(reply.body)")
            #expect(reply.errcode == "M_UNKNOWN_TOKEN")
            #expect(try KeyTestRows.dump(config).filter { $0.contains(alice.deviceID) } == [])
            let query = try await api.call(.post, "keys/query", token: second.token, json: ["device_keys": [.init(alice.userID): []]])
            #expect(query["device_keys"] == [.init(alice.userID): [:]])
        }
    }

    @Test("cross-signing keys and signatures whose body finishes after the device logged out are 401 and store nothing")
    func ghostCrossSigning() async throws {
        let config = Homeserver.config()
        try await Homeserver.run(config, mode: .live) { api in
            let port = try #require(api.client.port)
            let alice = try await api.register("alice")
            let identity = CrossSigningIdentity(userID: alice.userID)
            var keys = identity.uploadBody
            keys["auth"] = nil
            let refused = try await Self.finishAfterLogout(api, port: port, alice, "keys/device_signing/upload", keys)
            #expect(refused.status == 401, "\(refused.body)")
            #expect(try KeyTestRows.dump(config) == [])
            // a second device cross-signs a third one's keys, and is logged out mid-body
            let signer = try await api.login(alice)
            let target = try await api.login(alice)
            try await api.uploadKeys(target)
            #expect(try await api.call(.post, "keys/device_signing/upload", token: signer.token, json: keys).status == .ok)
            let before = try KeyTestRows.dump(config)
            let signed = try identity.sign(target.account.deviceKeys(userID: target.userID, deviceID: target.deviceID), with: identity.selfSigning)
            let reply = try await Self.finishAfterLogout(api, port: port, signer, "keys/signatures/upload",
                                                         [.init(alice.userID): [.init(target.deviceID): .object(signed)]])
            #expect(reply.status == 401, "\(reply.body)")
            #expect(try KeyTestRows.dump(config) == before)
        }
    }

    /// Sends `body` to `path` as `user` on a raw connection in two parts, logging the device out
    /// in between, and returns the answer.
    static func finishAfterLogout(_ api: API, port: Int, _ user: TestUser, _ path: String, _ body: JSONObject) async throws -> RawHTTP.Reply {
        let bytes = try CanonicalJSON.encode(.object(body))
        let connection = try RawHTTP(port: port)
        try await connection.send("""
            POST /_matrix/client/v3/\(path) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(user.token)\r
            Content-Type: application/json\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n
            """)
        try await connection.send(Array(bytes.prefix(10)))
        // give the handler time to authenticate before the logout (ordering only: the outcome
        // the callers check is the same whichever comes first)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await api.call(.post, "logout", token: user.token).status == .ok)
        try await connection.send(Array(bytes.dropFirst(10)))
        return try await connection.reply()
    }
}
