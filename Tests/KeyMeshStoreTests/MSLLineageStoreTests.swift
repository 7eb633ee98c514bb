// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshStore
import KeyMeshStoreSQLite
import Testing

/// The MSL lineage table (docs/STORE.md "MSL lineages"): compare-and-set, one row per device,
/// bound to the device, identities byte-exact, NUL refused.
@Suite("MSL lineage store (every backend)", .storeCleanup)
struct MSLLineageStoreTests {
    static let device = DeviceRef(userID: "@alice:hs", deviceID: "ALICE")
    static let identity = "@alice:hs|ALICE"

    static func store(_ backend: StoreBackend) async throws -> any ServerStore {
        let store = try await backend.make(devices: [])
        try await store.createUser(device.userID, passwordHash: "hash")
        try await store.openDevice(device, displayName: nil, tokenHash: "token-alice")
        return store
    }

    static func stamp(_ serial: Int64, _ sequence: Int64, _ expiration: Int64 = 1000) -> MSLTokenStamp {
        MSLTokenStamp(serialNumber: serial, sequenceNumber: sequence, expiration: expiration)
    }

    @Test("a new token is recorded; a renewal replaces only the recorded token", arguments: StoreBackend.allCases)
    func compareAndSet(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        #expect(try await store.mslLineage(of: Self.device) == MSLStoredLineage(identity: [], token: .none))
        #expect(try await store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(7, 0), replacing: nil))
        #expect(try await store.mslLineage(of: Self.device)?.token == Self.stamp(7, 0))
        #expect(try await store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(7, 1),
                                               replacing: Self.stamp(7, 0)))
        // the old token again: refused, the record stays
        #expect(try await !store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(7, 2),
                                                replacing: Self.stamp(7, 0)))
        // same serial and sequence, another expiration: not the same token
        #expect(try await !store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(7, 2),
                                                replacing: Self.stamp(7, 1, 999)))
        #expect(try await store.mslLineage(of: Self.device)?.token == Self.stamp(7, 1))
        // a new token starts a new lineage: the old one can no longer be renewed
        #expect(try await store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(9, 0), replacing: nil))
        #expect(try await !store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(7, 2),
                                                replacing: Self.stamp(7, 1)))
        #expect(try await store.mslLineage(of: Self.device)?.token == Self.stamp(9, 0))
    }

    @Test("a renewal of a device with no record (an older store) is accepted and recorded (SQLite: rows removed by hand)")
    func noRecord() async throws {
        let path = StoreBackend.temporaryPath()
        let store = try SQLiteStore(path: path)
        try await store.createUser(Self.device.userID, passwordHash: "hash")
        try await store.openDevice(Self.device, displayName: nil, tokenHash: "token-alice")
        let other = try DatabaseQueue(path: path)
        try await other.write { try $0.execute(sql: "DELETE FROM msl_lineages") }
        try other.close()
        #expect(try await store.mslLineage(of: Self.device) == nil)
        #expect(try await store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(3, 6),
                                               replacing: Self.stamp(3, 5)))
        #expect(try await store.mslLineage(of: Self.device)?.token == Self.stamp(3, 6))
    }

    @Test("identities are compared as bytes: NFC and NFD are different identities", arguments: StoreBackend.allCases)
    func byteExact(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        let nfc = "@alice:hs|caf\u{E9}", nfd = "@alice:hs|cafe\u{301}"
        #expect(nfc == nfd)  // Swift's == would call them equal
        #expect(try await store.commitMSLToken(Self.device, identity: nfc, token: Self.stamp(1, 0), replacing: nil))
        #expect(try await store.mslLineage(of: Self.device)?.identity == Array(nfc.utf8))
        #expect(try await !store.commitMSLToken(Self.device, identity: nfd, token: Self.stamp(1, 1), replacing: Self.stamp(1, 0)))
        #expect(try await store.commitMSLToken(Self.device, identity: nfc, token: Self.stamp(1, 1), replacing: Self.stamp(1, 0)))
    }

    @Test("NUL is refused and a missing device stores nothing", arguments: StoreBackend.allCases)
    func refusals(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        await #expect(throws: StoreError.invalidText("MSL identity")) {
            try await store.commitMSLToken(Self.device, identity: "@alice:hs|A\u{0}B", token: Self.stamp(1, 0), replacing: nil)
        }
        let ghost = DeviceRef(userID: "@alice:hs", deviceID: "GONE")
        await #expect(throws: StoreError.deviceNotFound(ghost)) {
            try await store.commitMSLToken(ghost, identity: "@alice:hs|GONE", token: Self.stamp(1, 0), replacing: nil)
        }
        #expect(try await store.mslLineage(of: ghost) == nil)
        #expect(try await store.mslLineage(of: Self.device)?.token == MSLTokenStamp.none)
    }

    @Test("deleting the device deletes its row; the table holds one row per device", arguments: StoreBackend.allCases)
    func deletedWithDevice(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        for serial in Int64(1)...5 {
            #expect(try await store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(serial, 0), replacing: nil))
        }
        #expect(try await store.mslLineage(of: Self.device)?.token == Self.stamp(5, 0))
        #expect(try await store.deleteDevice(Self.device))
        #expect(try await store.mslLineage(of: Self.device) == nil)
    }

    @Test("a device id deleted and created again refuses the tokens of its earlier incarnation", arguments: StoreBackend.allCases)
    func recreatedDevice(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        #expect(try await store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(8, 3), replacing: nil))
        #expect(try await store.deleteDevice(Self.device))
        try await store.openDevice(Self.device, displayName: nil, tokenHash: "token-alice-again")
        #expect(try await !store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(8, 4),
                                                replacing: Self.stamp(8, 3)))
        #expect(try await store.mslLineage(of: Self.device)?.token == MSLTokenStamp.none)
        // logging in again to the live device keeps its record
        #expect(try await store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(9, 0), replacing: nil))
        try await store.openDevice(Self.device, displayName: nil, tokenHash: "token-alice-third")
        #expect(try await store.mslLineage(of: Self.device)?.token == Self.stamp(9, 0))
    }

    @Test("8 concurrent renewals of one token: exactly one succeeds", arguments: StoreBackend.allCases)
    func concurrentRenewals(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        #expect(try await store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(4, 0), replacing: nil))
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for n in Int64(1)...8 {
                group.addTask {
                    try await store.commitMSLToken(Self.device, identity: Self.identity, token: Self.stamp(4, 1, 1000 + n),
                                                   replacing: Self.stamp(4, 0))
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
        #expect(try await store.mslLineage(of: Self.device)?.token.sequenceNumber == 1)
    }
}
