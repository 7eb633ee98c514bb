// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI
import Testing

@Suite("Devices: list, rename, delete with password")
struct DeviceRouteTests {
    @Test("list, get, rename; unknown device 404 M_NOT_FOUND; another user's device is invisible")
    func listAndRename() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice", deviceID: "PHONE")
            let bob = try await api.register("bob")
            #expect(try await api.call(.put, "devices/PHONE", token: alice.token, json: ["display_name": "Alice's phone"]).body == [:])
            let device = try await api.call(.get, "devices/PHONE", token: alice.token)
            #expect(device.body == ["device_id": "PHONE", "display_name": "Alice's phone"])
            let list = try await api.call(.get, "devices", token: alice.token)
            #expect(list["devices"] == [["device_id": "PHONE", "display_name": "Alice's phone"]])
            for (method, path) in [(HTTPRequest.Method.get, "devices/NOPE"), (.get, "devices/\(bob.deviceID)")] {
                let reply = try await api.call(method, path, token: alice.token)
                #expect(reply.status == .notFound)
                #expect(reply.errcode == "M_NOT_FOUND")
            }
            let renameMissing = try await api.call(.put, "devices/NOPE", token: alice.token, json: ["display_name": "x"])
            #expect(renameMissing.errcode == "M_NOT_FOUND")
            let tooLong = try await api.call(.put, "devices/PHONE", token: alice.token,
                                             json: ["display_name": .string(String(repeating: "n", count: 101))])
            #expect(tooLong.errcode == "M_INVALID_PARAM")
            let wrongType = try await api.call(.put, "devices/PHONE", token: alice.token, json: ["display_name": 3])
            #expect(wrongType.errcode == "M_BAD_JSON")
        }
    }

    @Test("DELETE /devices/{id} needs the password (UIA); it removes tokens and keys and is a device-list change")
    func deleteDevice() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice", password: "pw-a")
            let laptop = try await api.login(alice)
            let bob = try await api.register("bob")
            try await api.uploadKeys(laptop, oneTimeKeys: 2)
            _ = try await api.call(.post, "keys/query", token: bob.token, json: ["device_keys": [alice.userID: []]])
            let since = try #require(try await api.sync(bob).nextBatch)

            let challenge = try await api.call(.delete, "devices/\(laptop.deviceID)", token: alice.token)
            #expect(challenge.status == .unauthorized)
            #expect(challenge["flows"] == [["stages": ["m.login.password"]]])
            let session = try #require(challenge["session"]?.stringValue)
            func auth(_ password: String, _ session: String) -> JSONObject {
                ["auth": ["type": "m.login.password", "session": .string(session), "password": .string(password),
                          "identifier": ["type": "m.id.user", "user": .string(alice.userID)]]]
            }
            let wrong = try await api.call(.delete, "devices/\(laptop.deviceID)", token: alice.token, json: auth("nope", session))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errcode == "M_FORBIDDEN")
            // bob cannot finish alice's session, even with alice's password
            let stolen = try await api.call(.delete, "devices/\(bob.deviceID)", token: bob.token, json: auth("pw-a", session))
            #expect(stolen.status == .unauthorized)
            let done = try await api.call(.delete, "devices/\(laptop.deviceID)", token: alice.token, json: auth("pw-a", session))
            #expect(done.status == .ok, "\(done.body)")

            #expect(try await api.call(.get, "account/whoami", token: laptop.token).errcode == "M_UNKNOWN_TOKEN")
            let query = try await api.call(.post, "keys/query", token: bob.token, json: ["device_keys": [alice.userID: []]])
            #expect(query["device_keys"] == [:])
            let claim = try await api.claim(by: bob, [(alice.userID, laptop.deviceID)])
            #expect(claim["one_time_keys"] == [:])
            #expect(try await api.sync(bob, since: since).changedUsers == [alice.userID])
            #expect(try await api.call(.delete, "devices/\(laptop.deviceID)", token: alice.token).errcode == "M_NOT_FOUND")
        }
    }

    @Test("POST /delete_devices removes several devices after one password check")
    func deleteDevices() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice", password: "pw-a")
            let two = try await api.login(alice)
            let three = try await api.login(alice)
            let challenge = try await api.call(.post, "delete_devices", token: alice.token, json: ["devices": [.string(two.deviceID), .string(three.deviceID)]])
            let session = try #require(challenge["session"]?.stringValue)
            let done = try await api.call(.post, "delete_devices", token: alice.token, json: [
                "devices": [.string(two.deviceID), .string(three.deviceID)],
                "auth": ["type": "m.login.password", "session": .string(session), "password": "pw-a", "user": "alice"],
            ])
            #expect(done.status == .ok)
            #expect(try await api.call(.get, "devices", token: alice.token)["devices"]?.arrayValue?.count == 1)
            #expect(try await api.call(.post, "delete_devices", token: alice.token, json: ["devices": [1]]).errcode == "M_BAD_JSON")
        }
    }
}
