// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshStore
import KeyMeshStoreSQLite
import Testing

/// `KeyStore.upload`: one transaction, bound to a live device, NUL refused, limits kept
/// (docs/STORE.md "Uploads"), on every backend.
@Suite("KeyStore upload: all or nothing, live devices only, NUL refused, bounded", .storeCleanup)
struct KeyStoreUploadTests {
    static let bob = DeviceRef(userID: "@bob:hs", deviceID: "BOBDEV")
    static let claim = ClaimRequest(device: bob, algorithm: "signed_curve25519")

    /// What a test compares before and after a refused write.
    static func snapshot(_ store: any KeyStore) async throws -> [String] {
        let keys = try await store.deviceKeys(["@bob:hs": []])
        let counts = try await store.oneTimeKeyCounts(bob)
        let fallback = try await store.unusedFallbackKeyTypes(bob)
        return ["\(keys)", "\(counts.sorted(by: { $0.key < $1.key }))", "\(fallback)"]
    }

    @Test("a refused upload (one-time key conflict found last) leaves device keys, fallback and one-time keys as they were",
          arguments: StoreBackend.allCases)
    func allOrNothing(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.upload(Self.bob, KeyUploadWrite(deviceKeys: "v1", fallbackKeys: [.test("FB1")], oneTimeKeys: [.test("A")]))
        let before = try await Self.snapshot(store)
        await #expect(throws: KeyStoreError.oneTimeKeyConflict("signed_curve25519:A")) {
            try await store.upload(Self.bob, KeyUploadWrite(deviceKeys: "v2", fallbackKeys: [.test("FB2")],
                                                            oneTimeKeys: [.test("B"), .test("A", key: "other")]))
        }
        #expect(try await Self.snapshot(store) == before)
        // the stored fallback key is still FB1, and only A is there to claim
        #expect(try await store.claim([Self.claim]).map(\.key.keyID) == ["A"])
        #expect(try await store.claim([Self.claim]).map(\.key.keyID) == ["FB1"])
    }

    @Test("a write for a deleted device is deviceNotFound and stores nothing", arguments: StoreBackend.allCases)
    func deletedDevice(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await StoreBackend.deleteDevice(Self.bob, from: store)
        await #expect(throws: StoreError.deviceNotFound(Self.bob)) {
            try await store.upload(Self.bob, KeyUploadWrite(deviceKeys: "ghost", fallbackKeys: [.test("FB")], oneTimeKeys: [.test("A")]))
        }
        #expect(try await store.deviceKeys(["@bob:hs": []]) == [:])
        #expect(try await store.oneTimeKeyCounts(Self.bob) == [:])
        #expect(try await store.unusedFallbackKeyTypes(Self.bob) == [])
        let unknown = DeviceRef(userID: "@bob:hs", deviceID: "NEVER")
        await #expect(throws: StoreError.deviceNotFound(unknown)) { try await store.putDeviceKeys(unknown, json: "x") }
    }

    @Test("text holding NUL is refused with invalidText before it reaches the store", arguments: StoreBackend.allCases)
    func nul(backend: StoreBackend) async throws {
        let store = try await backend.make()
        for write in [KeyUploadWrite(oneTimeKeys: [.test("A", algorithm: "signed_curve25519\u{0}x")]),
                      KeyUploadWrite(oneTimeKeys: [.test("A\u{0}B")]),
                      KeyUploadWrite(deviceKeys: "{\u{0}}"),
                      KeyUploadWrite(fallbackKeys: [.test("FB", key: "k\u{0}")])] {
            await #expect(throws: StoreError.self) { try await store.upload(Self.bob, write) }
        }
        let device = DeviceRef(userID: "@bob:hs", deviceID: "BOBDEV\u{0}x")
        await #expect(throws: StoreError.self) { try await store.addOneTimeKeys(device, keys: [.test("A")]) }
        #expect(try await store.oneTimeKeyCounts(Self.bob) == [:])
        #expect(try await store.deviceKeys(["@bob:hs": []]) == [:])
    }

    @Test("above the one-time key limit the oldest keys are pruned; claims still go oldest first",
          arguments: StoreBackend.allCases)
    func prune(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.upload(Self.bob, KeyUploadWrite(oneTimeKeys: (0..<4).map { .test("K\($0)") }, maxOneTimeKeys: 5))
        try await store.upload(Self.bob, KeyUploadWrite(oneTimeKeys: (4..<7).map { .test("K\($0)") }, maxOneTimeKeys: 5))
        #expect(try await store.oneTimeKeyCounts(Self.bob) == ["signed_curve25519": 5])
        #expect(try await store.claim([Self.claim]).map(\.key.keyID) == ["K2"])
    }

    @Test("more fallback keys than the limit is limitExceeded and stores nothing", arguments: StoreBackend.allCases)
    func fallbackLimit(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.upload(Self.bob, KeyUploadWrite(fallbackKeys: [.test("F1", algorithm: "a1")], maxFallbackKeys: 2))
        try await store.upload(Self.bob, KeyUploadWrite(fallbackKeys: [.test("F2", algorithm: "a2")], maxFallbackKeys: 2))
        await #expect(throws: StoreError.limitExceeded(what: "fallback keys per device", limit: 2)) {
            try await store.upload(Self.bob, KeyUploadWrite(fallbackKeys: [.test("F3", algorithm: "a3")], oneTimeKeys: [.test("A")],
                                                            maxFallbackKeys: 2))
        }
        #expect(try await store.unusedFallbackKeyTypes(Self.bob) == ["a1", "a2"])
        #expect(try await store.oneTimeKeyCounts(Self.bob) == [:])
    }

    @Test("an answer of more devices than the limit is limitExceeded", arguments: StoreBackend.allCases)
    func deviceKeysLimit(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.putDeviceKeys(Self.bob, json: "a")
        try await store.putDeviceKeys(DeviceRef(userID: "@bob:hs", deviceID: "PHONE"), json: "b")
        #expect(try await store.deviceKeys(["@bob:hs": []], limit: 2).count == 1)
        await #expect(throws: StoreError.limitExceeded(what: "devices in one answer", limit: 1)) {
            try await store.deviceKeys(["@bob:hs": []], limit: 1)
        }
    }

    @Test("an upload checked against device keys that changed since is deviceKeysChanged and stores nothing",
          arguments: StoreBackend.allCases)
    func precondition(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.putDeviceKeys(Self.bob, json: "v1")
        await #expect(throws: KeyStoreError.deviceKeysChanged) {
            try await store.upload(Self.bob, KeyUploadWrite(deviceKeys: "v2", oneTimeKeys: [.test("A")], precondition: .storedDeviceKeys(nil)))
        }
        #expect(try await store.deviceKeys(["@bob:hs": []]) == ["@bob:hs": ["BOBDEV": "v1"]])
        #expect(try await store.oneTimeKeyCounts(Self.bob) == [:])
        try await store.upload(Self.bob, KeyUploadWrite(deviceKeys: "v2", precondition: .storedDeviceKeys("v1")))
        #expect(try await store.deviceKeys(["@bob:hs": []]) == ["@bob:hs": ["BOBDEV": "v2"]])
    }
}

extension KeyStoreUploadTests {
    @Test("claimed ids above the limit are forgotten oldest first; the newest still block a reuse", arguments: StoreBackend.allCases)
    func claimedIDsBounded(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.addOneTimeKeys(Self.bob, keys: (0..<4).map { .test("C\($0)") })
        for _ in 0..<4 { _ = try await store.claim([Self.claim]) }
        try await store.upload(Self.bob, KeyUploadWrite(maxClaimedIDs: 2))
        // C0 and C1 were forgotten: their ids can be used again; C3 is remembered
        try await store.addOneTimeKeys(Self.bob, keys: [.test("C0", key: "new")])
        await #expect(throws: KeyStoreError.oneTimeKeyConflict("signed_curve25519:C3")) {
            try await store.addOneTimeKeys(Self.bob, keys: [.test("C3", key: "new")])
        }
    }
}
