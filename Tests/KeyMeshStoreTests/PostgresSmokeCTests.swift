// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshStore
import KeyMeshTestSupport
import Testing

/// The event, cross-signing and account-data parts give the same answers on every backend:
/// one script of writes and reads (limits, refusals, idempotency, ordering, positions) runs on
/// a fresh store of each, and the transcripts must be equal (docs/STORE.md).
@Suite("Event store parity across backends", .storeCleanup)
struct PostgresSmokeCTests {
    static let alice = DeviceRef(userID: "@alice:hs", deviceID: "ALICE")
    static let bob = DeviceRef(userID: "@bob:hs", deviceID: "BOB")
    static let phone = DeviceRef(userID: "@bob:hs", deviceID: "PHONE")

    /// Appends what `body` returned or threw.
    final class Transcript: @unchecked Sendable {
        var lines: [String] = []

        func record<T>(_ label: String, _ body: () async throws -> T) async {
            do {
                lines.append("\(label) -> \(try await body())")
            } catch {
                lines.append("\(label) !! \(error)")
            }
        }
    }

    static func message(_ content: String, to recipient: DeviceRef, type: String = "m.test") -> ToDeviceMessage {
        ToDeviceMessage(sender: alice.userID, recipient: recipient, type: type, contentJSON: content)
    }

