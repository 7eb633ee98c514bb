// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Testing

/// Identifiers are bytes (docs/SECURITY.md "Identifiers"), on every backend: NFC and NFD
/// spellings are different rows, and text holding NUL is refused on every write path.
@Suite("Byte-exact identifiers and NUL (every backend)", .storeCleanup)
struct ByteExactTests {
    typealias F = ConformanceFixture
    static let nfc = "@caf\u{E9}:hs", nfd = "@cafe\u{301}:hs"

    @Test("NFC and NFD user ids are two users with their own devices, tokens and keys", arguments: StoreBackend.allCases)
    func users(backend: StoreBackend) async throws {
        #expect(Self.nfc == Self.nfd)  // Swift's == calls them equal; the store must not
        let store = try await backend.make(devices: [])
        try await store.createUser(Self.nfc, passwordHash: "composed")
        try await store.createUser(Self.nfd, passwordHash: "decomposed")  // not userExists
        #expect(try await store.passwordHash(of: Self.nfc).map { [UInt8]($0.utf8) } == [UInt8]("composed".utf8))
        #expect(try await store.passwordHash(of: Self.nfd).map { [UInt8]($0.utf8) } == [UInt8]("decomposed".utf8))
        let composed = DeviceRef(userID: Self.nfc, deviceID: "D"), decomposed = DeviceRef(userID: Self.nfd, deviceID: "D")
        try await store.openDevice(composed, displayName: nil, tokenHash: "t-nfc")
        try await store.openDevice(decomposed, displayName: nil, tokenHash: "t-nfd")
        #expect(try await store.device(forTokenHash: "t-nfc").map { [$0.userID].bytes } == [Self.nfc].bytes)
        #expect(try await store.device(forTokenHash: "t-nfd").map { [$0.userID].bytes } == [Self.nfd].bytes)
        #expect(try await store.devices(of: Self.nfc).count == 1)
        #expect(try await store.devices(of: Self.nfd).count == 1)
        try await store.putDeviceKeys(composed, json: "k-nfc")
        #expect(try await store.deviceKeys([Self.nfd: []]) == [:])
        #expect(try await store.deviceKeys([Self.nfc: []])[Self.nfc] == ["D": "k-nfc"])
        try await store.addOneTimeKeys(decomposed, keys: [.test("A")])
        #expect(try await store.oneTimeKeyCounts(composed) == [:])
        #expect(try await store.oneTimeKeyCounts(decomposed) == ["signed_curve25519": 1])
        #expect(try await store.deleteDevice(decomposed))
        #expect(try await store.device(composed) != nil)
    }

