// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshStore

/// The embedded store (``KeyStore``, ``AccountStore`` and ``EventStore`` in one file): SQLite through GRDB's `DatabasePool` (WAL: readers never block the
/// writer). Every write runs in a `BEGIN IMMEDIATE` transaction and waits up to `busyTimeout`
/// for the write lock, so several server processes can share one database file and the
/// atomic-claim contract still holds across them.
public final class SQLiteStore: KeyStore {
    let pool: DatabasePool
    /// Every write goes through here: concurrent writes share transactions (``GroupCommit``).
    let commits: GroupCommit

    /// Reads in a snapshot on the calling thread. Reads are index lookups of microseconds, and
    /// GRDB's async read costs more than that in thread hops (the profile of `/keys/query` showed
    /// it), so the store reads synchronously; no read holds a connection across an `await`, so
    /// a waiting caller only ever waits for another caller's short synchronous read.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public init(path: String, busyTimeout: TimeInterval = 10) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        pool = try DatabasePool(path: path, configuration: configuration)
        try SQLiteSchema.migrator.migrate(pool)
        commits = GroupCommit(pool: pool)
    }

    public func putDeviceKeys(_ device: DeviceRef, json: String) async throws {
        try await commits.write { db in
            let current = try String.fetchOne(db.cachedStatement(sql: "SELECT key_json FROM device_keys WHERE user_id = ? AND device_id = ?"),
                                              arguments: [device.userID, device.deviceID])
            guard current != json else { return }
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO device_keys (user_id, device_id, key_json) VALUES (?, ?, ?)")
                .execute(arguments: [device.userID, device.deviceID, json])
            try Self.recordDeviceListChange(db, userID: device.userID)
        }
    }

    public func deviceKeys(_ devices: [String: [String]]) async throws -> [String: [String: String]] {
        try read { db in
            var out: [String: [String: String]] = [:]
            for (user, wanted) in devices {
                let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT device_id, key_json FROM device_keys WHERE user_id = ?"),
                                            arguments: [user])
                for row in rows {
                    let deviceID: String = row["device_id"]
                    if wanted.isEmpty || wanted.contains(deviceID) { out[user, default: [:]][deviceID] = row["key_json"] }
                }
            }
            return out
        }
    }

    public func addOneTimeKeys(_ device: DeviceRef, keys: [StoredKeyObject]) async throws {
        try await commits.write { db in
            for key in keys {
                let arguments: StatementArguments = [device.userID, device.deviceID, key.algorithm, key.keyID]
                let existing = try String.fetchOne(db.cachedStatement(sql: """
                    SELECT key_identity FROM one_time_keys WHERE user_id = ? AND device_id = ? AND algorithm = ? AND key_id = ?
                    UNION ALL
                    SELECT key_identity FROM claimed_one_time_keys
                    WHERE user_id = ? AND device_id = ? AND algorithm = ? AND key_id = ?
                    """), arguments: arguments + arguments)
                if let existing {
                    // same key again: a retry after a lost response (or of a claimed key): nothing to do
                    guard existing == key.identity else { throw KeyStoreError.oneTimeKeyConflict("\(key.algorithm):\(key.keyID)") }
                    continue
                }
                try db.cachedStatement(sql: """
                    INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, key_identity)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """).execute(arguments: arguments + [key.json, key.identity])
            }
        }
    }

    public func oneTimeKeyCounts(_ device: DeviceRef) async throws -> [String: Int] {
        try read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT algorithm, COUNT(*) AS n FROM one_time_keys WHERE user_id = ? AND device_id = ? GROUP BY algorithm
                """), arguments: [device.userID, device.deviceID])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["algorithm"], $0["n"]) })
        }
    }

    public func setFallbackKey(_ device: DeviceRef, key: StoredKeyObject) async throws {
        try await commits.write { db in
            let current = try String.fetchOne(db.cachedStatement(sql: """
                SELECT key_json FROM fallback_keys WHERE user_id = ? AND device_id = ? AND algorithm = ?
                """), arguments: [device.userID, device.deviceID, key.algorithm])
            if current == key.json { return }  // identical re-upload keeps `used` (synapse#11382)
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO fallback_keys (user_id, device_id, algorithm, key_id, key_json, key_identity, used)
                VALUES (?, ?, ?, ?, ?, ?, 0)
                """)
                    .execute(arguments: [device.userID, device.deviceID, key.algorithm, key.keyID, key.json, key.identity])
        }
    }

    public func unusedFallbackKeyTypes(_ device: DeviceRef) async throws -> [String] {
        try read { db in
            try String.fetchAll(db.cachedStatement(sql: """
                SELECT algorithm FROM fallback_keys WHERE user_id = ? AND device_id = ? AND used = 0 ORDER BY algorithm
                """), arguments: [device.userID, device.deviceID])
        }
    }

    public func claim(_ requests: [ClaimRequest]) async throws -> [ClaimedKey] {
        try await commits.write { db in
            let claimed = try Self.claimKeys(db, requests)
            // the claimed devices' key counts changed: their next sync reports it (EventStore)
            var position: Int64?
            for device in Set(claimed.map(\.device)) {
                let at = try position ?? Self.nextPosition(db)
                position = at
                try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO key_claim_positions (user_id, device_id, position) VALUES (?, ?, ?)
                    """).execute(arguments: [device.userID, device.deviceID, at])
            }
            return claimed
        }
    }

    private static func claimKeys(_ db: Database, _ requests: [ClaimRequest]) throws -> [ClaimedKey] {
            try requests.compactMap { request in
                let device = request.device
                let arguments: StatementArguments = [device.userID, device.deviceID, request.algorithm]
                // delete-and-return in one statement, inside the write transaction
                if let row = try Row.fetchOne(db.cachedStatement(sql: """
                    DELETE FROM one_time_keys WHERE seq = (
                        SELECT seq FROM one_time_keys WHERE user_id = ? AND device_id = ? AND algorithm = ? ORDER BY seq LIMIT 1)
                    RETURNING key_id, key_json, key_identity
                    """), arguments: arguments) {
                    let key = StoredKeyObject(algorithm: request.algorithm, keyID: row["key_id"],
                                              json: row["key_json"], identity: row["key_identity"])
                    try db.cachedStatement(sql: """
                        INSERT OR IGNORE INTO claimed_one_time_keys (user_id, device_id, algorithm, key_id, key_identity)
                        VALUES (?, ?, ?, ?, ?)
                        """).execute(arguments: arguments + [key.keyID, key.identity])
                    return ClaimedKey(device: device, key: key, isFallback: false)
                }
                guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                    UPDATE fallback_keys SET used = 1 WHERE user_id = ? AND device_id = ? AND algorithm = ?
                    RETURNING key_id, key_json, key_identity
                    """), arguments: arguments) else { return nil }
                return ClaimedKey(device: device, key: StoredKeyObject(algorithm: request.algorithm, keyID: row["key_id"],
                                                                       json: row["key_json"], identity: row["key_identity"]),
                                  isFallback: true)
            }
    }

    public func deleteDeviceKeys(_ device: DeviceRef) async throws {
        try await commits.write { db in try Self.deleteKeys(db, device: device) }
    }

    static func deleteKeys(_ db: Database, device: DeviceRef) throws {
        for table in ["device_keys", "one_time_keys", "claimed_one_time_keys", "fallback_keys", "key_claim_positions"] {
            try db.cachedStatement(sql: "DELETE FROM \(table) WHERE user_id = ? AND device_id = ?")
                .execute(arguments: [device.userID, device.deviceID])
        }
    }

    /// Hands out the next stream position; call inside a write transaction.
    static func nextPosition(_ db: Database) throws -> Int64 {
        guard let position = try Int64.fetchOne(db.cachedStatement(sql: "UPDATE stream_position SET position = position + 1 RETURNING position")) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "stream_position row missing")
        }
        return position
    }

    /// Appends `userID` to the device-list stream; call inside a write transaction.
    static func recordDeviceListChange(_ db: Database, userID: String, ownerOnly: Bool = false) throws {
        try db.cachedStatement(sql: "INSERT INTO device_list_changes (position, user_id, owner_only) VALUES (?, ?, ?)")
            .execute(arguments: [try nextPosition(db), userID, ownerOnly])
    }
}
