// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

/// An attacker with an account against devices, to-device messages and `/sync`: floods,
/// replays, other users' devices, bad sync parameters, and a write racing its own logout
/// (issue 12 item 3).
@Suite("Attacks: devices, to-device messages and sync")
struct DeviceMessageAttacks {
    @Test("oversized to-device content, a full queue and too many recipients: 413, nothing queued")
    func toDeviceFloods() async throws {
        try await AttackBench.run({
            $0.maxRequestBytes = 64 * 1024
            $0.maxQueuedToDevice = 3
            $0.maxToDevicePerRequest = 2
        }) { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let bob = try await bench.api.register("bob", deviceID: "BOB")
            for n in 2...4 { _ = try await bench.api.login(bob, deviceID: "BOB\(n)") }
            let big: JSONObject = ["messages": [bob.userID: ["BOB": ["pad": .string(String(repeating: "x", count: 100 * 1024))]]]]
            try await bench.expectRefused("100 KiB to-device content", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                try await bench.send("PUT", "sendToDevice/m.test/big", token: alice.token, json: big)
            }
            try await bench.expectRefused("'*' expanding past the per-request limit", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                try await bench.send("PUT", "sendToDevice/m.test/star", token: alice.token, json: ["messages": [bob.userID: ["*": ["n": 1]]]])
            }
            for n in 0..<3 {
                let reply = try await bench.send("PUT", "sendToDevice/m.test/q\(n)", token: alice.token,
                                                 json: ["messages": [bob.userID: ["BOB": ["n": .int(Int64(n))]]]])
                #expect(reply.status == 200)
            }
            // the queue is full: the whole request is refused, the message to BOB2 is not queued either
            try await bench.expectRefused("past the queue limit", status: [413, 429], errcodes: ["M_TOO_LARGE", "M_LIMIT_EXCEEDED"], still: alice) {
                try await bench.send("PUT", "sendToDevice/m.test/q3", token: alice.token,
                                     json: ["messages": [bob.userID: ["BOB2": ["n": 3], "BOB": ["n": 3]]]])
            }
            #expect(try await bench.api.sync(bob).toDeviceEvents.count == 3)
        }
    }

