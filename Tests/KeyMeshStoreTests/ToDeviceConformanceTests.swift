// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Testing

/// `EventStore`'s to-device half on every backend: positions, idempotent sends, `*`,
/// acknowledgements and sync batches (docs/STORE.md "The stream").
@Suite("EventStore to-device conformance (every backend)", .storeCleanup)
struct ToDeviceConformanceTests {
    typealias F = ConformanceFixture

    @Test("positions grow with every write; one request's messages share one position", arguments: StoreBackend.allCases)
    func positions(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        let start = try await store.currentPosition()
        #expect(start > 0)  // opening three devices were device-list changes
        try await F.send(store, [F.message("a", to: F.bob), F.message("a", to: F.carol)], txn: "t1")
        let first = try await store.currentPosition()
        #expect(first > start)
        let bobBatch = try await store.syncBatch(for: F.bob, since: 0, limit: 10)
        let carolBatch = try await store.syncBatch(for: F.carol, since: 0, limit: 10)
        #expect(bobBatch.toDevice.map(\.position) == [first])
        #expect(carolBatch.toDevice.map(\.position) == [first])
        #expect(bobBatch.toDevice.first == DeliveredMessage(position: first, sender: F.alice.userID, type: "m.test", contentJSON: "a"))
        try await store.putAccountData(F.bob, type: "m.x", contentJSON: "{}", limits: .standard)
        let second = try await store.currentPosition()
        #expect(second > first)
        try await F.send(store, [F.message("b", to: F.bob)], txn: "t2")
        let third = try await store.currentPosition()
        #expect(third > second)
        #expect(try await store.syncBatch(for: F.bob, since: 0, limit: 10).toDevice.map(\.position) == [first, third])
        // reads move nothing
        _ = try await store.syncBatch(for: F.bob, since: 0, limit: 10)
        #expect(try await store.currentPosition() == third)
    }

