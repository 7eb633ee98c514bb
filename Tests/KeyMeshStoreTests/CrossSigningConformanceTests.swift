// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshStore
import Testing

/// `CrossSigningStore` and who hears of device-list changes, on every backend
/// (docs/CROSS-SIGNING.md, docs/SERVER.md "Device lists").
@Suite("CrossSigningStore and device-list conformance (every backend)", .storeCleanup)
struct CrossSigningConformanceTests {
    typealias F = ConformanceFixture

    /// alice follows bob; carol follows nobody.
    static func store(_ backend: StoreBackend) async throws -> any ServerStore {
        let store = try await F.store(backend)
        #expect(try await store.follow(F.alice, targets: [F.bob.userID], limit: 10) == [F.bob.userID])
        return store
    }

    @Test("keys are stored by usage and replaced; an identical put is no change", arguments: StoreBackend.allCases)
    func putReplace(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        try await store.putCrossSigningKeys(by: F.bob, keys: [.master: "m1", .selfSigning: "s1"])
        #expect(try await store.crossSigningKeys(of: [F.bob.userID, F.carol.userID]) == [F.bob.userID: [.master: "m1", .selfSigning: "s1"]])
        let start = try await store.currentPosition()
        try await store.putCrossSigningKeys(by: F.bob, keys: [.master: "m2"])
        #expect(try await store.crossSigningKeys(of: [F.bob.userID]) == [F.bob.userID: [.master: "m2", .selfSigning: "s1"]])
        let replaced = try await store.currentPosition()
        #expect(try await store.deviceListChanges(for: F.alice.userID, from: start, to: replaced) == [F.bob.userID])
        #expect(try await store.deviceListChanges(for: F.carol.userID, from: start, to: replaced) == [])
        try await store.putCrossSigningKeys(by: F.bob, keys: [.master: "m2", .selfSigning: "s1"])
        #expect(try await store.currentPosition() == replaced)
        #expect(try await store.crossSigningKeys(of: ["@nobody:hs"]) == [:])
    }

    @Test("a user-signing key change is told to its owner only", arguments: StoreBackend.allCases)
    func userSigningOwnerOnly(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        let start = try await store.currentPosition()
        try await store.putCrossSigningKeys(by: F.bob, keys: [.userSigning: "u1"])
        #expect(try await store.currentPosition() > start)
        #expect(try await F.changes(store, for: F.alice.userID, since: start) == [])
        #expect(try await F.changes(store, for: F.bob.userID, since: start) == [F.bob.userID])
        #expect(try await store.syncBatch(for: F.alice, since: start, limit: 10).changedUsers == [])
        #expect(try await store.syncBatch(for: F.bob, since: start, limit: 10).changedUsers == [F.bob.userID])
        // with a master key in the same put, the change is public
        let next = try await store.currentPosition()
        try await store.putCrossSigningKeys(by: F.bob, keys: [.userSigning: "u2", .master: "m1"])
        #expect(try await F.changes(store, for: F.alice.userID, since: next) == [F.bob.userID])
    }

    @Test("signatures are stored once per signer, key and target; self-signatures are public, others the signer's own news",
          arguments: StoreBackend.allCases)
    func signatures(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        _ = try await store.follow(F.carol, targets: [F.alice.userID], limit: 10)
        let own = StoredSignature(signer: F.bob.userID, keyID: "ed25519:SSK", targetUser: F.bob.userID, targetID: "BOB", signature: "s1")
        let start = try await store.currentPosition()
        try await store.addSignatures(by: F.bob, [own])
        let afterOwn = try await store.currentPosition()
        #expect(afterOwn > start)
        #expect(try await F.changes(store, for: F.alice.userID, since: start) == [F.bob.userID])
        // the same signer, key and target again (even with other bytes): skipped, no change
        try await store.addSignatures(by: F.bob, [own, StoredSignature(signer: F.bob.userID, keyID: "ed25519:SSK",
                                                                      targetUser: F.bob.userID, targetID: "BOB", signature: "s2")])
        #expect(try await store.currentPosition() == afterOwn)
        #expect(try await store.signatures(on: [F.bob.userID]) == [own])
        // bob signs alice's master key with his user-signing key: bob's own news, not alice's followers'
        let other = StoredSignature(signer: F.bob.userID, keyID: "ed25519:USK", targetUser: F.alice.userID, targetID: "AMASTER",
                                    signature: "u")
        try await store.addSignatures(by: F.bob, [other])
        #expect(try await F.changes(store, for: F.bob.userID, since: afterOwn) == [F.bob.userID])
        #expect(try await F.changes(store, for: F.alice.userID, since: afterOwn) == [])
        #expect(try await F.changes(store, for: F.carol.userID, since: afterOwn) == [])
        #expect(try await store.signatures(on: [F.alice.userID]) == [other])
        #expect(try await store.signatures(on: [F.carol.userID]) == [])
    }

    @Test("signatures come back ordered by target, signer, key id", arguments: StoreBackend.allCases)
    func signatureOrder(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        let make = { (signer: String, key: String, target: String) in
            StoredSignature(signer: signer, keyID: key, targetUser: F.bob.userID, targetID: target, signature: "\(signer)\(key)\(target)")
        }
        let all = [make("@bob:hs", "ed25519:B", "T2"), make("@alice:hs", "ed25519:A", "T2"), make("@bob:hs", "ed25519:A", "T2"),
                   make("@bob:hs", "ed25519:Z", "T1")]
        try await store.addSignatures(by: F.bob, all)
        #expect(try await store.signatures(on: [F.bob.userID]) == [all[3], all[1], all[2], all[0]])
    }

    @Test("cross-signing writes for a deleted device are deviceNotFound and store nothing", arguments: StoreBackend.allCases)
    func deletedDevice(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        #expect(try await store.deleteDevice(F.bob))
        let position = try await store.currentPosition()
        await #expect(throws: StoreError.deviceNotFound(F.bob)) { try await store.putCrossSigningKeys(by: F.bob, keys: [.master: "{}"]) }
        let signature = StoredSignature(signer: F.bob.userID, keyID: "ed25519:K", targetUser: F.bob.userID, targetID: "D", signature: "s")
        await #expect(throws: StoreError.deviceNotFound(F.bob)) { try await store.addSignatures(by: F.bob, [signature]) }
        #expect(try await store.crossSigningKeys(of: [F.bob.userID]) == [:])
        #expect(try await store.signatures(on: [F.bob.userID]) == [])
        #expect(try await store.currentPosition() == position)
    }
}
