// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshStore
import KeyMeshStorePostgres
import KeyMeshStoreSQLite
import KeyMeshTestSupport
import Testing

/// `keymesh store copy`'s engine: a populated SQLite store copied into a fresh PostgreSQL
/// database reads back the same through every store protocol, continues where SQLite stopped,
/// copies nothing on a re-run, and refuses (writing nothing) a target holding other data
/// (docs/STORE.md "Moving from SQLite to PostgreSQL").
@Suite("store copy: SQLite into PostgreSQL", .storeCleanup)
struct StoreCopyTests {
    static let alice = DeviceRef(userID: "@alice:hs", deviceID: "ALICE1")
    static let bob = DeviceRef(userID: "@bob:hs", deviceID: "BOB1")
    static let bobPhone = DeviceRef(userID: "@bob:hs", deviceID: "BOB2")

    /// A SQLite store with a row in every table: users, devices with tokens, an auth session,
    /// device keys, one-time keys (one claimed), fallback keys (one used), cross-signing keys
    /// and a signature, account data, a queued to-device message and its transaction id,
    /// device-list changes (some pruned), a follow, an MSL lineage.
    static func populated() async throws -> SQLiteStore {
        let store = try SQLiteStore(path: StoreBackend.temporaryPath())
        try await store.createUser(alice.userID, passwordHash: "hash-alice")
        try await store.createUser(bob.userID, passwordHash: "hash-bob")
        try await store.openDevice(alice, displayName: "Alice's laptop", tokenHash: "token-alice")
        try await store.openDevice(bob, displayName: nil, tokenHash: "token-bob")
        try await store.openDevice(bobPhone, displayName: "phone", tokenHash: "token-bob-phone")
        try await store.putAuthSession(AuthSession(id: "uia-1", purpose: "register", userID: nil, createdAt: 1_700_000_000))
        for device in [alice, bob, bobPhone] {
            try await store.putDeviceKeys(device, json: #"{"device_id":"\#(device.deviceID)"}"#)
        }
        try await store.addOneTimeKeys(alice, keys: (0..<6).map { StoredKeyObject.test("k\($0)") })
        try await store.addOneTimeKeys(alice, keys: [StoredKeyObject.test("o1", algorithm: "other_algorithm")])
        try await store.setFallbackKey(alice, key: StoredKeyObject.test("fa"))
        try await store.setFallbackKey(bobPhone, key: StoredKeyObject.test("fb"))
        // k0 is claimed (remembered), bob's phone has only its fallback: it is used
        let first = try await store.claim([ClaimRequest(device: alice, algorithm: "signed_curve25519")])
        #expect(first.map(\.key.keyID) == ["k0"])
        let fallback = try await store.claim([ClaimRequest(device: bobPhone, algorithm: "signed_curve25519")])
        #expect(fallback.first?.isFallback == true)
        try await store.putCrossSigningKeys(by: alice, keys: [.master: #"{"usage":["master"]}"#,
                                                              .selfSigning: #"{"usage":["self_signing"]}"#])
        try await store.addSignatures(by: alice, [StoredSignature(signer: alice.userID, keyID: "ed25519:master",
                                                                  targetUser: alice.userID, targetID: alice.deviceID,
                                                                  signature: "sig-1")])
        try await store.putAccountData(alice, type: "m.test", contentJSON: #"{"a":1}"#, limits: .standard)
        _ = try await store.follow(bob, targets: [alice.userID], limit: 100)
        _ = try await store.sendToDevice([ToDeviceMessage(sender: alice.userID, recipient: bob, type: "m.unread",
                                                          contentJSON: #"{"n":1}"#)],
                                         transaction: ToDeviceTransaction(sender: alice, transactionID: "txn-1"),
                                         limits: .standard)
        _ = try await store.commitMSLToken(alice, identity: "alice-msl-identity",
                                           token: MSLTokenStamp(serialNumber: 7, sequenceNumber: 3, expiration: 2_000_000_000),
                                           replacing: nil)
        try await store.pruneDeviceListChanges(keep: 2)
        return store
    }

    /// A fresh PostgreSQL store (closed and dropped when the test ends).
    static func target() async throws -> PostgresStore {
        try await StoreBackend.postgres(try await StoreBackend.postgresDatabase())
    }

    @Test("every table copies, in pages, and counts match")
    func copiesEveryTable() async throws {
        let source = try await Self.populated()
        let target = try await Self.target()
        let report = try await target.importRows(from: source, pageSize: 2)
        #expect(report.committed, "\(report.problems)")
        #expect(report.problems.isEmpty)
        #expect(report.tables.map(\.table) == StoreTable.all.map(\.name))
        for line in report.tables {
            #expect(line.source == line.target, "\(line.table)")
            #expect(line.source > 0, "\(line.table) has no row: the fixture should fill every table")
            #expect(line.present == 0 && line.differing == 0, "\(line.table)")
        }
        #expect(report.count("one_time_keys")?.source == 6)  // k1…k5 and o1
        #expect(report.count("claimed_one_time_keys")?.target == 1)
        #expect(report.count("devices")?.copied == 3)
        let position = try await source.currentPosition()
        #expect(report.sourcePosition == position)
        #expect(report.targetPosition == position)
        #expect(try await target.currentPosition() == position)
    }

    @Test("read back through the store protocols, PostgreSQL answers as SQLite did")
    func readsBackTheSame() async throws {
        let source = try await Self.populated()
        let target = try await Self.target()
        #expect(try await target.importRows(from: source).committed)
        let stores: [any ServerStore] = [source, target]
        var answers: [[String]] = []
        for store in stores {
            var answer: [String] = []
            answer.append("\(try await store.passwordHash(of: Self.alice.userID) ?? "-")")
            answer.append("\(try await store.device(forTokenHash: "token-alice").map { "\($0.userID)|\($0.deviceID)" } ?? "-")")
            answer.append("\(try await store.device(forTokenHash: "token-bob-phone").map { "\($0.userID)|\($0.deviceID)" } ?? "-")")
            answer.append("\(try await store.devices(of: Self.bob.userID).map { "\($0.device.deviceID)=\($0.displayName ?? "nil")" }.sorted())")
            answer.append("\(try await store.authSession("uia-1").map { "\($0.purpose) \($0.createdAt)" } ?? "-")")
            answer.append("\(try await store.deviceKeys([Self.alice.userID: [], Self.bob.userID: []]).mapValues { $0.sorted { $0.key < $1.key } }.sorted { $0.key < $1.key })")
            answer.append("\(try await store.oneTimeKeyCounts(Self.alice).sorted { $0.key < $1.key })")
            answer.append("\(try await store.unusedFallbackKeyTypes(Self.alice)) \(try await store.unusedFallbackKeyTypes(Self.bobPhone))")
            let crossSigning = try await store.crossSigningKeys(of: [Self.alice.userID])[Self.alice.userID] ?? [:]
            answer.append("\(crossSigning.map { "\($0.key.rawValue)=\($0.value)" }.sorted())")
            answer.append("\(try await store.signatures(on: [Self.alice.userID]).map(\.signature))")
            answer.append("\(try await store.accountData(of: Self.alice.userID, type: "m.test") ?? "-")")
            answer.append("\(try await store.followers(of: Self.alice.userID))")
            let lineage = try await store.mslLineage(of: Self.alice)
            answer.append("\(lineage.map { "\($0.identity.count) \($0.token)" } ?? "-")")
            let batch = try await store.syncBatch(for: Self.bob, since: 0, limit: 100)
            answer.append("\(batch.toDevice.map { "\($0.position) \($0.type) \($0.contentJSON)" })")
            answer.append("\(try await store.currentPosition())")
            answers.append(answer)
        }
        #expect(answers[0] == answers[1])
        #expect(answers[1][1] == "@alice:hs|ALICE1")
        #expect(answers[1][13].contains("m.unread"))
        // a claimed id is remembered: uploading k0 again adds nothing on PostgreSQL either
        try await target.addOneTimeKeys(Self.alice, keys: [StoredKeyObject.test("k0")])
        #expect(try await target.oneTimeKeyCounts(Self.alice)["signed_curve25519"] == 5)
    }

    @Test("claims continue in upload order, a key uploaded after the copy comes last, positions go on above")
    func continuesWhereSQLiteStopped() async throws {
        let source = try await Self.populated()
        let target = try await Self.target()
        #expect(try await target.importRows(from: source).committed)
        let copiedPosition = try await target.currentPosition()
        try await target.addOneTimeKeys(Self.alice, keys: [StoredKeyObject.test("a-new-key")])
        var claimed: [String] = []
        for _ in 0..<7 {
            let keys = try await target.claim([ClaimRequest(device: Self.alice, algorithm: "signed_curve25519")])
            claimed += keys.map { $0.isFallback ? "fallback:\($0.key.keyID)" : $0.key.keyID }
        }
        #expect(claimed == ["k1", "k2", "k3", "k4", "k5", "a-new-key", "fallback:fa"])
        #expect(try await target.currentPosition() > copiedPosition)
        _ = try await target.sendToDevice([ToDeviceMessage(sender: Self.alice.userID, recipient: Self.bob, type: "m.after",
                                                           contentJSON: "{}")],
                                          transaction: ToDeviceTransaction(sender: Self.alice, transactionID: "txn-2"),
                                          limits: .standard)
        let batch = try await target.syncBatch(for: Self.bob, since: 0, limit: 100)
        #expect(batch.toDevice.map(\.type) == ["m.unread", "m.after"])
        #expect((batch.toDevice.last?.position ?? 0) > copiedPosition)
        // the copied transaction id is remembered: the same send again queues nothing
        let before = try await target.currentPosition()
        _ = try await target.sendToDevice([ToDeviceMessage(sender: Self.alice.userID, recipient: Self.bob, type: "m.unread",
                                                           contentJSON: #"{"n":1}"#)],
                                          transaction: ToDeviceTransaction(sender: Self.alice, transactionID: "txn-1"),
                                          limits: .standard)
        #expect(try await target.syncBatch(for: Self.bob, since: before, limit: 100).toDevice.isEmpty)
    }

    @Test("a second run copies nothing and verifies again")
    func rerunIsNoOp() async throws {
        let source = try await Self.populated()
        let target = try await Self.target()
        let first = try await target.importRows(from: source, pageSize: 3)
        let second = try await target.importRows(from: source, pageSize: 3)
        #expect(first.committed && second.committed, "\(second.problems)")
        #expect(second.tables.allSatisfy { $0.copied == 0 }, "\(second.tables.filter { $0.copied > 0 })")
        let rowTables = Set(StoreTable.all.filter { !$0.isSingleton }.map(\.name))
        #expect(second.tables.filter { rowTables.contains($0.table) }.allSatisfy { $0.present == $0.source })
        #expect(second.tables.map(\.target) == first.tables.map(\.target))
        #expect(second.targetPosition == first.targetPosition)
    }

    @Test("a target holding other values under a source key is refused and nothing is written")
    func differingRowRefused() async throws {
        let source = try await Self.populated()
        let target = try await Self.target()
        // the target already knows alice, with another password hash
        try await target.createUser(Self.alice.userID, passwordHash: "another-hash")
        let report = try await target.importRows(from: source)
        #expect(!report.committed)
        #expect(report.count("users")?.differing == 1)
        #expect(report.problems.contains { $0.contains("users") && $0.contains("other values") })
        // rolled back: the other rows of the page and every other table are not there
        #expect(try await target.passwordHash(of: Self.alice.userID) == "another-hash")
        #expect(try await target.passwordHash(of: Self.bob.userID) == nil)
        #expect(try await target.device(forTokenHash: "token-alice") == nil)
    }

    @Test("a target written to after the copy (a server ran on it) is refused on a re-run")
    func writtenTargetRefused() async throws {
        let source = try await Self.populated()
        let target = try await Self.target()
        #expect(try await target.importRows(from: source).committed)
        // a claim on PostgreSQL: a re-run must not bring the claimed key back
        _ = try await target.claim([ClaimRequest(device: Self.alice, algorithm: "signed_curve25519")])
        let report = try await target.importRows(from: source)
        #expect(!report.committed)
        #expect(report.count("claimed_one_time_keys").map { $0.target - $0.source } == 1)
        #expect(report.problems.contains { $0.contains("stream position") })
        #expect(try await target.oneTimeKeyCounts(Self.alice)["signed_curve25519"] == 4)
        // an extra row alone (no position taken) is refused too
        let fresh = try await Self.target()
        try await fresh.createUser("@carol:hs", passwordHash: "hash-carol")
        let extra = try await fresh.importRows(from: source)
        #expect(!extra.committed)
        #expect(extra.problems == ["1 rows of users are in the target but not in the source"])
    }

    @Test("the copy's table list is both schemas exactly; a page size outside the limits is refused")
    func schemasMatchTheTableList() async throws {
        let source = try await Self.populated()
        let target = try await Self.target()
        // both sides check their schema against StoreTable.all before copying a row
        #expect(try await target.importRows(from: source).committed)
        await #expect(throws: StoreCopyError.pageSize(0)) { try await target.importRows(from: source, pageSize: 0) }
        await #expect(throws: StoreCopyError.pageSize(StoreCopyLimits.maxPageSize + 1)) {
            try await source.exportRows(pageSize: StoreCopyLimits.maxPageSize + 1) { _, _ in }
        }
        var tables: [String] = []
        try await source.exportRows(pageSize: 4) { table, _ in if tables.last != table.name { tables.append(table.name) } }
        #expect(tables == StoreTable.all.map(\.name))
    }
}
