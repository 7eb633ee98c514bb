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
        migrator.registerMigration("v2-accounts-events") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    user_id TEXT PRIMARY KEY NOT NULL, password_hash TEXT NOT NULL, created_ts INTEGER NOT NULL);
                CREATE TABLE devices (
                    user_id TEXT NOT NULL, device_id TEXT NOT NULL, display_name TEXT,
                    PRIMARY KEY (user_id, device_id));
                -- tokens are stored as SHA-256 hashes; a leaked database holds no usable token
                CREATE TABLE access_tokens (
                    token_hash TEXT PRIMARY KEY NOT NULL, user_id TEXT NOT NULL, device_id TEXT NOT NULL);
                CREATE INDEX access_tokens_device ON access_tokens (user_id, device_id);
                CREATE TABLE auth_sessions (
                    session_id TEXT PRIMARY KEY NOT NULL, purpose TEXT NOT NULL, user_id TEXT,
                    created_ts INTEGER NOT NULL);
                -- one row: the last stream position handed out (to-device and device-list events)
                CREATE TABLE stream_position (only INTEGER PRIMARY KEY CHECK (only = 0), position INTEGER NOT NULL);
                INSERT INTO stream_position (only, position) VALUES (0, 0);
                CREATE TABLE to_device_inbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, position INTEGER NOT NULL,
                    user_id TEXT NOT NULL, device_id TEXT NOT NULL,
                    sender TEXT NOT NULL, type TEXT NOT NULL, content_json TEXT NOT NULL);
                CREATE INDEX to_device_inbox_device ON to_device_inbox (user_id, device_id, position);
                CREATE TABLE to_device_transactions (
                    token_hash TEXT NOT NULL, txn_id TEXT NOT NULL, PRIMARY KEY (token_hash, txn_id));
                CREATE TABLE device_list_changes (
                    position INTEGER NOT NULL, user_id TEXT NOT NULL);
                CREATE INDEX device_list_changes_position ON device_list_changes (position);
                -- the last claim of each device's keys: a sync reports new key counts after it
                CREATE TABLE key_claim_positions (
                    user_id TEXT NOT NULL, device_id TEXT NOT NULL, position INTEGER NOT NULL,
                    PRIMARY KEY (user_id, device_id));
                -- who is told of whose device-list changes (docs/SERVER.md "Device lists")
                CREATE TABLE device_list_followers (
                    watcher TEXT NOT NULL, target TEXT NOT NULL, PRIMARY KEY (watcher, target));
                """)
        }
        migrator.registerMigration("v3-cross-signing") { db in
            try db.execute(sql: """
                CREATE TABLE cross_signing_keys (
                    user_id TEXT NOT NULL, usage TEXT NOT NULL, key_json TEXT NOT NULL,
                    PRIMARY KEY (user_id, usage));
                CREATE TABLE cross_signing_signatures (
                    signer TEXT NOT NULL, key_id TEXT NOT NULL, target_user TEXT NOT NULL, target_id TEXT NOT NULL,
                    signature TEXT NOT NULL,
                    PRIMARY KEY (target_user, target_id, signer, key_id));
                -- a change only its own user hears of (a user-signing key or signature)
                ALTER TABLE device_list_changes ADD COLUMN owner_only INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v4-events-hardening") { db in
            try db.execute(sql: """
                -- transaction ids are scoped per device, as the spec says, not per access token, so a
                -- re-login of the same device does not make a replayed sendToDevice new; seq keeps
                -- the newest ids of each device (StoreLimits.transactionIDsPerDevice)
                CREATE TABLE to_device_txns (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    user_id TEXT NOT NULL, device_id TEXT NOT NULL, txn_id TEXT NOT NULL,
                    UNIQUE (user_id, device_id, txn_id));
                CREATE INDEX to_device_txns_device ON to_device_txns (user_id, device_id, seq);
                INSERT OR IGNORE INTO to_device_txns (user_id, device_id, txn_id)
                    SELECT a.user_id, a.device_id, t.txn_id FROM to_device_transactions t JOIN access_tokens a USING (token_hash);
                DROP TABLE to_device_transactions;
                -- who follows a user: a device-list change wakes only them (docs/SERVER.md "/sync")
                CREATE INDEX device_list_followers_target ON device_list_followers (target);
                -- follows of ids nobody registered were recorded before; they can never matter
                DELETE FROM device_list_followers WHERE target NOT IN (SELECT user_id FROM users);
                -- device-list changes at or below this position were pruned (docs/STORE.md "Device-list history")
                CREATE TABLE device_list_horizon (only INTEGER PRIMARY KEY CHECK (only = 0), position INTEGER NOT NULL);
                INSERT INTO device_list_horizon (only, position) VALUES (0, 0);
                -- UIA sessions and admin nonces are swept by age as new ones arrive: an index seek, not a scan
                CREATE INDEX auth_sessions_created ON auth_sessions (created_ts);
                """)
        }
        migrator.registerMigration("v5-account-data") { db in
            // per-user account data, bounded per user (docs/SECURITY.md "Limits")
            try db.execute(sql: """
                CREATE TABLE account_data (
                    user_id TEXT NOT NULL, type TEXT NOT NULL, content_json TEXT NOT NULL,
                    PRIMARY KEY (user_id, type));
                """)
        }
        migrator.registerMigration("v6-account-data-stream") { db in
            // account data joins the one stream (docs/SERVER.md "/sync"): each write takes a position
            try db.execute(sql: """
                ALTER TABLE account_data ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX account_data_position ON account_data (user_id, position);
                -- data written before this migration gets one new position, so every client's next
                -- sync (initial or incremental) reports it once
                UPDATE stream_position SET position = position + 1 WHERE EXISTS (SELECT 1 FROM account_data);
                UPDATE account_data SET position = (SELECT position FROM stream_position);
                """)
        }
        migrator.registerMigration("v7-msl-lineages") { db in
            // the newest MSL master token of each device (docs/MSL.md §7, docs/STORE.md "MSL
            // lineages"); STRICT, so a read never meets a value of another type
            try db.execute(sql: """
                CREATE TABLE msl_lineages (
                    user_id TEXT NOT NULL, device_id TEXT NOT NULL, identity BLOB NOT NULL,
                    serial INTEGER NOT NULL, sequence INTEGER NOT NULL, expiration INTEGER NOT NULL,
                    PRIMARY KEY (user_id, device_id)) STRICT;
                """)
        }
        return migrator
    }
}
