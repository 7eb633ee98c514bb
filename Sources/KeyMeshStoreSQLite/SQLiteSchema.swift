// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import GRDB

/// The embedded store's schema, as GRDB migrations (applied in order, once each).
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-keys") { db in
            try db.execute(sql: """
                CREATE TABLE device_keys (
                    user_id TEXT NOT NULL, device_id TEXT NOT NULL, key_json TEXT NOT NULL,
                    PRIMARY KEY (user_id, device_id));
                -- seq gives upload order: claims take the lowest (synapse#17903)
                CREATE TABLE one_time_keys (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    user_id TEXT NOT NULL, device_id TEXT NOT NULL, algorithm TEXT NOT NULL,
                    key_id TEXT NOT NULL, key_json TEXT NOT NULL, key_identity TEXT NOT NULL,
                    UNIQUE (user_id, device_id, algorithm, key_id));
                -- an index seek per claim: cost stays flat as stored keys grow
                CREATE INDEX one_time_keys_claim ON one_time_keys (user_id, device_id, algorithm, seq);
                -- ids of claimed keys, so a re-upload after a lost response is not handed out twice
                CREATE TABLE claimed_one_time_keys (
                    user_id TEXT NOT NULL, device_id TEXT NOT NULL, algorithm TEXT NOT NULL,
                    key_id TEXT NOT NULL, key_identity TEXT NOT NULL,
                    PRIMARY KEY (user_id, device_id, algorithm, key_id));
                CREATE TABLE fallback_keys (
                    user_id TEXT NOT NULL, device_id TEXT NOT NULL, algorithm TEXT NOT NULL,
                    key_id TEXT NOT NULL, key_json TEXT NOT NULL, key_identity TEXT NOT NULL,
                    used INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (user_id, device_id, algorithm));
                """)
        }
        return migrator
    }
}
