// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshStore
import Testing

/// Every table a client can grow through the account and event parts has a bound
/// (docs/SECURITY.md "Limits", docs/STORE.md "Device-list history").
@Suite("EventStore limits (every backend)", .storeCleanup)
struct EventStoreLimitTests {
    typealias Fixture = EventStoreHardeningTests
    static let alice = Fixture.alice
    static let bob = Fixture.bob

    @Test("a device beyond the per-user limit is refused in the transaction; reopening a device is not a new one",
          arguments: StoreBackend.allCases)
    func devicesPerUser(backend: StoreBackend) async throws {
        let store = try await Fixture.store(backend)
        let second = DeviceRef(userID: Self.bob.userID, deviceID: "SECOND")
        try await store.openDevice(second, displayName: nil, tokenHash: "t2", maxDevices: 2)
        let third = DeviceRef(userID: Self.bob.userID, deviceID: "THIRD")
        await #expect(throws: StoreError.limitReached(what: "devices per user", limit: 2)) {
            try await store.openDevice(third, displayName: nil, tokenHash: "t3", maxDevices: 2)
        }
        #expect(try await store.devices(of: Self.bob.userID).map(\.device.deviceID) == ["BOB", "SECOND"])
        #expect(try await store.device(forTokenHash: "t3") == nil)  // no token either
        try await store.openDevice(second, displayName: nil, tokenHash: "t2b", maxDevices: 2)  // a re-login
        #expect(try await store.device(forTokenHash: "t2b") == second)
    }

    @Test("a send that would overfill a device's queue is refused whole; what was queued stays", arguments: StoreBackend.allCases)
    func queuedPerDevice(backend: StoreBackend) async throws {
        let store = try await Fixture.store(backend)
        let bobPhone = DeviceRef(userID: Self.bob.userID, deviceID: "PHONE")
        try await store.openDevice(bobPhone, displayName: nil, tokenHash: "phone")
        let limits = StoreLimits(queuedToDevicePerDevice: 2)
        _ = try await Fixture.send(store, [Fixture.message(1)], txn: "1", limits: limits)
        _ = try await Fixture.send(store, [Fixture.message(2)], txn: "2", limits: limits)
        let broadcast = ToDeviceMessage(sender: Self.alice.userID, recipient: DeviceRef(userID: Self.bob.userID, deviceID: "*"),
                                        type: "m.test", contentJSON: #"{"n":3}"#)
        await #expect(throws: StoreError.self) { try await Fixture.send(store, [broadcast], txn: "3", limits: limits) }
        #expect(try await Fixture.queued(store) == [#"{"n":1}"#, #"{"n":2}"#])
        #expect(try await Fixture.queued(store, for: bobPhone).isEmpty)  // one transaction: the phone got nothing
        // the refused txn id was not recorded: a retry after the device synced goes through
        try await store.acknowledgeToDevice(Self.bob, upTo: try await store.currentPosition())
        #expect(try await Fixture.send(store, [broadcast], txn: "3", limits: limits) == [Self.bob.userID])
    }

    @Test("messages per request are counted after `*` expands", arguments: StoreBackend.allCases)
    func perRequest(backend: StoreBackend) async throws {
        let store = try await Fixture.store(backend)
        try await store.openDevice(DeviceRef(userID: Self.bob.userID, deviceID: "PHONE"), displayName: nil, tokenHash: "phone")
        let all = ToDeviceMessage(sender: Self.alice.userID, recipient: DeviceRef(userID: Self.bob.userID, deviceID: "*"),
                                  type: "m.test", contentJSON: "{}")
        await #expect(throws: StoreError.limitExceeded(what: "to-device messages per request", limit: 1)) {
            try await Fixture.send(store, [all], txn: "1", limits: StoreLimits(toDevicePerRequest: 1))
        }
        #expect(try await Fixture.queued(store).isEmpty)
        #expect(try await Fixture.send(store, [all], txn: "1", limits: StoreLimits(toDevicePerRequest: 2)) == [Self.bob.userID])
    }

    @Test("follows record only registered users, and stop at the per-user limit", arguments: StoreBackend.allCases)
    func follows(backend: StoreBackend) async throws {
        let store = try await Fixture.store(backend)
        #expect(try await store.follow(Self.alice, targets: ["@invented:hs", Self.bob.userID], limit: 10) == [Self.bob.userID])
        #expect(try await store.followers(of: "@invented:hs").isEmpty)
        #expect(try await store.followers(of: Self.bob.userID) == [Self.alice.userID])
        try await store.createUser("@carol:hs", passwordHash: "hash")
        await #expect(throws: StoreError.limitReached(what: "followed users", limit: 1)) {
            _ = try await store.follow(Self.alice, targets: ["@carol:hs"], limit: 1)
        }
        #expect(try await store.followers(of: "@carol:hs").isEmpty)
        #expect(try await store.follow(Self.alice, targets: [Self.bob.userID], limit: 1) == [Self.bob.userID])  // already followed
    }

    @Test("pruned device-list history: a since before the horizon reports every followed user, later ones are exact",
          arguments: StoreBackend.allCases)
    func prunedHistory(backend: StoreBackend) async throws {
        let store = try await Fixture.store(backend)
        try await store.createUser("@carol:hs", passwordHash: "hash")
        _ = try await store.follow(Self.alice, targets: [Self.bob.userID, "@carol:hs"], limit: 10)
        let before = try await store.currentPosition()
        _ = try await store.setDisplayName(Self.bob, to: "b1")
        let middle = try await store.currentPosition()
        for n in 0..<20 { _ = try await store.setDisplayName(Self.alice, to: "a\(n)") }
        #expect(try await store.deviceListChanges(for: Self.alice.userID, from: before, to: middle) == [Self.bob.userID])
        try await store.pruneDeviceListChanges(keep: 4)
        let now = try await store.currentPosition()
        // bob's change was pruned: the answer may not miss it, so every followed user counts
        #expect(try await store.deviceListChanges(for: Self.alice.userID, from: before, to: now)
                == [Self.alice.userID, Self.bob.userID, "@carol:hs"])
        #expect(try await store.syncBatch(for: Self.alice, since: before, limit: 10).changedUsers
                == [Self.alice.userID, Self.bob.userID, "@carol:hs"])
        #expect(try await store.deviceListChanges(for: Self.alice.userID, from: now - 2, to: now) == [Self.alice.userID])
        _ = try await store.setDisplayName(Self.bob, to: "b2")
        #expect(try await store.deviceListChanges(for: Self.alice.userID, from: now, to: now + 1) == [Self.bob.userID])
    }
}

extension EventStoreLimitTests {
    @Test("logging in again and again to one device keeps only its newest 100 tokens", arguments: StoreBackend.allCases)
    func tokensPerDevice(backend: StoreBackend) async throws {
        let store = try await Fixture.store(backend)
        for n in 0..<105 { try await store.openDevice(Self.bob, displayName: nil, tokenHash: "again-\(n)") }
        #expect(try await store.device(forTokenHash: "token-BOB") == nil)
        #expect(try await store.device(forTokenHash: "again-4") == nil)
        #expect(try await store.device(forTokenHash: "again-5") == Self.bob)
        #expect(try await store.device(forTokenHash: "again-104") == Self.bob)
    }
}
