// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import GRDB

/// The client store's tables. Secret-bearing values (`sealed` columns, the account and
/// session pickles) are sealed with the app's store key before they reach SQLite; the rest
/// (device keys, the sync token, the tracker) is public data the server already holds.
enum ClientStoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-client") { db in
            // name → value: sealed ones (session, account, cross_signing) and plain ones
            try db.execute(sql: "CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL)")
            try db.execute(sql: """
                CREATE TABLE olm_sessions (
                    sender_key TEXT NOT NULL, session_id TEXT NOT NULL, pickle BLOB NOT NULL,
                    last_used INTEGER NOT NULL, PRIMARY KEY (sender_key, session_id))
                """)
            // the user's slice of a /keys/query answer, re-checked on every load
            try db.execute(sql: "CREATE TABLE user_keys (user_id TEXT PRIMARY KEY, query_json TEXT NOT NULL)")
            // decrypted messages not yet acknowledged by the app (sealed)
            try db.execute(sql: "CREATE TABLE inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, sealed BLOB NOT NULL)")
            // when we last repaired a wedged session with a device (by its Curve25519 key)
            try db.execute(sql: "CREATE TABLE recoveries (sender_key TEXT PRIMARY KEY, at INTEGER NOT NULL)")
        }
        return migrator
    }
}
