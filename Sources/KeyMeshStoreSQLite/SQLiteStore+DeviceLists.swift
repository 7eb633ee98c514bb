// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import GRDB
import KeyMeshStore

/// Device-list changes, who follows whom, and the pruned history's horizon
/// (docs/SERVER.md "Device lists", docs/STORE.md "Device-list history").
extension SQLiteStore {
    public func deviceListChanges(for userID: String, from: Int64, to: Int64) async throws -> [String] {
        try StoredText.check(naming: "user id", userID)
        return try read { db in try Self.changes(db, for: userID, from: from, to: to) }
    }

    /// The users `userID` hears of (itself and those it follows) whose lists changed in
    /// (`from`, `to`]. Changes at or below the horizon were pruned: a `from` below it cannot be
    /// answered exactly, so every followed user counts as changed (a client re-queries a few
    /// users too many rather than miss a new device).
    static func changes(_ db: Database, for userID: String, from: Int64, to: Int64) throws -> [String] {
        let horizon = try Int64.fetchOne(db.cachedStatement(sql: "SELECT position FROM device_list_horizon")) ?? 0
        if from < horizon {
            let followed = try String.fetchAll(db.cachedStatement(sql: "SELECT target FROM device_list_followers WHERE watcher = ?"),
                                               arguments: [userID])
            return Set(followed + [userID]).sorted()
        }
        return try String.fetchAll(db.cachedStatement(sql: """
            SELECT DISTINCT user_id FROM device_list_changes
            WHERE position > ? AND position <= ?
              AND (user_id = ? OR (owner_only = 0 AND user_id IN (SELECT target FROM device_list_followers WHERE watcher = ?)))
            ORDER BY user_id
            """), arguments: [from, to, userID, userID])
    }

    public func follow(_ watcher: DeviceRef, targets: [String], limit: Int) async throws -> [String] {
        try StoredText.check(watcher)
        for target in targets { try StoredText.check(naming: "user id", target) }
        return try await commits.write { db in
            try Self.requireDevice(db, watcher)
            var registered: [String] = []
            var count = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM device_list_followers WHERE watcher = ?"),
                                         arguments: [watcher.userID]) ?? 0
            for target in Set(targets) where target != watcher.userID {
                // only registered users: a query naming invented ids records nothing
                try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO device_list_followers (watcher, target)
                    SELECT ?, user_id FROM users WHERE user_id = ?
                    """).execute(arguments: [watcher.userID, target])
                count += db.changesCount
                guard count <= limit else { throw StoreError.limitReached(what: "followed users", limit: limit) }
                if try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM users WHERE user_id = ?)"),
                                     arguments: [target]) == true {
                    registered.append(target)
                }
            }
            return registered.sorted()
        }
    }

    public func followers(of userID: String) async throws -> [String] {
        try StoredText.check(naming: "user id", userID)
        return try read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT watcher FROM device_list_followers WHERE target = ?"),
                                arguments: [userID])
        }
    }

    public func pruneDeviceListChanges(keep: Int) async throws {
        let keep = max(keep, 1)
        // rows are appended in position order, so rowid order is position order
        let excess = try read { db in
            let newest = try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM device_list_changes") ?? 0
            let oldest = try Int64.fetchOne(db, sql: "SELECT MIN(rowid) FROM device_list_changes") ?? 0
            return newest - oldest + 1 > Int64(keep) + Int64(keep / 16) ? newest - Int64(keep) : nil  // prune in steps
        }
        guard let cut = excess else { return }
        try await commits.write { db in
            // the horizon moves up to the newest pruned change before it is deleted, in one transaction
            try db.execute(sql: """
                UPDATE device_list_horizon SET position = MAX(position, COALESCE(
                    (SELECT MAX(position) FROM device_list_changes WHERE rowid <= ?), 0))
                """, arguments: [cut])
            try db.execute(sql: "DELETE FROM device_list_changes WHERE rowid <= ?", arguments: [cut])
        }
    }
}
