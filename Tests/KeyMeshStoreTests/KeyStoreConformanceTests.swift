// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshStore
import KeyMeshStoreSQLite
import Testing

@Suite("KeyStore conformance (every backend)", .storeCleanup)
struct KeyStoreConformanceTests {
    static let bob = DeviceRef(userID: "@bob:hs", deviceID: "BOBDEV")
    static let bobPhone = DeviceRef(userID: "@bob:hs", deviceID: "PHONE")

    @Test("device keys: store, replace, query all or some, delete", arguments: StoreBackend.allCases)
    func deviceKeys(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.putDeviceKeys(Self.bob, json: "v1")
        try await store.putDeviceKeys(Self.bob, json: "v2")
        try await store.putDeviceKeys(Self.bobPhone, json: "phone")
        #expect(try await store.deviceKeys(["@bob:hs": []]) == ["@bob:hs": ["BOBDEV": "v2", "PHONE": "phone"]])
        #expect(try await store.deviceKeys(["@bob:hs": ["PHONE", "NOPE"], "@nobody:hs": []]) == ["@bob:hs": ["PHONE": "phone"]])
        try await store.deleteDeviceKeys(Self.bobPhone)
        #expect(try await store.deviceKeys(["@bob:hs": []]) == ["@bob:hs": ["BOBDEV": "v2"]])
    }

    @Test("one-time keys are claimed oldest first, in upload order, each exactly once", arguments: StoreBackend.allCases)
    func claimOrder(backend: StoreBackend) async throws {
        let store = try await backend.make()
        // ids deliberately out of lexical order: upload order wins (synapse#17903)
        try await store.addOneTimeKeys(Self.bob, keys: [.test("ZZZ"), .test("AAA")])
        try await store.addOneTimeKeys(Self.bob, keys: [.test("MMM")])
        #expect(try await store.oneTimeKeyCounts(Self.bob) == ["signed_curve25519": 3])
        let request = ClaimRequest(device: Self.bob, algorithm: "signed_curve25519")
        var order: [String] = []
        for _ in 0..<3 { order += try await store.claim([request]).map(\.key.keyID) }
        #expect(order == ["ZZZ", "AAA", "MMM"])
        #expect(try await store.claim([request]).isEmpty)  // no fallback key: nothing
        #expect(try await store.oneTimeKeyCounts(Self.bob) == [:])
    }