    @Test("a send is idempotent per sending device and txn id; unknown recipients are skipped", arguments: StoreBackend.allCases)
    func idempotent(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        let ghost = DeviceRef(userID: "@ghost:hs", deviceID: "G")
        let missing = DeviceRef(userID: F.bob.userID, deviceID: "NOPE")
        #expect(try await F.send(store, [F.message("1", to: F.bob), F.message("1", to: ghost), F.message("1", to: missing)],
                                 txn: "t") == [F.bob.userID])
        let position = try await store.currentPosition()
        #expect(try await F.send(store, [F.message("1", to: F.bob)], txn: "t").isEmpty)  // a retry
        #expect(try await F.send(store, [F.message("other", to: F.carol)], txn: "t").isEmpty)  // same key, other body: still a retry
        #expect(try await store.currentPosition() == position)
        #expect(try await F.inbox(store, of: F.carol).isEmpty)
        // the same txn id from another device (of another user) is another request
        #expect(try await F.send(store, [F.message("2", from: F.carol, to: F.bob)], txn: "t", from: F.carol) == [F.bob.userID])
        #expect(try await F.inbox(store, of: F.bob) == ["1", "2"])
        // only unknown recipients: nothing queued, nobody reported
        #expect(try await F.send(store, [F.message("3", to: ghost)], txn: "u").isEmpty)
        #expect(try await F.inbox(store, of: F.bob) == ["1", "2"])
    }

    @Test("`*` reaches every device of the user; a named device in the same request beats it", arguments: StoreBackend.allCases)
    func star(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        let laptop = DeviceRef(userID: F.bob.userID, deviceID: "LAPTOP")
        try await store.openDevice(laptop, displayName: nil, tokenHash: "token-LAPTOP")
        let all = DeviceRef(userID: F.bob.userID, deviceID: "*")
        #expect(try await F.send(store, [F.message("to all", to: all)], txn: "t1") == [F.bob.userID])
        #expect(try await F.inbox(store, of: F.bob) == ["to all"])
        #expect(try await F.inbox(store, of: laptop) == ["to all"])
        #expect(try await F.inbox(store, of: F.carol).isEmpty)
        // `*` first in the request, the named device second: the named message wins for LAPTOP
        #expect(try await F.send(store, [F.message("star", to: all), F.message("named", to: laptop)], txn: "t2") == [F.bob.userID])
        #expect(try await F.inbox(store, of: F.bob) == ["to all", "star"])
        #expect(try await F.inbox(store, of: laptop) == ["to all", "named"])
        // `*` for a user with no devices queues nothing
        #expect(try await F.send(store, [F.message("x", to: DeviceRef(userID: "@ghost:hs", deviceID: "*"))], txn: "t3").isEmpty)
    }

    @Test("acknowledging deletes the device's messages up to the position, not later ones or other devices'",
          arguments: StoreBackend.allCases)
    func acknowledge(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        var positions: [Int64] = []
        for n in 1...3 {
            try await F.send(store, [F.message("\(n)", to: F.bob), F.message("\(n)", to: F.carol)], txn: "t\(n)")
            positions.append(try await store.currentPosition())
        }
        try await store.acknowledgeToDevice(F.bob, upTo: positions[1])
        #expect(try await F.inbox(store, of: F.bob) == ["3"])
        #expect(try await F.inbox(store, of: F.carol) == ["1", "2", "3"])
        try await store.acknowledgeToDevice(F.bob, upTo: positions[0])  // an older ack: nothing more
        #expect(try await F.inbox(store, of: F.bob) == ["3"])
        try await store.acknowledgeToDevice(F.bob, upTo: try await store.currentPosition())
        #expect(try await F.inbox(store, of: F.bob).isEmpty)
        await #expect(throws: StoreError.deviceNotFound(DeviceRef(userID: F.bob.userID, deviceID: "NOPE"))) {
            try await store.acknowledgeToDevice(DeviceRef(userID: F.bob.userID, deviceID: "NOPE"), upTo: 100)
        }
    }

    @Test("syncBatch returns at most `limit` messages and ends just before the first one left out", arguments: StoreBackend.allCases)
    func batchLimit(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        var positions: [Int64] = []
        for n in 1...5 {
            try await F.send(store, [F.message("\(n)", to: F.bob)], txn: "t\(n)")
            positions.append(try await store.currentPosition())
        }
        let first = try await store.syncBatch(for: F.bob, since: 0, limit: 2)
        #expect(first.toDevice.map(\.contentJSON) == ["1", "2"])
        #expect(first.nextPosition == positions[2] - 1)
        let second = try await store.syncBatch(for: F.bob, since: first.nextPosition, limit: 2)
        #expect(second.toDevice.map(\.contentJSON) == ["3", "4"])
        #expect(second.nextPosition == positions[4] - 1)
        let last = try await store.syncBatch(for: F.bob, since: second.nextPosition, limit: 2)
        #expect(last.toDevice.map(\.contentJSON) == ["5"])
        #expect(last.nextPosition == positions[4])
        let idle = try await store.syncBatch(for: F.bob, since: last.nextPosition, limit: 2)
        #expect(idle.isEmpty)
        #expect(idle.nextPosition == positions[4])
        // a token from the future is kept, never moved back
        #expect(try await store.syncBatch(for: F.bob, since: positions[4] + 50, limit: 2).nextPosition == positions[4] + 50)
    }

    @Test("a claim of a device's key is reported once, in the batch that covers it", arguments: StoreBackend.allCases)
    func keysClaimed(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        try await store.addOneTimeKeys(F.bob, keys: [.test("K1")])
        let before = try await store.currentPosition()
        #expect(try await !store.syncBatch(for: F.bob, since: 0, limit: 10).keysClaimed)
        let request = ClaimRequest(device: F.bob, algorithm: "signed_curve25519")
        #expect(try await store.claim([request]).map(\.key.keyID) == ["K1"])
        let batch = try await store.syncBatch(for: F.bob, since: before, limit: 10)
        #expect(batch.keysClaimed)
        #expect(!batch.isEmpty)
        #expect(try await !store.syncBatch(for: F.carol, since: before, limit: 10).keysClaimed)
        #expect(try await !store.syncBatch(for: F.bob, since: batch.nextPosition, limit: 10).keysClaimed)
        // a claim that finds nothing is no event
        let now = try await store.currentPosition()
        #expect(try await store.claim([request]).isEmpty)
        #expect(try await store.currentPosition() == now)
    }
}
