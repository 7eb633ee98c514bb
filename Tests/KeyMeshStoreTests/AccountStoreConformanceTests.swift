// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Testing

/// `AccountStore` on every backend: users, devices, tokens, display names and deletion
/// (docs/STORE.md; the SQLite store is the reference).
@Suite("AccountStore conformance (every backend)", .storeCleanup)
struct AccountStoreConformanceTests {
    typealias F = ConformanceFixture

    @Test("a user id is registered once: the second createUser is userExists and keeps the first hash",
          arguments: StoreBackend.allCases)
    func createUserTwice(backend: StoreBackend) async throws {
        let store = try await backend.make(devices: [])
        try await store.createUser("@dan:hs", passwordHash: "first")
        await #expect(throws: AccountStoreError.userExists) { try await store.createUser("@dan:hs", passwordHash: "second") }
        #expect(try await store.passwordHash(of: "@dan:hs") == "first")
        #expect(try await store.passwordHash(of: "@nobody:hs") == nil)
        #expect(try await store.passwordHash(of: "@DAN:hs") == nil)  // ids are case-sensitive
    }

    @Test("openDevice creates the device once and issues every token; an unknown token is nil",
          arguments: StoreBackend.allCases)
    func openDeviceAndTokens(backend: StoreBackend) async throws {
        let store = try await backend.make(devices: [])
        let phone = DeviceRef(userID: "@dan:hs", deviceID: "PHONE")
        let before = try await store.currentPosition()
        try await store.openDevice(phone, displayName: "Dan's phone", tokenHash: "t1")
        let afterNew = try await store.currentPosition()
        #expect(afterNew > before)  // a new device is a device-list change
        #expect(try await store.deviceListChanges(for: "@dan:hs", from: before, to: afterNew) == ["@dan:hs"])
        // a re-login to the same device: a second token, the name and device list untouched
        try await store.openDevice(phone, displayName: "renamed?", tokenHash: "t2")
        #expect(try await store.currentPosition() == afterNew)
        #expect(try await store.device(forTokenHash: "t1") == phone)
        #expect(try await store.device(forTokenHash: "t2") == phone)
        #expect(try await store.device(forTokenHash: "t3") == nil)
        #expect(try await store.device(phone) == DeviceRecord(device: phone, displayName: "Dan's phone"))
        #expect(try await store.device(DeviceRef(userID: "@dan:hs", deviceID: "OTHER")) == nil)
        #expect(try await store.devices(of: "@dan:hs") == [DeviceRecord(device: phone, displayName: "Dan's phone")])
    }

    @Test("the device limit counts the user's devices only; at the limit a new device is refused with nothing written",
          arguments: StoreBackend.allCases)
    func maxDevices(backend: StoreBackend) async throws {
        let store = try await backend.make(devices: [])
        for id in ["A", "B"] {
            try await store.openDevice(DeviceRef(userID: "@dan:hs", deviceID: id), displayName: nil, tokenHash: id, maxDevices: 2)
        }
        try await store.openDevice(DeviceRef(userID: "@eve:hs", deviceID: "A"), displayName: nil, tokenHash: "eve", maxDevices: 1)
        let position = try await store.currentPosition()
        await #expect(throws: StoreError.limitReached(what: "devices per user", limit: 2)) {
            try await store.openDevice(DeviceRef(userID: "@dan:hs", deviceID: "C"), displayName: "c", tokenHash: "C", maxDevices: 2)
        }
        #expect(try await store.currentPosition() == position)  // no device-list change either
        #expect(try await store.device(forTokenHash: "C") == nil)
        #expect(try await store.devices(of: "@dan:hs").map(\.device.deviceID) == ["A", "B"])
        // a higher limit lets it in
        try await store.openDevice(DeviceRef(userID: "@dan:hs", deviceID: "C"), displayName: nil, tokenHash: "C", maxDevices: 3)
        #expect(try await store.devices(of: "@dan:hs").count == 3)
    }

    @Test("devices are ordered by id byte-wise (uppercase before lowercase); displayNames lists named devices only",
          arguments: StoreBackend.allCases)
    func ordering(backend: StoreBackend) async throws {
        let store = try await backend.make(devices: [])
        let names: [(String, String?)] = [("alpha", "a"), ("ZED", "z"), ("MID", nil), ("Alpha", "A"), ("_x", "x")]
        for (id, name) in names {
            try await store.openDevice(DeviceRef(userID: "@dan:hs", deviceID: id), displayName: name, tokenHash: "t-\(id)")
        }
        try await store.openDevice(DeviceRef(userID: "@eve:hs", deviceID: "E"), displayName: "eve's", tokenHash: "t-eve")
        try await store.openDevice(DeviceRef(userID: "@fay:hs", deviceID: "F"), displayName: nil, tokenHash: "t-fay")
        // byte order (COLLATE "C" on PostgreSQL): 'A' 0x41 < 'M' < 'Z' < '_' 0x5F < 'a' 0x61
        #expect(try await store.devices(of: "@dan:hs").map(\.device.deviceID) == ["Alpha", "MID", "ZED", "_x", "alpha"])
        #expect(try await store.devices(of: "@dan:hs").map(\.displayName) == ["A", nil, "z", "x", "a"])
        #expect(try await store.devices(of: "@nobody:hs") == [])
        let shown = try await store.displayNames(of: ["@dan:hs", "@eve:hs", "@fay:hs", "@nobody:hs"])
        #expect(shown == ["@dan:hs": ["alpha": "a", "ZED": "z", "Alpha": "A", "_x": "x"], "@eve:hs": ["E": "eve's"]])
        #expect(try await store.displayNames(of: []) == [:])
    }

    @Test("setDisplayName renames and clears, each a device-list change; an unknown device is false and changes nothing",
          arguments: StoreBackend.allCases)
    func setDisplayName(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        _ = try await store.follow(F.alice, targets: [F.bob.userID], limit: 10)
        let start = try await store.currentPosition()
        #expect(try await store.setDisplayName(F.bob, to: "Bob's laptop"))
        #expect(try await store.device(F.bob)?.displayName == "Bob's laptop")
        #expect(try await store.displayNames(of: [F.bob.userID]) == [F.bob.userID: [F.bob.deviceID: "Bob's laptop"]])
        let renamed = try await store.currentPosition()
        #expect(renamed > start)
        #expect(try await store.deviceListChanges(for: F.alice.userID, from: start, to: renamed) == [F.bob.userID])
        #expect(try await store.setDisplayName(F.bob, to: nil))
        #expect(try await store.device(F.bob) == DeviceRecord(device: F.bob, displayName: nil))
        #expect(try await store.displayNames(of: [F.bob.userID]) == [:])
        let cleared = try await store.currentPosition()
        #expect(cleared > renamed)
        #expect(try await !store.setDisplayName(DeviceRef(userID: F.bob.userID, deviceID: "GHOST"), to: "x"))
        #expect(try await !store.setDisplayName(DeviceRef(userID: "@nobody:hs", deviceID: "BOB"), to: "x"))
        #expect(try await store.currentPosition() == cleared)
        #expect(try await store.devices(of: F.bob.userID).map(\.device.deviceID) == [F.bob.deviceID])
    }
}
