// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshMatrixAPI
import Testing

@Suite("sendToDevice and /sync")
struct SyncRouteTests {
    @Test("a to-device message arrives once, stays until acknowledged by the next sync, and a txnId retry queues nothing")
    func toDeviceDelivery() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            let start = try #require(try await api.sync(bob).nextBatch)
            let body: JSONObject = ["messages": [bob.userID: [bob.deviceID: ["n": 1]]]]
            #expect(try await api.call(.put, "sendToDevice/m.test/t1", token: alice.token, json: body).body == [:])
            #expect(try await api.call(.put, "sendToDevice/m.test/t1", token: alice.token, json: body).body == [:])  // retry

            let first = try await api.sync(bob, since: start)
            #expect(first.toDeviceEvents == [["type": "m.test", "sender": .string(alice.userID), "content": ["n": 1]]])
            // not acknowledged yet: syncing from the same token delivers it again
            #expect(try await api.sync(bob, since: start).toDeviceEvents.count == 1)
            let next = try #require(first.nextBatch)
            #expect(next != start)
            let second = try await api.sync(bob, since: next)
            #expect(second.toDeviceEvents.isEmpty)
            #expect(second.nextBatch == next)  // nothing new: the token stays
            // acknowledged by syncing with `next`: the old token no longer brings it back
            #expect(try await api.sync(bob, since: start).toDeviceEvents.isEmpty)
            // the same txnId from another device (a new login) is another transaction
            let alice2 = try await api.login(alice)
            _ = try await api.call(.put, "sendToDevice/m.test/t1", token: alice2.token, json: body)
            #expect(try await api.sync(bob, since: next).toDeviceEvents.count == 1)
        }
    }

    @Test("`*` reaches every device of a user; a named device gets one copy; unknown and remote recipients are skipped")
    func broadcast() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob1 = try await api.register("bob")
            let bob2 = try await api.login(bob1)
            let body: JSONObject = ["messages": [
                bob1.userID: ["*": ["to": "all"], bob2.deviceID: ["to": "two"]],
                "@nobody:localhost": ["X": [:]], "@bob:remote.example": ["*": [:]],
            ]]
            #expect(try await api.call(.put, "sendToDevice/m.test/b1", token: alice.token, json: body).status == .ok)
            #expect(try await api.sync(bob1).toDeviceEvents.map { $0["content"] } == [["to": "all"]])
            #expect(try await api.sync(bob2).toDeviceEvents.map { $0["content"] } == [["to": "two"]])
        }
    }

    @Test("more than 100 queued messages come in batches of 100, in order")
    func batches() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            for n in 0..<150 {
                _ = try await api.call(.put, "sendToDevice/m.test/\(n)", token: alice.token,
                                       json: ["messages": [bob.userID: [bob.deviceID: ["n": .int(Int64(n))]]]])
            }
            let first = try await api.sync(bob)
            #expect(first.toDeviceEvents.count == 100)
            let second = try await api.sync(bob, since: first.nextBatch)
            let numbers = (first.toDeviceEvents + second.toDeviceEvents).compactMap { $0["content"]?.objectValue?["n"]?.intValue }
            #expect(numbers == (0..<150).map(Int64.init))
        }
    }

    @Test("device-list changes reach the user and those who queried them, not strangers; /keys/changes agrees")
    func deviceLists() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            let eve = try await api.register("eve")
            _ = try await api.call(.post, "keys/query", token: bob.token, json: ["device_keys": [alice.userID: []]])
            let bobSince = try #require(try await api.sync(bob).nextBatch)
            let eveSince = try #require(try await api.sync(eve).nextBatch)
            let aliceSince = try #require(try await api.sync(alice).nextBatch)
            try await api.uploadKeys(alice)
            #expect(try await api.sync(bob, since: bobSince).changedUsers == [alice.userID])
            #expect(try await api.sync(eve, since: eveSince).changedUsers == [])
            #expect(try await api.sync(alice, since: aliceSince).changedUsers == [alice.userID])
            let changes = try await api.call(.get, "keys/changes?from=\(bobSince)", token: bob.token)
            #expect(changes.body == ["changed": [.string(alice.userID)], "left": []])
            let initial = try await api.sync(bob)
            #expect(initial.changedUsers == [])  // initial syncs report no device lists
            for bad in ["keys/changes", "keys/changes?from=bogus", "keys/changes?from=s1&to=x"] {
                let reply = try await api.call(.get, bad, token: bob.token)
                #expect(reply.status == .badRequest, "\(bad)")
            }
            #expect(try await api.call(.get, "sync?since=nope", token: bob.token).errcode == "M_INVALID_PARAM")
            // a token from the future is refused, and acknowledges (deletes) nothing
            _ = try await api.call(.put, "sendToDevice/m.test/f", token: alice.token,
                                   json: ["messages": [bob.userID: [bob.deviceID: ["kept": true]]]])
            #expect(try await api.call(.get, "sync?since=s999999", token: bob.token).errcode == "M_INVALID_PARAM")
            #expect(try await api.sync(bob, since: bobSince).toDeviceEvents.count == 1)
            #expect(try await api.call(.get, "sync?timeout=-5", token: bob.token).errcode == "M_INVALID_PARAM")
        }
    }

    @Test("a long-poll waits, and wakes when a message arrives or one of the device's keys is claimed")
    func longPoll() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            try await api.uploadKeys(bob, oneTimeKeys: 2)
            let since = try #require(try await api.sync(bob).nextBatch)

            let clock = ContinuousClock()
            let idle = clock.now
            let empty = try await api.sync(bob, since: since, timeoutMs: 300)
            #expect(clock.now - idle >= .milliseconds(250))
            #expect(empty.nextBatch == since)

            async let woken = api.sync(bob, since: since, timeoutMs: 20_000)
            try await Task.sleep(for: .milliseconds(200))
            let sent = clock.now
            _ = try await api.call(.put, "sendToDevice/m.test/w", token: alice.token,
                                   json: ["messages": [bob.userID: [bob.deviceID: ["x": 1]]]])
            let reply = try await woken
            #expect(clock.now - sent < .seconds(10))
            #expect(reply.toDeviceEvents.count == 1)

            let afterMessage = try #require(reply.nextBatch)
            _ = try await api.sync(bob, since: afterMessage)
            async let counted = api.sync(bob, since: afterMessage, timeoutMs: 20_000)
            try await Task.sleep(for: .milliseconds(200))
            _ = try await api.claim(by: alice, [(bob.userID, bob.deviceID)])
            let countReply = try await counted
            #expect(countReply["device_one_time_keys_count"] == ["signed_curve25519": 1])
            #expect(countReply.nextBatch != afterMessage)
        }
    }
}
