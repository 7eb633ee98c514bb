// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Testing

/// `AccountStore.deleteDevice` (everything of the device goes, atomically, and followers hear
/// of it) and user-interactive-auth sessions, on every backend.
@Suite("AccountStore deletion and auth sessions (every backend)", .storeCleanup)
struct AccountDeletionTests {
    typealias F = ConformanceFixture

    @Test("deleteDevice removes tokens, keys, queued messages, signatures and lineage of that device only, and is a device-list change",
          arguments: StoreBackend.allCases)
    func deleteDevice(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        let laptop = DeviceRef(userID: F.bob.userID, deviceID: "LAPTOP")
        try await store.openDevice(laptop, displayName: "laptop", tokenHash: "token-LAPTOP")
        try await store.openDevice(F.bob, displayName: nil, tokenHash: "token-BOB-2")
        for device in [F.bob, laptop] {
            try await store.upload(device, KeyUploadWrite(deviceKeys: "keys-\(device.deviceID)", fallbackKeys: [.test("FB")],
                                                          oneTimeKeys: [.test("K1"), .test("K2")]))
        }
        try await F.send(store, [F.message("m1", to: F.bob), F.message("m1", to: laptop)], txn: "t1")
        let signature = { (keyID: String, target: String) in
            StoredSignature(signer: F.bob.userID, keyID: keyID, targetUser: F.bob.userID, targetID: target, signature: "s")
        }
        // on the device, on the other device, by the device, by the other device (on the master key)
        try await store.addSignatures(by: laptop, [signature("ed25519:MASTER", "BOB"), signature("ed25519:MASTER", "LAPTOP"),
                                                   signature("ed25519:BOB", "MASTERPUB"), signature("ed25519:LAPTOP", "MASTERPUB")])
        #expect(try await store.commitMSLToken(F.bob, identity: "bob|BOB", token: MSLTokenStamp(serialNumber: 1, sequenceNumber: 0,
                                                                                                 expiration: 9), replacing: nil))
        _ = try await store.follow(F.alice, targets: [F.bob.userID], limit: 10)
        let before = try await store.currentPosition()

        #expect(try await store.deleteDevice(F.bob))

        #expect(try await store.device(forTokenHash: "token-BOB") == nil)
        #expect(try await store.device(forTokenHash: "token-BOB-2") == nil)
        #expect(try await store.device(F.bob) == nil)
        #expect(try await store.devices(of: F.bob.userID).map(\.device) == [laptop])
        #expect(try await store.deviceKeys([F.bob.userID: []]) == [F.bob.userID: ["LAPTOP": "keys-LAPTOP"]])
        #expect(try await store.oneTimeKeyCounts(F.bob) == [:])
        #expect(try await store.unusedFallbackKeyTypes(F.bob) == [])
        #expect(try await F.inbox(store, of: F.bob).isEmpty)
        let kept = try await store.signatures(on: [F.bob.userID])
        #expect(kept.map(\.targetID) == ["LAPTOP", "MASTERPUB"])
        #expect(kept.map(\.keyID) == ["ed25519:MASTER", "ed25519:LAPTOP"])
        #expect(try await store.mslLineage(of: F.bob) == nil)
        // the other device keeps everything
        #expect(try await store.device(forTokenHash: "token-LAPTOP") == laptop)
        #expect(try await store.oneTimeKeyCounts(laptop) == ["signed_curve25519": 2])
        #expect(try await store.unusedFallbackKeyTypes(laptop) == ["signed_curve25519"])
        #expect(try await F.inbox(store, of: laptop) == ["m1"])
        // the user and its follower hear of it; an unrelated user does not
        let after = try await store.currentPosition()
        #expect(after > before)
        #expect(try await store.deviceListChanges(for: F.alice.userID, from: before, to: after) == [F.bob.userID])
        #expect(try await store.deviceListChanges(for: F.bob.userID, from: before, to: after) == [F.bob.userID])
        #expect(try await store.deviceListChanges(for: F.carol.userID, from: before, to: after) == [])
        // a second delete finds nothing and records nothing
        #expect(try await !store.deleteDevice(F.bob))
        #expect(try await !store.deleteDevice(DeviceRef(userID: "@nobody:hs", deviceID: "X")))
        #expect(try await store.currentPosition() == after)
    }

    @Test("a device id opened again after deletion is a new device: no old token, keys or transaction ids",
          arguments: StoreBackend.allCases)
    func reopenedAfterDeletion(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        try await store.putDeviceKeys(F.alice, json: "old")
        #expect(try await F.send(store, [F.message("first", to: F.bob)], txn: "t1") == [F.bob.userID])
        #expect(try await store.deleteDevice(F.alice))
        try await store.openDevice(F.alice, displayName: nil, tokenHash: "token-ALICE-new")
        #expect(try await store.device(forTokenHash: "token-ALICE") == nil)
        #expect(try await store.device(forTokenHash: "token-ALICE-new") == F.alice)
        #expect(try await store.deviceKeys([F.alice.userID: []]) == [:])
        // txn id t1 belonged to the deleted device: the new one's t1 is a new request
        #expect(try await F.send(store, [F.message("second", to: F.bob)], txn: "t1") == [F.bob.userID])
        #expect(try await F.inbox(store, of: F.bob) == ["first", "second"])
    }

    @Test("auth sessions: stored, read back, replaced by id, consumed exactly once",
          arguments: StoreBackend.allCases)
    func authSessions(backend: StoreBackend) async throws {
        let store = try await backend.make(devices: [])
        let session = AuthSession(id: "S1", purpose: "register", userID: nil, createdAt: 1_000_000)
        try await store.putAuthSession(session)
        try await store.putAuthSession(AuthSession(id: "S2", purpose: "delete_device", userID: "@dan:hs", createdAt: 1_000_001))
        #expect(try await store.authSession("S1") == session)
        #expect(try await store.authSession("S2") == AuthSession(id: "S2", purpose: "delete_device", userID: "@dan:hs",
                                                                 createdAt: 1_000_001))
        #expect(try await store.authSession("s1") == nil)
        let replaced = AuthSession(id: "S1", purpose: "admin_register", userID: "@root:hs", createdAt: 1_000_002)
        try await store.putAuthSession(replaced)
        #expect(try await store.authSession("S1") == replaced)
        #expect(try await store.consumeAuthSession("S1"))
        #expect(try await !store.consumeAuthSession("S1"))
        #expect(try await store.authSession("S1") == nil)
        #expect(try await !store.consumeAuthSession("never"))
        #expect(try await store.authSession("S2") != nil)
    }

    @Test("auth sessions older than a day are swept when a newer one is stored",
          arguments: StoreBackend.allCases)
    func authSessionSweep(backend: StoreBackend) async throws {
        let store = try await backend.make(devices: [])
        try await store.putAuthSession(AuthSession(id: "old", purpose: "register", userID: nil, createdAt: 1_000_000))
        try await store.putAuthSession(AuthSession(id: "recent", purpose: "register", userID: nil, createdAt: 1_050_000))
        #expect(try await store.authSession("old") != nil)  // 50,000 s: less than a day
        try await store.putAuthSession(AuthSession(id: "new", purpose: "register", userID: nil, createdAt: 1_086_401))
        #expect(try await store.authSession("old") == nil)
        #expect(try await store.authSession("recent") != nil)
        #expect(try await store.authSession("new") != nil)
    }

    @Test("concurrent consumers of one session: exactly one wins", arguments: StoreBackend.allCases)
    func consumeRace(backend: StoreBackend) async throws {
        let store = try await backend.make(devices: [])
        try await store.putAuthSession(AuthSession(id: "race", purpose: "register", userID: nil, createdAt: 1))
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 { group.addTask { try await store.consumeAuthSession("race") } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
    }
}
