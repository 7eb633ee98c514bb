// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshServer

/// `PUT /sendToDevice` under attack: identifiers, transaction ids per device, a logout racing
/// the request body, and the queue limits (docs/SECURITY.md "Writes" and "Limits").
@Suite("sendToDevice hardening")
struct ToDeviceHardeningTests {
    static func body(_ user: TestUser, _ content: JSONObject = ["n": 1]) -> JSONObject {
        ["messages": [user.userID: [user.deviceID: .object(content)]]]
    }

    @Test("event types, txn ids, user and device ids are identifiers: %00, spaces and non-ASCII are 400 and store nothing")
    func identifiers() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice")
            let bob = try await bench.api.register("bob")
            #expect(try await bench.send("PUT", "sendToDevice/m.test/a", token: alice.token, json: Self.body(bob)).status == 200)
            let message = try CanonicalJSON.encode(.object(Self.body(bob)))
            // "a%00" decoded is "a\0", which SQLite would have cut to "a": a collision, answered {} before
            for path in ["sendToDevice/m.test/a%00", "sendToDevice/m.test/a%00b", "sendToDevice/m.test%00/t2",
                         "sendToDevice/m.test%20x/t3", "sendToDevice/m.t%C3%A9st/t4", "sendToDevice/m.test/%E2%80%8B"] {
                try await bench.expectRefused(path, status: [400], errcodes: ["M_INVALID_PARAM"], still: alice) {
                    try await bench.send("PUT", path, token: alice.token, body: message)
                }
            }
            let badRecipients: [JSONObject] = [
                ["messages": ["@bob:localhost\u{0}x": [bob.deviceID: ["n": 2]]]],
                ["messages": [bob.userID: ["\(bob.deviceID)\u{0}x": ["n": 2]]]],
                ["messages": [bob.userID: ["DEVICE ID": ["n": 2]]]],
            ]
            for (n, messages) in badRecipients.enumerated() {
                try await bench.expectRefused("recipient \(n)", status: [400], errcodes: ["M_INVALID_PARAM"], still: alice) {
                    try await bench.send("PUT", "sendToDevice/m.test/r\(n)", token: alice.token, json: messages)
                }
            }
            // `*` is an identifier too: all of bob's devices
            let all: JSONObject = ["messages": [bob.userID: ["*": ["n": 3]]]]
            #expect(try await bench.send("PUT", "sendToDevice/m.test/star", token: alice.token, json: all).status == 200)
            let events = try await bench.api.sync(bob).toDeviceEvents
            #expect(events.map { $0["content"] } == [["n": 1], ["n": 3]])
        }
    }

    @Test("txn ids are decoded once: `%2541` is the id `%41`, not `A`, so the two never collide")
    func decodedOnce() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            for txn in ["A", "%2541", "%41"] {
                #expect(try await api.call(.put, "sendToDevice/m.test/\(txn)", token: alice.token, json: Self.body(bob)).status == .ok)
            }
            // "%41" decodes to "A": a retry; "%2541" is "%41": new
            #expect(try await api.sync(bob).toDeviceEvents.count == 2)
        }
    }

    @Test("a txn id is scoped per device: a re-login of the same device does not replay a send")
    func transactionPerDevice() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            #expect(try await api.call(.put, "sendToDevice/m.test/t1", token: alice.token, json: Self.body(bob)).status == .ok)
            let again = try await api.login(alice, deviceID: alice.deviceID)  // same device, new token
            #expect(again.token != alice.token)
            let replay = try await api.call(.put, "sendToDevice/m.test/t1", token: again.token, json: Self.body(bob))
            #expect(replay.status == .ok && replay.body == [:])
            #expect(try await api.sync(bob).toDeviceEvents.count == 1)
        }
    }

    @Test("a request whose body finishes after its device logged out is 401 M_UNKNOWN_TOKEN and sends nothing")
    func logoutInFlight() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice")
            let bob = try await bench.api.register("bob")
            let body = try CanonicalJSON.encode(.object(Self.body(bob)))
            let before = try bench.snapshot()
            let connection = try RawHTTP(port: bench.port)
            try await connection.send("PUT /_matrix/client/v3/sendToDevice/m.test/late HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer \(alice.token)\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.count)\r\n\r\n")
            try await connection.send(Array(body.prefix(5)))
            // the token is checked when the head arrives: give the handler that moment, then log out
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await bench.send("POST", "logout", token: alice.token, json: [:]).status == 200)
            try await connection.send(Array(body.dropFirst(5)))
            let reply = try await connection.reply()
            #expect(reply.status == 401 && reply.errcode == "M_UNKNOWN_TOKEN", "\(reply.status) \(reply.body)")
            // the logout removed alice's device; nothing was queued for bob
            let after = try bench.snapshot()
            #expect(after.rows("to_device_inbox") == before.rows("to_device_inbox"))
            #expect(after.rows("to_device_txns").isEmpty)
        }
    }

    @Test("a full recipient queue refuses the send with 413 and keeps what was queued; so does an oversized request")
    func queueLimits() async throws {
        try await AttackBench.run({ $0.maxQueuedToDevice = 2; $0.maxToDevicePerRequest = 2 }) { bench in
            let alice = try await bench.api.register("alice")
            let bob = try await bench.api.register("bob")
            let carol = try await bench.api.register("carol")
            for n in 1...2 {
                #expect(try await bench.send("PUT", "sendToDevice/m.test/\(n)", token: alice.token,
                                             json: Self.body(bob, ["n": .int(Int64(n))])).status == 200)
            }
            try await bench.expectRefused("third message", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                try await bench.send("PUT", "sendToDevice/m.test/3", token: alice.token, json: Self.body(bob, ["n": 3]))
            }
            let three: JSONObject = ["messages": [carol.userID: [carol.deviceID: [:], "*": [:]], bob.userID: ["*": [:]]]]
            try await bench.expectRefused("three recipients", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                try await bench.send("PUT", "sendToDevice/m.test/4", token: alice.token, json: three)
            }
            let big: JSONObject = ["messages": [carol.userID: [carol.deviceID: ["pad": .string(String(repeating: "x", count: 70_000))]]]]
            try await bench.expectRefused("content over 64 KiB", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                try await bench.send("PUT", "sendToDevice/m.test/5", token: alice.token, json: big)
            }
            let first = try await bench.api.sync(bob)
            #expect(first.toDeviceEvents.map { $0["content"] } == [["n": 1], ["n": 2]])
            // once bob has synced them away, the same txn id goes through (a refusal recorded nothing)
            _ = try await bench.api.sync(bob, since: first.nextBatch)
            #expect(try await bench.send("PUT", "sendToDevice/m.test/3", token: alice.token, json: Self.body(bob, ["n": 3])).status == 200)
        }
    }
}
