// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshStore
import Testing

@testable import KeyMeshStoreSQLite

/// The SQLite store's own guarantees: durable pragmas on every connection, no trap on rows an
/// older version stored. (Cross-signing writes bound to a live device, and NUL, are in the
/// every-backend suites: CrossSigningConformanceTests, ByteExactTests.)
@Suite("SQLite store hardening")
struct SQLiteHardeningTests {
    static let device = DeviceRef(userID: "@a:hs", deviceID: "D")

    @Test("every connection runs WAL with synchronous=FULL (2)")
    func pragmas() async throws {
        let store = try await StoreBackend.sqlite(path: StoreBackend.temporaryPath())
        #expect(try await store.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try await store.pool.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
        #expect(try await store.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
    }

    @Test("one-time keys stored by an older version under NFC/NFD twin names are counted and claimed without a trap")
    func twinRows() async throws {
        let store = try await StoreBackend.sqlite(path: StoreBackend.temporaryPath())
        try await store.pool.write { db in
            for (algorithm, id) in [("x.caf\u{e9}", "1"), ("x.cafe\u{301}", "2"), ("x.caf\u{e9}", "3")] {
                try db.execute(sql: """
                    INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, key_identity)
                    VALUES (?, ?, ?, ?, '{}', '{}')
                    """, arguments: [Self.device.userID, Self.device.deviceID, algorithm, id])
            }
        }
        // Swift sees one name; the counts are summed instead of trapping on a duplicate key
        #expect(try await store.oneTimeKeyCounts(Self.device) == ["x.caf\u{e9}": 3])
        let claimed = try await store.claim([ClaimRequest(device: Self.device, algorithm: "x.cafe\u{301}")])
        #expect(claimed.map(\.key.keyID) == ["2"])  // byte-exact in the store
        try await store.addOneTimeKeys(Self.device, keys: [.test("A")])
        #expect(try await store.oneTimeKeyCounts(Self.device)["signed_curve25519"] == 1)
    }
}
