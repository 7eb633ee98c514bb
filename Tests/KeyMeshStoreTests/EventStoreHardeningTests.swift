// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshStore
import Testing

/// The event and account parts of the store under attack, on every backend: writes bound to a
/// live device, transaction ids per device, NUL refused, and every per-user and per-device table
/// bounded (docs/SECURITY.md "Writes" and "Limits").
@Suite("EventStore hardening (every backend)", .storeCleanup)
struct EventStoreHardeningTests {
    static let alice = DeviceRef(userID: "@alice:hs", deviceID: "ALICE")
    static let bob = DeviceRef(userID: "@bob:hs", deviceID: "BOB")

    /// A fresh store with users alice and bob, one device each.
    static func store(_ backend: StoreBackend) async throws -> any ServerStore {
        let store = try await backend.make(devices: [])
        for device in [alice, bob] {
            try await store.createUser(device.userID, passwordHash: "hash")
            try await store.openDevice(device, displayName: nil, tokenHash: "token-\(device.deviceID)")
        }
        return store
    }

    static func message(_ n: Int, to recipient: DeviceRef = bob) -> ToDeviceMessage {
        ToDeviceMessage(sender: alice.userID, recipient: recipient, type: "m.test", contentJSON: #"{"n":\#(n)}"#)
    }

    static func send(_ store: any ServerStore, _ messages: [ToDeviceMessage], txn: String, from sender: DeviceRef = alice,
                     limits: StoreLimits = .standard) async throws -> Set<String> {
        try await store.sendToDevice(messages, transaction: ToDeviceTransaction(sender: sender, transactionID: txn), limits: limits)
    }

    static func queued(_ store: any ServerStore, for device: DeviceRef = bob) async throws -> [String] {
        try await store.syncBatch(for: device, since: 0, limit: 1000).toDevice.map(\.contentJSON)
    }

    @Test("a send from a device deleted before it commits is refused and queues nothing", arguments: StoreBackend.allCases)
    func sendFromDeletedDevice(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        #expect(try await store.deleteDevice(Self.alice))
        await #expect(throws: StoreError.deviceNotFound(Self.alice)) {
            try await Self.send(store, [Self.message(1)], txn: "t1")
        }
        #expect(try await Self.queued(store).isEmpty)
    }

    @Test("acknowledging and following for a deleted device are refused", arguments: StoreBackend.allCases)
    func otherWritesOfDeletedDevice(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        _ = try await Self.send(store, [Self.message(1)], txn: "t1")
        let position = try await store.currentPosition()
        #expect(try await store.deleteDevice(Self.alice))
        await #expect(throws: StoreError.deviceNotFound(Self.alice)) {
            try await store.acknowledgeToDevice(Self.alice, upTo: position)
        }
        await #expect(throws: StoreError.deviceNotFound(Self.alice)) {
            _ = try await store.follow(Self.alice, targets: [Self.bob.userID], limit: 10)
        }
        #expect(try await store.followers(of: Self.bob.userID).isEmpty)
    }

    @Test("a transaction id is scoped per device: a new token of the same device replays nothing", arguments: StoreBackend.allCases)
    func transactionPerDevice(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        #expect(try await Self.send(store, [Self.message(1)], txn: "t1") == [Self.bob.userID])
        // the same device logs in again (login with its device_id): a new access token
        try await store.openDevice(Self.alice, displayName: nil, tokenHash: "token-ALICE-2")
        #expect(try await Self.send(store, [Self.message(1)], txn: "t1").isEmpty)
        #expect(try await Self.queued(store) == [#"{"n":1}"#])
        // another device of the same user is another scope
        let laptop = DeviceRef(userID: Self.alice.userID, deviceID: "LAPTOP")
        try await store.openDevice(laptop, displayName: nil, tokenHash: "token-LAPTOP")
        #expect(try await Self.send(store, [Self.message(2)], txn: "t1", from: laptop) == [Self.bob.userID])
    }

    @Test("only the newest transaction ids of a device are remembered", arguments: StoreBackend.allCases)
    func transactionIDsBounded(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        let limits = StoreLimits(transactionIDsPerDevice: 2)
        for txn in ["a", "b", "c"] { _ = try await Self.send(store, [Self.message(0)], txn: txn, limits: limits) }
        #expect(try await Self.send(store, [Self.message(0)], txn: "c", limits: limits).isEmpty)  // kept
        #expect(try await Self.send(store, [Self.message(0)], txn: "a", limits: limits) == [Self.bob.userID])  // forgotten
    }

    @Test("text holding NUL is refused, not cut: ids, txn ids, types, names, sessions", arguments: StoreBackend.allCases)
    func nulRefused(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        await #expect(throws: StoreError.self) { try await Self.send(store, [Self.message(1)], txn: "t\u{0}1") }
        _ = try await Self.send(store, [Self.message(1)], txn: "t")
        // "t\0x" would have been bound as "t" and collided with it
        await #expect(throws: StoreError.self) { try await Self.send(store, [Self.message(2)], txn: "t\u{0}x") }
        let nulType = ToDeviceMessage(sender: Self.alice.userID, recipient: Self.bob, type: "m.test\u{0}x", contentJSON: "{}")
        await #expect(throws: StoreError.self) { try await Self.send(store, [nulType], txn: "t2") }
        let nulDevice = DeviceRef(userID: Self.bob.userID, deviceID: "BOB\u{0}x")
        await #expect(throws: StoreError.self) {
            try await store.openDevice(nulDevice, displayName: nil, tokenHash: "token-x")
        }
        await #expect(throws: StoreError.self) { _ = try await store.setDisplayName(Self.bob, to: "name\u{0}x") }
        await #expect(throws: StoreError.self) { _ = try await store.passwordHash(of: "@alice:hs\u{0}x") }
        await #expect(throws: StoreError.self) { try await store.createUser("@carol:hs\u{0}x", passwordHash: "hash") }
        await #expect(throws: StoreError.self) { _ = try await store.device(forTokenHash: "token-BOB\u{0}x") }
        #expect(try await store.devices(of: Self.bob.userID).map(\.device) == [Self.bob])
        #expect(try await store.passwordHash(of: "@carol:hs") == nil)
        #expect(try await Self.queued(store) == [#"{"n":1}"#])
    }
}
