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
            let phone: JSONObject = ["device_id": "PHONE", "display_name": "Alice's phone", "last_seen_ip": nil, "last_seen_ts": nil]
            #expect(device.body == phone)
            let list = try await api.call(.get, "devices", token: alice.token)
            #expect(list["devices"] == [.object(phone)])
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
            #expect(query["device_keys"] == .object(JSONObject([(alice.userID, .object([:]))])))  // known user, no devices left
            let claim = try await api.claim(by: bob, [(alice.userID, laptop.deviceID)])
            #expect(claim["one_time_keys"] == [:])
            #expect(try await api.sync(bob, since: since).changedUsers == [alice.userID])
            // deleting it again still asks for the password, then answers 200 (spec: "had been removed previously")
            let again = try await api.call(.delete, "devices/\(laptop.deviceID)", token: alice.token)
            #expect(again.status == .unauthorized)
            let session2 = try #require(again["session"]?.stringValue)
            let retried = try await api.call(.delete, "devices/\(laptop.deviceID)", token: alice.token, json: auth("pw-a", session2))
            #expect(retried.status == .ok, "\(retried.body)")
            #expect(retried.body == [:])
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

    @Test("deleting a device that does not exist asks for the password, then answers 200 {} and removes nothing else")
    func deleteMissingDevice() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice", password: "pw-a")
            let phone = try await api.login(alice)
            let before = try await api.call(.get, "devices", token: alice.token)
            func auth(_ session: String) -> JSONObject {
                ["type": "m.login.password", "session": .string(session), "password": "pw-a",
                 "identifier": ["type": "m.id.user", "user": .string(alice.userID)]]
            }
            // UIA first, so the answer does not tell an attacker with a stolen token which devices exist
            let challenge = try await api.call(.delete, "devices/NEVER", token: alice.token)
            #expect(challenge.status == .unauthorized)
            let session = try #require(challenge["session"]?.stringValue)
            let done = try await api.call(.delete, "devices/NEVER", token: alice.token, json: ["auth": .object(auth(session))])
            #expect(done.status == .ok, "\(done.body)")
            #expect(done.body == [:])

            let many = try await api.call(.post, "delete_devices", token: alice.token, json: ["devices": ["GONE1", "GONE2"]])
            let session2 = try #require(many["session"]?.stringValue)
            let manyDone = try await api.call(.post, "delete_devices", token: alice.token,
                                              json: ["devices": ["GONE1", "GONE2"], "auth": .object(auth(session2))])
            #expect(manyDone.status == .ok, "\(manyDone.body)")
            #expect(manyDone.body == [:])
            #expect(try await api.call(.get, "devices", token: alice.token).body == before.body)
            #expect(try await api.call(.get, "account/whoami", token: phone.token).status == .ok)

            // a malformed id is still refused before anything happens
            let bad = try await api.call(.post, "delete_devices", token: alice.token, json: ["devices": ["A B"]])
            #expect(bad.errcode == "M_INVALID_PARAM")
        }
    }

    @Test("every device object carries display_name, last_seen_ip and last_seen_ts (null when unknown), as matrix-nio requires")
    func lastSeenMembers() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            _ = try await api.login(alice)
            let list = try await api.call(.get, "devices", token: alice.token)
            let devices = (list["devices"]?.arrayValue ?? []).compactMap(\.objectValue)
            #expect(devices.count == 2)
            for device in devices {
                #expect(device.contains("display_name"))
                #expect(device.contains("last_seen_ip") && device["last_seen_ip"] == .null)
                #expect(device.contains("last_seen_ts") && device["last_seen_ts"] == .null)
            }
            let one = try await api.call(.get, "devices/\(alice.deviceID)", token: alice.token)
            #expect(one.body.contains("last_seen_ip") && one.body.contains("last_seen_ts"))
        }
    }
}
