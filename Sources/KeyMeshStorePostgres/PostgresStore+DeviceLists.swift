// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Logging
import PostgresNIO

/// Device-list changes, who follows whom, and the pruned history's horizon
/// (docs/SERVER.md "Device lists", docs/STORE.md "Device-list history").
extension PostgresStore {
    public func deviceListChanges(for userID: String, from: Int64, to: Int64) async throws -> [String] {
        try StoredText.check(naming: "user id", userID)
        // the horizon and the changes from one snapshot: a prune between two reads cannot hide a change
        return try await snapshot { connection in try await Self.changes(connection, for: userID, from: from, to: to, logger: logger) }
    }

    /// The users `userID` hears of (itself and those it follows) whose lists changed in
    /// (`from`, `to`]. Changes at or below the horizon were pruned: a `from` below it cannot be
    /// answered exactly, so every followed user counts as changed (a client re-queries a few
    /// users too many rather than miss a new device). Call inside a snapshot.
    static func changes(_ connection: PostgresConnection, for userID: String, from: Int64, to: Int64,
                        logger: Logger) async throws -> [String] {
        var horizon: Int64 = 0
        for try await position in try await connection.query("SELECT position FROM device_list_horizon WHERE only_row = 0",
                                                              logger: logger).decode(Int64.self) { horizon = position }
        if from < horizon {
            var followed = [userID]
            let rows = try await connection.query("SELECT target FROM device_list_followers WHERE watcher = \(userID)", logger: logger)
            for try await target in rows.decode(String.self) { followed.append(target) }
            return Set(followed).sorted()
        }
        let rows = try await connection.query("""
            SELECT DISTINCT user_id FROM device_list_changes
            WHERE position > \(from) AND position <= \(to)
              AND (user_id = \(userID) OR (NOT owner_only AND user_id IN (SELECT target FROM device_list_followers WHERE watcher = \(userID))))
            ORDER BY user_id
            """, logger: logger)
        var users: [String] = []
        for try await user in rows.decode(String.self) { users.append(user) }
        return users
    }

    public func follow(_ watcher: DeviceRef, targets: [String], limit: Int) async throws -> [String] {
        try StoredText.check(watcher)
        for target in targets { try StoredText.check(naming: "user id", target) }
        let others = Array(Set(targets.filter { $0 != watcher.userID }))
        return try await write { connection in
            try await Self.requireDevice(connection, watcher, logger: logger)
            // the limit counts rows a concurrent follow of the same user may be adding: the
            // user's follows are counted and grown under one advisory lock
            try await Self.lockNames(connection, .follows, [[watcher.userID]], logger: logger)
            var count: Int64 = 0
            for try await value in try await connection.query("""
                SELECT COUNT(*) FROM device_list_followers WHERE watcher = \(watcher.userID)
                """, logger: logger).decode(Int64.self) { count = value }
            // only registered users: a query naming invented ids records nothing
            var registered: [String] = []
            if !others.isEmpty {
                let rows = try await connection.query("""
                    WITH known AS (SELECT user_id FROM users WHERE user_id = ANY(\(others))),
                    added AS (INSERT INTO device_list_followers (watcher, target) SELECT \(watcher.userID), user_id FROM known
                              ON CONFLICT DO NOTHING RETURNING target)
                    SELECT user_id, EXISTS (SELECT 1 FROM added WHERE target = known.user_id) FROM known
                    """, logger: logger)
                for try await (user, isNew) in rows.decode((String, Bool).self) {
                    registered.append(user)
                    if isNew { count += 1 }
                }
                guard count <= Int64(limit) else { throw StoreError.limitReached(what: "followed users", limit: limit) }
            }
            return registered.sorted()
        }
    }

    public func followers(of userID: String) async throws -> [String] {
        try StoredText.check(naming: "user id", userID)
        return try await read { connection in
            var watchers: [String] = []
            let rows = try await connection.query("""
                SELECT watcher FROM device_list_followers WHERE target = \(userID) ORDER BY watcher
                """, logger: logger)
            for try await watcher in rows.decode(String.self) { watchers.append(watcher) }
            return watchers
        }
    }

    /// Rows are numbered by `seq` as they are inserted, and each is inserted right after its
    /// position is taken under the `stream_position` lock, so `seq` order is position order
    /// and a span of `seq` bounds the row count cheaply (the embedded store uses its rowid).
    public func pruneDeviceListChanges(keep: Int) async throws {
        let keep = Int64(max(keep, 1))
        let excess = try await read { connection -> Int64? in
            var span: (Int64?, Int64?) = (nil, nil)
            for try await (oldest, newest) in try await connection.query("""
                SELECT MIN(seq), MAX(seq) FROM device_list_changes
                """, logger: logger).decode((Int64?, Int64?).self) { span = (oldest, newest) }
            guard let oldest = span.0, let newest = span.1 else { return nil }
            return newest - oldest + 1 > keep + keep / 16 ? newest - keep : nil  // prune in steps
        }
        guard let cut = excess else { return }
        try await write { connection in
            // the horizon moves up to the newest pruned change, in the transaction that deletes
            // it; the row lock on the horizon serialises two prunes, GREATEST keeps it rising
            try await Self.drain(connection.query("""
                UPDATE device_list_horizon SET position = GREATEST(position, COALESCE(
                    (SELECT MAX(position) FROM device_list_changes WHERE seq <= \(cut)), 0)) WHERE only_row = 0
                """, logger: logger))
            try await Self.drain(connection.query("DELETE FROM device_list_changes WHERE seq <= \(cut)", logger: logger))
        }
    }
}
