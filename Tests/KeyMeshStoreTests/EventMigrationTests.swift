// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshStore
import Testing

@testable import KeyMeshStoreSQLite

/// `v4-events-hardening` on a database an older server wrote (docs/STORE.md "Migrations").
@Suite("v4-events-hardening migration")
struct EventMigrationTests {
    @Test("token-scoped txn ids become device-scoped; follows of ids nobody registered are dropped")
    func fromV3() async throws {
        let path = StoreBackend.temporaryPath()
        let old = try DatabaseQueue(path: path)
        try SQLiteSchema.migrator.migrate(old, upTo: "v3-cross-signing")
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO users (user_id, password_hash, created_ts) VALUES ('@alice:hs', 'h', 0), ('@bob:hs', 'h', 0);
                INSERT INTO devices (user_id, device_id) VALUES ('@alice:hs', 'A'), ('@bob:hs', 'B');
                INSERT INTO access_tokens (token_hash, user_id, device_id) VALUES ('tok', '@alice:hs', 'A');
                INSERT INTO to_device_transactions (token_hash, txn_id) VALUES ('tok', 't1');
                INSERT INTO device_list_followers (watcher, target) VALUES ('@alice:hs', '@bob:hs'), ('@alice:hs', '@ghost:hs');
                """)
        }
        try old.close()
        let store = try SQLiteStore(path: path)
        let alice = DeviceRef(userID: "@alice:hs", deviceID: "A")
        let bob = DeviceRef(userID: "@bob:hs", deviceID: "B")
        let message = ToDeviceMessage(sender: alice.userID, recipient: bob, type: "m.test", contentJSON: "{}")
        // t1 was used before the upgrade: still a retry, now from any token of device A
        #expect(try await store.sendToDevice([message], transaction: ToDeviceTransaction(sender: alice, transactionID: "t1"),
                                             limits: .standard).isEmpty)
        #expect(try await store.sendToDevice([message], transaction: ToDeviceTransaction(sender: alice, transactionID: "t2"),
                                             limits: .standard) == [bob.userID])
        #expect(try await store.followers(of: "@ghost:hs").isEmpty)
        #expect(try await store.followers(of: bob.userID) == [alice.userID])
    }
}
