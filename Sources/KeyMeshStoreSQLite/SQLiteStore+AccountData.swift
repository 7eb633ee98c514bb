// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import GRDB
import KeyMeshStore

/// Account data in the `account_data` table (migrations `v5-account-data`,
/// `v6-account-data-stream`): one row per user and type, bounded per user by
/// ``AccountDataLimits``, each at the stream position of its last write.
extension SQLiteStore: AccountDataStore {
    public func accountData(of userID: String, type: String) async throws -> String? {
        try StoredText.check(naming: "user id and account data type", userID, type)
        return try read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT content_json FROM account_data WHERE user_id = ? AND type = ?"),
                                arguments: [userID, type])
        }
    }

    public func accountData(of userID: String) async throws -> [AccountDataEntry] {
        try StoredText.check(naming: "user id", userID)
        return try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT type, content_json FROM account_data WHERE user_id = ? ORDER BY type"),
                             arguments: [userID])
                .map { AccountDataEntry(type: $0["type"], contentJSON: $0["content_json"]) }
        }
    }

    public func putAccountData(_ device: DeviceRef, type: String, contentJSON: String, limits: AccountDataLimits) async throws {
        try StoredText.check(device)
        try StoredText.check(naming: "account data", type, contentJSON)
        guard contentJSON.utf8.count <= limits.contentBytes else {
            throw StoreError.limitExceeded(what: "bytes of account data per type", limit: limits.contentBytes)
        }
        try await commits.write { db in
            // bound to a device that exists now: a token revoked mid-request writes nothing
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM devices WHERE user_id = ? AND device_id = ?"),
                                    arguments: [device.userID, device.deviceID]) != nil else {
                throw StoreError.deviceNotFound(device)
            }
            let exists = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM account_data WHERE user_id = ? AND type = ?"),
                                           arguments: [device.userID, type]) != nil
            if !exists {
                let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM account_data WHERE user_id = ?"),
                                             arguments: [device.userID]) ?? 0
                guard count < limits.typesPerUser else {
                    throw StoreError.limitExceeded(what: "account data types per user", limit: limits.typesPerUser)
                }
            }
            // a position from the one stream, taken in this transaction, so a sync token never
            // skips the write (docs/SERVER.md "/sync")
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO account_data (user_id, type, content_json, position) VALUES (?, ?, ?, ?)")
                .execute(arguments: [device.userID, type, contentJSON, try Self.nextPosition(db)])
        }
    }

    /// `userID`'s account data written in (`from`, `to`], the latest content of each type once,
    /// ordered by type; with no `to`, everything after `from`. Call inside the sync's read.
    static func accountDataChanges(_ db: Database, of userID: String, from: Int64, to: Int64?) throws -> [AccountDataEntry] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT type, content_json FROM account_data
            WHERE user_id = ? AND position > ? AND (? IS NULL OR position <= ?)
            ORDER BY type
            """), arguments: [userID, from, to, to])
            .map { AccountDataEntry(type: $0["type"], contentJSON: $0["content_json"]) }
    }
}