    @Test("re-uploading an id with another key is a conflict and stores nothing of that call", arguments: StoreBackend.allCases)
    func conflict(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.addOneTimeKeys(Self.bob, keys: [.test("A")])
        await #expect(throws: KeyStoreError.oneTimeKeyConflict("signed_curve25519:A")) {
            try await store.addOneTimeKeys(Self.bob, keys: [.test("B"), .test("A", key: "other")])
        }
        #expect(try await store.oneTimeKeyCounts(Self.bob) == ["signed_curve25519": 1])
        // the same key with a fresh signature is the same key: a no-op
        try await store.addOneTimeKeys(Self.bob, keys: [.test("A", signature: "resigned")])
        #expect(try await store.oneTimeKeyCounts(Self.bob) == ["signed_curve25519": 1])
    }

    @Test("a claimed key re-uploaded after a lost response is not handed out again", arguments: StoreBackend.allCases)
    func claimedStaysClaimed(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.addOneTimeKeys(Self.bob, keys: [.test("A")])
        _ = try await store.claim([ClaimRequest(device: Self.bob, algorithm: "signed_curve25519")])
        try await store.addOneTimeKeys(Self.bob, keys: [.test("A")])
        #expect(try await store.oneTimeKeyCounts(Self.bob) == [:])
        await #expect(throws: KeyStoreError.oneTimeKeyConflict("signed_curve25519:A")) {
            try await store.addOneTimeKeys(Self.bob, keys: [.test("A", key: "reused id")])
        }
    }

    @Test("the fallback key is handed out when one-time keys run out, kept, and marked used", arguments: StoreBackend.allCases)
    func fallback(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let request = ClaimRequest(device: Self.bob, algorithm: "signed_curve25519")
        try await store.addOneTimeKeys(Self.bob, keys: [.test("OTK")])
        try await store.setFallbackKey(Self.bob, key: .test("FB"))
        #expect(try await store.unusedFallbackKeyTypes(Self.bob) == ["signed_curve25519"])
        #expect(try await store.claim([request]).map(\.isFallback) == [false])
        for _ in 0..<2 {
            let claimed = try await store.claim([request])
            #expect(claimed.map(\.key.keyID) == ["FB"])
            #expect(claimed.map(\.isFallback) == [true])
        }
        #expect(try await store.unusedFallbackKeyTypes(Self.bob) == [])
        // an identical re-upload keeps "used" (synapse#11382); a new key resets it
        try await store.setFallbackKey(Self.bob, key: .test("FB"))
        #expect(try await store.unusedFallbackKeyTypes(Self.bob) == [])
        try await store.setFallbackKey(Self.bob, key: .test("FB2"))
        #expect(try await store.unusedFallbackKeyTypes(Self.bob) == ["signed_curve25519"])
        #expect(try await store.claim([request]).map(\.key.keyID) == ["FB2"])
    }

    @Test("500 concurrent claims against 50 keys: each key once, none lost, the rest get the fallback",
          arguments: StoreBackend.allCases)
    func concurrentClaims(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.addOneTimeKeys(Self.bob, keys: (0..<50).map { .test("K\($0)") })
        try await store.setFallbackKey(Self.bob, key: .test("FB"))
        let request = ClaimRequest(device: Self.bob, algorithm: "signed_curve25519")
        let claimed = try await withThrowingTaskGroup(of: [ClaimedKey].self) { group in
            for _ in 0..<500 { group.addTask { try await store.claim([request]) } }
            return try await group.reduce(into: [ClaimedKey]()) { $0 += $1 }
        }
        let oneTime = claimed.filter { !$0.isFallback }.map(\.key.keyID)
        #expect(oneTime.count == 50)
        #expect(Set(oneTime).count == 50)
        #expect(claimed.filter(\.isFallback).count == 450)
        #expect(try await store.oneTimeKeyCounts(Self.bob) == [:])
    }

    @Test("deleting a device removes its one-time and fallback keys only", arguments: StoreBackend.allCases)
    func deleteDevice(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.addOneTimeKeys(Self.bob, keys: [.test("A")])
        try await store.addOneTimeKeys(Self.bobPhone, keys: [.test("A")])
        try await store.setFallbackKey(Self.bob, key: .test("FB"))
        try await store.deleteDeviceKeys(Self.bob)
        #expect(try await store.oneTimeKeyCounts(Self.bob) == [:])
        #expect(try await store.unusedFallbackKeyTypes(Self.bob) == [])
        #expect(try await store.oneTimeKeyCounts(Self.bobPhone) == ["signed_curve25519": 1])
    }
}

/// What only the embedded store has: a file that outlives the process. Several stores on one
/// file are in SharedStoreTests.swift, beside their PostgreSQL twin.
@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test("data survives closing and reopening the database")
    func restart() async throws {
        let path = StoreBackend.temporaryPath()
        let device = DeviceRef(userID: "@a:hs", deviceID: "D")
        do {
            let store = try await StoreBackend.sqlite(path: path)
            try await store.putDeviceKeys(device, json: "keys")
            try await store.addOneTimeKeys(device, keys: [.test("A"), .test("B")])
            try await store.setFallbackKey(device, key: .test("FB"))
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.deviceKeys(["@a:hs": []]) == ["@a:hs": ["D": "keys"]])
        #expect(try await reopened.oneTimeKeyCounts(device) == ["signed_curve25519": 2])
        #expect(try await reopened.claim([ClaimRequest(device: device, algorithm: "signed_curve25519")]).map(\.key.keyID) == ["A"])
        #expect(try await reopened.unusedFallbackKeyTypes(device) == ["signed_curve25519"])
    }
}
