// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Testing

/// `AccountDataStore` on every backend: replace, limits, and its place in the sync stream
/// (docs/SERVER.md "Account data").
@Suite("AccountDataStore conformance (every backend)", .storeCleanup)
struct AccountDataConformanceTests {
    typealias F = ConformanceFixture

    @Test("account data is stored per user and type, replaced, and listed by type", arguments: StoreBackend.allCases)
    func replace(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        try await store.putAccountData(F.bob, type: "m.b", contentJSON: #"{"v":1}"#, limits: .standard)
        try await store.putAccountData(F.bob, type: "m.a", contentJSON: #"{"v":2}"#, limits: .standard)
        try await store.putAccountData(F.bob, type: "m.b", contentJSON: #"{"v":3}"#, limits: .standard)
        try await store.putAccountData(F.carol, type: "m.b", contentJSON: #"{"carol":true}"#, limits: .standard)
        #expect(try await store.accountData(of: F.bob.userID, type: "m.b") == #"{"v":3}"#)
        #expect(try await store.accountData(of: F.bob.userID, type: "m.c") == nil)
        #expect(try await store.accountData(of: F.bob.userID) == [AccountDataEntry(type: "m.a", contentJSON: #"{"v":2}"#),
                                                                  AccountDataEntry(type: "m.b", contentJSON: #"{"v":3}"#)])
        #expect(try await store.accountData(of: F.carol.userID) == [AccountDataEntry(type: "m.b", contentJSON: #"{"carol":true}"#)])
        #expect(try await store.accountData(of: F.alice.userID) == [])
    }

    @Test("content above the byte limit and types above the per-user limit are refused; replacing at the limit is allowed",
          arguments: StoreBackend.allCases)
    func limits(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        let limits = AccountDataLimits(contentBytes: 10, typesPerUser: 2)
        try await store.putAccountData(F.bob, type: "t1", contentJSON: "0123456789", limits: limits)  // exactly 10 bytes
        await #expect(throws: StoreError.limitExceeded(what: "bytes of account data per type", limit: 10)) {
            try await store.putAccountData(F.bob, type: "t1", contentJSON: "0123456789A", limits: limits)
        }
        // bytes, not characters: 4 × "é" is 8 bytes, 6 × is 12
        try await store.putAccountData(F.bob, type: "t2", contentJSON: "\u{E9}\u{E9}\u{E9}\u{E9}", limits: limits)
        await #expect(throws: StoreError.limitExceeded(what: "bytes of account data per type", limit: 10)) {
            try await store.putAccountData(F.bob, type: "t2", contentJSON: String(repeating: "\u{E9}", count: 6), limits: limits)
        }
        let position = try await store.currentPosition()
        await #expect(throws: StoreError.limitExceeded(what: "account data types per user", limit: 2)) {
            try await store.putAccountData(F.bob, type: "t3", contentJSON: "{}", limits: limits)
        }
        #expect(try await store.currentPosition() == position)
        #expect(try await store.accountData(of: F.bob.userID).map(\.type) == ["t1", "t2"])
        #expect(try await store.accountData(of: F.bob.userID, type: "t1") == "0123456789")
        try await store.putAccountData(F.bob, type: "t1", contentJSON: "new", limits: limits)  // replacing: allowed
        #expect(try await store.accountData(of: F.bob.userID, type: "t1") == "new")
        try await store.putAccountData(F.carol, type: "t3", contentJSON: "{}", limits: limits)  // another user's count
    }

    @Test("a write takes a stream position: an initial sync lists every type, an incremental one what changed",
          arguments: StoreBackend.allCases)
    func syncPosition(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        try await store.putAccountData(F.bob, type: "m.a", contentJSON: "a1", limits: .standard)
        try await store.putAccountData(F.bob, type: "m.b", contentJSON: "b1", limits: .standard)
        let middle = try await store.currentPosition()
        try await store.putAccountData(F.bob, type: "m.a", contentJSON: "a2", limits: .standard)
        try await store.putAccountData(F.bob, type: "m.a", contentJSON: "a3", limits: .standard)
        try await store.putAccountData(F.carol, type: "m.c", contentJSON: "c", limits: .standard)
        let initial = try await store.syncBatch(for: F.bob, since: 0, limit: 10)
        #expect(initial.accountData == [AccountDataEntry(type: "m.a", contentJSON: "a3"), AccountDataEntry(type: "m.b", contentJSON: "b1")])
        let incremental = try await store.syncBatch(for: F.bob, since: middle, limit: 10)
        #expect(incremental.accountData == [AccountDataEntry(type: "m.a", contentJSON: "a3")])  // latest content, once
        #expect(!incremental.isEmpty)
        #expect(incremental.nextPosition == (try await store.currentPosition()))
        #expect(try await store.syncBatch(for: F.bob, since: incremental.nextPosition, limit: 10).accountData == [])
        // the user's other devices see it; another user's data never shows
        let laptop = DeviceRef(userID: F.bob.userID, deviceID: "LAPTOP")
        try await store.openDevice(laptop, displayName: nil, tokenHash: "token-LAPTOP")
        #expect(try await store.syncBatch(for: laptop, since: middle, limit: 10).accountData.map(\.type) == ["m.a"])
        #expect(try await store.syncBatch(for: F.alice, since: 0, limit: 10).accountData == [])
    }

    @Test("account data of a deleted device is deviceNotFound and stores nothing", arguments: StoreBackend.allCases)
    func deletedDevice(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        #expect(try await store.deleteDevice(F.bob))
        await #expect(throws: StoreError.deviceNotFound(F.bob)) {
            try await store.putAccountData(F.bob, type: "m.a", contentJSON: "{}", limits: .standard)
        }
        #expect(try await store.accountData(of: F.bob.userID) == [])
    }
}
