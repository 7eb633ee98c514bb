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

    /// Opens (creating if needed) the database at `path` and applies pending migrations. Every
    /// connection runs in WAL mode with `synchronous=FULL`: a write acknowledged to a client
    /// survives a power cut, not only a crash (docs/STORE.md "Decisions").
    public init(path: String, busyTimeout: TimeInterval = 10) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            // GRDB's pool sets NORMAL for WAL; FULL also syncs the WAL at every commit
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        // the pool's writer sets NORMAL after `prepareDatabase`: set FULL again on it (the one
        // connection that writes, kept for the pool's lifetime)
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        // Processes opening a new database together race to migrate it: GRDB picks the pending
        // migrations before it waits for the write lock, so the loser fails on a table the
        // winner just created. Each migration is one transaction: trying again sees the
        // winner's work and goes on (at most once per migration).
        for attempt in 0... {
            do {
                try SQLiteSchema.migrator.migrate(pool)
                break
            } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR && attempt < 16 {
                continue
            }
        }
        commits = GroupCommit(pool: pool)
    }

    /// Statement arguments, refusing text that holds NUL (SQLite would cut it there; docs/SECURITY.md
    /// "Identifiers"). Every value this store binds goes through here.
    static func bind(_ values: (any DatabaseValueConvertible)?...) throws -> StatementArguments {
        for case let text as String in values { try StoredText.check(text) }
        return StatementArguments(values)
    }

    /// Refuses a write for a device that no longer exists; call inside the write transaction.
    static func requireDevice(_ db: Database, _ device: DeviceRef) throws {
        let exists = try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM devices WHERE user_id = ? AND device_id = ?"),
                                      arguments: bind(device.userID, device.deviceID))
        guard exists != nil else { throw StoreError.deviceNotFound(device) }
    }

    public func upload(_ device: DeviceRef, _ write: KeyUploadWrite) async throws {
        try await commits.write { db in
            try Self.requireDevice(db, device)
            let current = try String.fetchOne(db.cachedStatement(sql: "SELECT key_json FROM device_keys WHERE user_id = ? AND device_id = ?"),
                                              arguments: Self.bind(device.userID, device.deviceID))
            if case .storedDeviceKeys(let expected) = write.precondition, current != expected {
                throw KeyStoreError.deviceKeysChanged
            }
            if let json = write.deviceKeys, json != current {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO device_keys (user_id, device_id, key_json) VALUES (?, ?, ?)")
                    .execute(arguments: Self.bind(device.userID, device.deviceID, json))
                try Self.recordDeviceListChange(db, userID: device.userID)
            }
            try Self.setFallbackKeys(db, device, write.fallbackKeys, limit: write.maxFallbackKeys)
            try Self.addOneTimeKeys(db, device, write.oneTimeKeys)
            try Self.pruneOneTimeKeys(db, device, keep: write.maxOneTimeKeys)
            try Self.pruneClaimedIDs(db, device, keep: write.maxClaimedIDs)
        }
    }

    public func deviceKeys(_ devices: [String: [String]], limit: Int) async throws -> [String: [String: String]] {
        try read { db in
            var out: [String: [String: String]] = [:]
            var count = 0
            for (user, wanted) in devices {
                let wanted = Set(wanted)
                let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT device_id, key_json FROM device_keys WHERE user_id = ?"),
                                               arguments: Self.bind(user))
                while let row = try rows.next() {
                    let deviceID: String = row["device_id"]
                    guard wanted.isEmpty || wanted.contains(deviceID) else { continue }
                    count += 1
                    guard count <= limit else { throw StoreError.limitExceeded(what: "devices in one answer", limit: limit) }
                    out[user, default: [:]][deviceID] = row["key_json"]
                }
            }
            return out
        }
    }

    private static func addOneTimeKeys(_ db: Database, _ device: DeviceRef, _ keys: [StoredKeyObject]) throws {
        for key in keys {
            let arguments = try bind(device.userID, device.deviceID, key.algorithm, key.keyID)
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
                """).execute(arguments: arguments + bind(key.json, key.identity))
        }
    }

    /// Deletes the device's oldest unclaimed one-time keys above `keep` (docs/SECURITY.md "Limits").
    private static func pruneOneTimeKeys(_ db: Database, _ device: DeviceRef, keep: Int) throws {
        guard keep < Int.max else { return }
        let arguments = try bind(device.userID, device.deviceID)
        let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM one_time_keys WHERE user_id = ? AND device_id = ?"),
                                     arguments: arguments) ?? 0
        guard count > keep else { return }
        try db.cachedStatement(sql: """
            DELETE FROM one_time_keys WHERE seq IN (
                SELECT seq FROM one_time_keys WHERE user_id = ? AND device_id = ? ORDER BY seq LIMIT ?)
            """).execute(arguments: arguments + [count - keep])
    }

    /// Forgets the device's oldest remembered claimed ids above `keep` (rowid order is claim order).
    private static func pruneClaimedIDs(_ db: Database, _ device: DeviceRef, keep: Int) throws {
        guard keep < Int.max else { return }
        let arguments = try bind(device.userID, device.deviceID)
        let count = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM claimed_one_time_keys WHERE user_id = ? AND device_id = ?
            """), arguments: arguments) ?? 0
        guard count > keep else { return }
        try db.cachedStatement(sql: """
            DELETE FROM claimed_one_time_keys WHERE rowid IN (
                SELECT rowid FROM claimed_one_time_keys WHERE user_id = ? AND device_id = ? ORDER BY rowid LIMIT ?)
            """).execute(arguments: arguments + [count - keep])
    }

    public func oneTimeKeyCounts(_ device: DeviceRef) async throws -> [String: Int] {
        try read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT algorithm, COUNT(*) AS n FROM one_time_keys WHERE user_id = ? AND device_id = ? GROUP BY algorithm
                """), arguments: Self.bind(device.userID, device.deviceID))
            // rows are grouped by bytes; names equal as Swift strings (NFC/NFD, stored by an older
            // version) are summed, never a trap (docs/SECURITY.md "Identifiers")
            return Dictionary(rows.map { ($0["algorithm"], $0["n"]) }, uniquingKeysWith: +)
        }
    }

    private static func setFallbackKeys(_ db: Database, _ device: DeviceRef, _ keys: [StoredKeyObject], limit: Int) throws {
        guard !keys.isEmpty else { return }
        for key in keys {
            let current = try String.fetchOne(db.cachedStatement(sql: """
                SELECT key_json FROM fallback_keys WHERE user_id = ? AND device_id = ? AND algorithm = ?
                """), arguments: bind(device.userID, device.deviceID, key.algorithm))
            if current == key.json { continue }  // identical re-upload keeps `used` (synapse#11382)
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO fallback_keys (user_id, device_id, algorithm, key_id, key_json, key_identity, used)
                VALUES (?, ?, ?, ?, ?, ?, 0)
                """).execute(arguments: bind(device.userID, device.deviceID, key.algorithm, key.keyID, key.json, key.identity))
        }
        let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM fallback_keys WHERE user_id = ? AND device_id = ?"),
                                     arguments: bind(device.userID, device.deviceID)) ?? 0
        if count > limit { throw StoreError.limitExceeded(what: "fallback keys per device", limit: limit) }
    }

    public func unusedFallbackKeyTypes(_ device: DeviceRef) async throws -> [String] {
        try read { db in
            try String.fetchAll(db.cachedStatement(sql: """
                SELECT algorithm FROM fallback_keys WHERE user_id = ? AND device_id = ? AND used = 0 ORDER BY algorithm
                """), arguments: Self.bind(device.userID, device.deviceID))
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
                    """).execute(arguments: Self.bind(device.userID, device.deviceID, at))
            }
            return claimed
        }
    }

    private static func claimKeys(_ db: Database, _ requests: [ClaimRequest]) throws -> [ClaimedKey] {
            try requests.compactMap { request in
                let device = request.device
                let arguments = try bind(device.userID, device.deviceID, request.algorithm)
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
                        """).execute(arguments: arguments + bind(key.keyID, key.identity))
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
                .execute(arguments: bind(device.userID, device.deviceID))
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
            .execute(arguments: bind(try nextPosition(db), userID, ownerOnly))
    }
}