    @Test("a login past the devices-per-user limit is refused and opens no device")
    func deviceFlood() async throws {
        try await AttackBench.run({ $0.maxDevicesPerUser = 3 }) { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            for n in 2...3 { _ = try await bench.api.login(alice, deviceID: "D\(n)") }
            for device in ["D4", "D5"] {
                try await bench.expectRefused("login as a 4th device", status: [403, 413, 429],
                                              errcodes: ["M_FORBIDDEN", "M_TOO_LARGE", "M_LIMIT_EXCEEDED"], still: alice) {
                    try await bench.send("POST", "login", json: ["type": "m.login.password", "user": "alice",
                                                                 "password": .string(alice.password), "device_id": .string(device)])
                }
            }
            // an existing device id logs in again: no new device, so not refused
            #expect(try await bench.send("POST", "login", json: ["type": "m.login.password", "user": "alice",
                                                                 "password": .string(alice.password), "device_id": "D2"]).status == 200)
        }
    }

    @Test("a replayed txn id after a re-login of the same device is acknowledged and not delivered twice")
    func replayAfterRelogin() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let bob = try await bench.api.register("bob", deviceID: "BOB")
            let message: JSONObject = ["messages": [bob.userID: ["BOB": ["secret": "once"]]]]
            #expect(try await bench.send("PUT", "sendToDevice/m.test/T1", token: alice.token, json: message).status == 200)
            let again = try await bench.api.login(alice, deviceID: "DEV")
            let before = try bench.snapshot()
            for token in [again.token, alice.token] where try await bench.send("GET", "account/whoami", token: token).status == 200 {
                let reply = try await bench.send("PUT", "sendToDevice/m.test/T1", token: token, json: message)
                #expect(reply.status == 200, "a replay is acknowledged (spec: idempotent)")
            }
            // an ignored INSERT OR IGNORE still advances SQLite's AUTOINCREMENT counter
            // (sqlite_sequence); no row changes, and nothing a client can see
            let after = try bench.snapshot().excluding(["sqlite_sequence"])
            #expect(after == before.excluding(["sqlite_sequence"]), "\(after.difference(from: before))")
            #expect(try await bench.api.sync(bob).toDeviceEvents.count == 1)
        }
    }

    @Test("deleting another user's device, by path or by list, deletes nothing of theirs")
    func otherUsersDevices() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let bob = try await bench.api.register("bob", deviceID: "BOB")
            try await bench.api.uploadKeys(bob, oneTimeKeys: 2)
            // only the auth sessions the interactive-auth flow opens may change (they are its state)
            let before = try bench.snapshot().excluding(["auth_sessions"])
            for (method, path, body) in [("DELETE", "devices/BOB", JSONObject()), ("POST", "delete_devices", ["devices": ["BOB"]])] {
                let challenge = try await bench.send(method, path, token: alice.token, json: body)
                var answer = body
                answer["auth"] = ["type": "m.login.password", "identifier": ["type": "m.id.user", "user": .string(alice.userID)],
                                  "password": .string(alice.password), "session": challenge.body["session"] ?? ""]
                let reply = try await bench.send(method, path, token: alice.token, json: answer)
                // 200 (the spec: deleting a device you do not have is not an error) or a 4xx
                #expect(reply.status == 200 || (400..<500).contains(reply.status), "\(method) \(path): \(reply.status)")
            }
            let after = try bench.snapshot().excluding(["auth_sessions"])
            #expect(after == before, "\(after.difference(from: before))")
            #expect(try await bench.send("GET", "account/whoami", token: bob.token).status == 200)
        }
    }

    @Test("/sync with bad since, timeout or filter: 400 or 404, and no queued message acknowledged")
    func badSync() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let bob = try await bench.api.register("bob", deviceID: "BOB")
            #expect(try await bench.send("PUT", "sendToDevice/m.test/s1", token: bob.token,
                                         json: ["messages": [alice.userID: ["DEV": ["n": 1]]]]).status == 200)
            let queries = ["since=garbage", "since=s-1", "since=%00", "since=s1%00", "since=" + String(repeating: "9", count: 40),
                           "timeout=-5", "timeout=abc", "timeout=99999999999999999999999", "timeout=1.5",
                           "filter=%7Bbad", "filter=%7B%22limit%22%3A1.5%7D", "filter=no-such-filter", "filter=%00"]
            for query in queries {
                try await bench.expectRefused("sync?\(query)", status: [400, 404],
                                              errcodes: ["M_INVALID_PARAM", "M_BAD_JSON", "M_NOT_JSON", "M_NOT_FOUND"], still: alice) {
                    try await bench.send("GET", "sync?" + query, token: alice.token)
                }
            }
            #expect(try await bench.api.sync(alice).toDeviceEvents.count == 1)
        }
    }

    @Test("a write whose body finishes after its device logged out is 401 and stores nothing (no ghost device)")
    func writeRacingLogout() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let bob = try await bench.api.register("bob", deviceID: "BOB")
            let slow = try await bench.api.login(alice, deviceID: "SLOW")
            let uploads: [(String, String, JSONObject)] = [
                ("POST", "keys/upload", ["device_keys": .object(slow.account.deviceKeys(userID: slow.userID, deviceID: slow.deviceID))]),
                ("PUT", "sendToDevice/m.test/ghost", ["messages": [bob.userID: ["BOB": ["from": "ghost"]]]]),
            ]
            let connections = try uploads.map { _ in try RawHTTP(port: bench.port) }
            var bodies: [[UInt8]] = []
            for (n, (method, path, json)) in uploads.enumerated() {
                let body = try CanonicalJSON.encode(.object(json))
                bodies.append(body)
                try await connections[n].send("\(method) /_matrix/client/v3/\(path) HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer \(slow.token)\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n")
                try await connections[n].send(Array(body.prefix(body.count / 2)))
            }
            try await Task.sleep(for: .milliseconds(200))  // the handlers are now waiting for the rest
            #expect(try await bench.api.call(.post, "logout", token: slow.token).status == .ok)
            let before = try bench.snapshot()
            for (n, body) in bodies.enumerated() {
                try await bench.expectRefused("\(uploads[n].1) finished after logout", status: [401], errcodes: ["M_UNKNOWN_TOKEN"], still: alice) {
                    try await connections[n].send(Array(body.dropFirst(body.count / 2)))
                    return try await connections[n].reply()
                }
            }
            let after = try bench.snapshot()
            #expect(after == before, "\(after.difference(from: before))")
            let query = try await bench.api.call(.post, "keys/query", token: bob.token, json: ["device_keys": [alice.userID: []]])
            #expect(query["device_keys"]?.objectValue?[alice.userID]?.objectValue?["SLOW"] == nil, "a ghost device is published")
            #expect(try await bench.api.sync(bob).toDeviceEvents.isEmpty, "a message was sent as a logged-out device")
        }
    }
}