    @Test("NFC and NFD device ids, algorithms and account-data types are distinct rows", arguments: StoreBackend.allCases)
    func otherIdentifiers(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        let composed = DeviceRef(userID: F.bob.userID, deviceID: "caf\u{E9}")
        let decomposed = DeviceRef(userID: F.bob.userID, deviceID: "cafe\u{301}")
        try await store.openDevice(composed, displayName: "c", tokenHash: "t-c")
        try await store.openDevice(decomposed, displayName: "d", tokenHash: "t-d")
        #expect(try await store.devices(of: F.bob.userID).count == 3)
        #expect(try await store.device(decomposed)?.displayName == "d")
        await #expect(throws: StoreError.deviceNotFound(DeviceRef(userID: F.bob.userID, deviceID: "CAF\u{C9}"))) {
            try await store.putDeviceKeys(DeviceRef(userID: F.bob.userID, deviceID: "CAF\u{C9}"), json: "x")
        }
        try await store.addOneTimeKeys(F.bob, keys: [.test("1", algorithm: "x.caf\u{E9}")])
        #expect(try await store.claim([ClaimRequest(device: F.bob, algorithm: "x.cafe\u{301}")]).isEmpty)
        #expect(try await store.claim([ClaimRequest(device: F.bob, algorithm: "x.caf\u{E9}")]).map(\.key.keyID) == ["1"])
        try await store.putAccountData(F.bob, type: "t.caf\u{E9}", contentJSON: "c", limits: .standard)
        try await store.putAccountData(F.bob, type: "t.cafe\u{301}", contentJSON: "d", limits: .standard)
        // ordered by bytes (COLLATE "C" on PostgreSQL): "e" 0x65 before "\u{E9}" 0xC3 0xA9
        #expect(try await store.accountData(of: F.bob.userID).map(\.type).bytes == ["t.cafe\u{301}", "t.caf\u{E9}"].bytes)
        #expect(try await store.accountData(of: F.bob.userID, type: "t.cafe\u{301}") == "d")
    }

    @Test("NUL is refused with invalidText on every write path, and nothing is stored", arguments: StoreBackend.allCases)
    func nulOnEveryWrite(backend: StoreBackend) async throws {
        let store = try await F.store(backend)
        let nulBob = DeviceRef(userID: F.bob.userID, deviceID: "BOB\u{0}x")
        let position = try await store.currentPosition()
        await F.expectInvalidText("createUser") { try await store.createUser("@d\u{0}n:hs", passwordHash: "h") }
        await F.expectInvalidText("password hash") { try await store.createUser("@dan:hs", passwordHash: "h\u{0}") }
        await F.expectInvalidText("openDevice id") { try await store.openDevice(nulBob, displayName: nil, tokenHash: "t") }
        await F.expectInvalidText("display name") { try await store.openDevice(F.bob, displayName: "n\u{0}", tokenHash: "t9") }
        await F.expectInvalidText("token") { try await store.openDevice(F.bob, displayName: nil, tokenHash: "t\u{0}") }
        await F.expectInvalidText("setDisplayName") { _ = try await store.setDisplayName(F.bob, to: "x\u{0}y") }
        await F.expectInvalidText("deleteDevice") { _ = try await store.deleteDevice(nulBob) }
        await F.expectInvalidText("auth session") {
            try await store.putAuthSession(AuthSession(id: "s\u{0}", purpose: "register", userID: nil, createdAt: 1))
        }
        await F.expectInvalidText("auth user id") {
            try await store.putAuthSession(AuthSession(id: "s", purpose: "register", userID: "@u\u{0}:hs", createdAt: 1))
        }
        await F.expectInvalidText("consume") { _ = try await store.consumeAuthSession("s\u{0}") }
        await F.expectInvalidText("device keys") { try await store.putDeviceKeys(F.bob, json: "{\u{0}}") }
        await F.expectInvalidText("one-time key") { try await store.addOneTimeKeys(F.bob, keys: [.test("A\u{0}")]) }
        await F.expectInvalidText("fallback key") { try await store.setFallbackKey(F.bob, key: .test("F", key: "k\u{0}")) }
        await F.expectInvalidText("claim") { _ = try await store.claim([ClaimRequest(device: F.bob, algorithm: "a\u{0}")]) }
        await F.expectInvalidText("deleteDeviceKeys") { try await store.deleteDeviceKeys(nulBob) }
        await F.expectInvalidText("txn id") { try await F.send(store, [F.message("m", to: F.bob)], txn: "t\u{0}") }
        await F.expectInvalidText("content") { try await F.send(store, [F.message("m\u{0}", to: F.bob)], txn: "t1") }
        await F.expectInvalidText("recipient") { try await F.send(store, [F.message("m", to: nulBob)], txn: "t2") }
        await F.expectInvalidText("acknowledge") { try await store.acknowledgeToDevice(nulBob, upTo: 1) }
        await F.expectInvalidText("follow") { _ = try await store.follow(F.alice, targets: ["@bob\u{0}:hs"], limit: 10) }
        await F.expectInvalidText("cross-signing key") { try await store.putCrossSigningKeys(by: F.bob, keys: [.master: "{\u{0}}"]) }
        await F.expectInvalidText("signature") {
            try await store.addSignatures(by: F.bob, [StoredSignature(signer: F.bob.userID, keyID: "ed25519:K\u{0}x",
                                                                      targetUser: F.bob.userID, targetID: "BOB", signature: "s")])
        }
        await F.expectInvalidText("account data type") {
            try await store.putAccountData(F.bob, type: "m.\u{0}", contentJSON: "{}", limits: .standard)
        }
        await F.expectInvalidText("account data content") {
            try await store.putAccountData(F.bob, type: "m.a", contentJSON: "{\u{0}}", limits: .standard)
        }
        await F.expectInvalidText("MSL identity") {
            _ = try await store.commitMSLToken(F.bob, identity: "b\u{0}", token: MSLTokenStamp(serialNumber: 1, sequenceNumber: 0,
                                                                                              expiration: 1), replacing: nil)
        }
        // nothing of it was stored, and no position was taken
        #expect(try await store.currentPosition() == position)
        #expect(try await store.passwordHash(of: "@dan:hs") == nil)
        #expect(try await store.devices(of: F.bob.userID).map(\.device) == [F.bob])
        #expect(try await store.device(F.bob)?.displayName == nil)
        #expect(try await store.device(forTokenHash: "t9") == nil)
        #expect(try await store.deviceKeys([F.bob.userID: []]) == [:])
        #expect(try await store.oneTimeKeyCounts(F.bob) == [:])
        #expect(try await store.unusedFallbackKeyTypes(F.bob) == [])
        #expect(try await F.inbox(store, of: F.bob).isEmpty)
        #expect(try await store.followers(of: F.bob.userID) == [])
        #expect(try await store.crossSigningKeys(of: [F.bob.userID]) == [:])
        #expect(try await store.signatures(on: [F.bob.userID]) == [])
        #expect(try await store.accountData(of: F.bob.userID) == [])
        #expect(try await store.mslLineage(of: F.bob)?.token == MSLTokenStamp.none)
        #expect(try await F.send(store, [F.message("m", to: F.bob)], txn: "t") == [F.bob.userID])  // "t\0" left no trace
    }
}