    static func script(_ store: any ServerStore) async throws -> [String] {
        let t = Transcript()
        for user in ["@alice:hs", "@bob:hs", "@carol:hs"] { try await store.createUser(user, passwordHash: "h") }
        for device in [alice, bob, phone] { try await store.openDevice(device, displayName: nil, tokenHash: "tok-\(device.deviceID)") }
        let start = try await store.currentPosition()
        func send(_ messages: [ToDeviceMessage], _ txn: String, from sender: DeviceRef = alice, _ limits: StoreLimits = .standard) async {
            await t.record("send \(txn)") {
                try await store.sendToDevice(messages, transaction: ToDeviceTransaction(sender: sender, transactionID: txn),
                                             limits: limits).sorted()
            }
        }
        func sync(_ device: DeviceRef, _ since: Int64, _ limit: Int) async {
            await t.record("sync \(device.deviceID) \(since - start) \(limit)") {
                let b = try await store.syncBatch(for: device, since: since, limit: limit)
                return "\(b.toDevice.map { "\($0.position - start):\($0.sender):\($0.type):\($0.contentJSON)" }) "
                    + "\(b.changedUsers) \(b.keysClaimed) \(b.accountData.map { "\($0.type)=\($0.contentJSON)" }) \(b.nextPosition - start)"
            }
        }
        let everyBob = DeviceRef(userID: "@bob:hs", deviceID: "*")
        await send([message("1", to: bob)], "t1")
        await send([message("1", to: bob)], "t1")
        await send([message("2", to: everyBob), message("3", to: bob), message("4", to: DeviceRef(userID: "@nobody:hs", deviceID: "X"))], "t2")
        await send([message("5", to: DeviceRef(userID: "@bob:hs", deviceID: "GONE"))], "t3")
        await send([message("6\u{0}", to: bob)], "t4")
        await send([message("7", to: bob)], "t\u{0}5")
        await send([message("8", to: everyBob)], "t6", StoreLimits(toDevicePerRequest: 1))
        await send([message("9", to: phone), message("10", to: bob)], "t7", StoreLimits(queuedToDevicePerDevice: 2))
        await send([message("11", to: bob)], "t8", StoreLimits(queuedToDevicePerDevice: 3, transactionIDsPerDevice: 1))
        await send([message("12", to: bob)], "t1", StoreLimits(queuedToDevicePerDevice: 4))
        await send([], "t9")
        await send([message("13", to: bob)], "t9")
        for limit in [0, 1, 2, 100] { await sync(bob, start, limit) }
        await sync(phone, start, 100)
        await t.record("ack") { try await store.acknowledgeToDevice(bob, upTo: start + 3) }
        await sync(bob, start, 100)
        // device lists and follows
        await t.record("follow") { try await store.follow(alice, targets: ["@bob:hs", "@nobody:hs", "@alice:hs"], limit: 5) }
        await t.record("follow limit") { try await store.follow(alice, targets: ["@carol:hs"], limit: 1) }
        await t.record("follow again") { try await store.follow(alice, targets: ["@bob:hs"], limit: 1) }
        await t.record("followers") { try await store.followers(of: "@bob:hs") }
        let beforeLists = try await store.currentPosition()
        _ = try await store.setDisplayName(phone, to: "phone")
        await t.record("changes") { try await store.deviceListChanges(for: "@alice:hs", from: beforeLists, to: beforeLists + 1) }
        // cross-signing
        await t.record("xs put") { try await store.putCrossSigningKeys(by: bob, keys: [.master: "M", .selfSigning: "S", .userSigning: "U"]) }
        await t.record("xs put same") { try await store.putCrossSigningKeys(by: bob, keys: [.master: "M"]) }
        let afterSame = try await store.currentPosition()
        await t.record("xs put usk") { try await store.putCrossSigningKeys(by: bob, keys: [.userSigning: "U2"]) }
        await t.record("xs keys") { try await store.crossSigningKeys(of: ["@bob:hs", "@carol:hs"]).flatMap { user, keys in keys.map { "\(user) \($0.key)=\($0.value)" } }.sorted() }
        await t.record("xs nul") { try await store.putCrossSigningKeys(by: bob, keys: [.master: "M\u{0}"]) }
        await t.record("changes usk") { try await store.deviceListChanges(for: "@alice:hs", from: afterSame, to: afterSame + 1) }
        await t.record("changes usk own") { try await store.deviceListChanges(for: "@bob:hs", from: afterSame, to: afterSame + 1) }
        let signatures = [StoredSignature(signer: "@bob:hs", keyID: "ed25519:S", targetUser: "@bob:hs", targetID: "PHONE", signature: "s1"),
                          StoredSignature(signer: "@bob:hs", keyID: "ed25519:U2", targetUser: "@alice:hs", targetID: "AM", signature: "s2"),
                          StoredSignature(signer: "@bob:hs", keyID: "ed25519:S", targetUser: "@bob:hs", targetID: "BOB", signature: "s3")]
        let beforeSignatures = try await store.currentPosition()
        await t.record("sig add") { try await store.addSignatures(by: bob, signatures) }
        await t.record("sig add again") { try await store.addSignatures(by: bob, signatures) }
        await t.record("sig positions") { try await store.currentPosition() - beforeSignatures }
        await t.record("sigs") { try await store.signatures(on: ["@bob:hs", "@alice:hs", "@bob:hs"]).map { "\($0.signer) \($0.keyID) \($0.targetUser) \($0.targetID) \($0.signature)" } }
        // account data
        let limits = AccountDataLimits(contentBytes: 10, typesPerUser: 2)
        let beforeData = try await store.currentPosition()
        await t.record("ad put") { try await store.putAccountData(alice, type: "m.b", contentJSON: #"{"b":1}"#, limits: limits) }
        await t.record("ad put a") { try await store.putAccountData(alice, type: "m.a", contentJSON: #"{"a":1}"#, limits: limits) }
        await t.record("ad put c") { try await store.putAccountData(alice, type: "m.c", contentJSON: #"{"c":1}"#, limits: limits) }
        await t.record("ad put big") { try await store.putAccountData(alice, type: "m.a", contentJSON: #"{"a":"123456789"}"#, limits: limits) }
        await t.record("ad replace") { try await store.putAccountData(alice, type: "m.b", contentJSON: #"{"b":2}"#, limits: limits) }
        await t.record("ad get") { try await store.accountData(of: "@alice:hs", type: "m.b") ?? "nil" }
        await t.record("ad all") { try await store.accountData(of: "@alice:hs").map { "\($0.type)=\($0.contentJSON)" } }
        await sync(alice, beforeData + 2, 100)
        await sync(alice, 0, 100)
        // a deleted device writes nothing
        _ = try await store.deleteDevice(alice)
        await send([message("x", to: bob)], "t10")
        await t.record("ack gone") { try await store.acknowledgeToDevice(alice, upTo: 1) }
        await t.record("follow gone") { try await store.follow(alice, targets: ["@carol:hs"], limit: 9) }
        await t.record("ad gone") { try await store.putAccountData(alice, type: "m.z", contentJSON: "{}", limits: .standard) }
        await t.record("xs gone") { try await store.putCrossSigningKeys(by: alice, keys: [.master: "A"]) }
        await t.record("sig gone") { try await store.addSignatures(by: alice, signatures) }
        await t.record("position") { try await store.currentPosition() - start }
        // history pruning
        for n in 0..<40 { _ = try await store.setDisplayName(bob, to: "b\(n)") }
        let now = try await store.currentPosition()
        try await store.pruneDeviceListChanges(keep: 8)
        await t.record("pruned old") { try await store.deviceListChanges(for: "@bob:hs", from: start, to: now) }
        await t.record("pruned new") { try await store.deviceListChanges(for: "@bob:hs", from: now - 3, to: now) }
        return t.lines
    }

    @Test("the same script gives the same transcript on SQLite and PostgreSQL")
    func parity() async throws {
        var transcripts: [StoreBackend: [String]] = [:]
        for backend in StoreBackend.allCases {
            transcripts[backend] = try await Self.script(try await backend.make())
        }
        let sqlite = transcripts[.sqlite] ?? []
        #expect(sqlite.contains("send t1 -> [\"@bob:hs\"]"))
        #expect(sqlite.contains { $0.hasPrefix("send t4 !! invalidText") })
        guard let postgres = transcripts[.postgres] else { return }  // PostgreSQL skipped (PostgresAvailabilityTests says so)
        #expect(postgres.count == sqlite.count)
        for (lhs, rhs) in zip(sqlite, postgres) { #expect(lhs == rhs) }
    }
}
