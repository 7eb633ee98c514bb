// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Logging
import PostgresNIO

/// Account data in the `account_data` table: one row per user and type, bounded per user by
/// ``AccountDataLimits``, each at the stream position of its last write (docs/SERVER.md
/// "Account data").
extension PostgresStore: AccountDataStore {
    public func accountData(of userID: String, type: String) async throws -> String? {
        try StoredText.check(naming: "user id and account data type", userID, type)
        return try await read { connection in
            var content: String?
            for try await json in try await connection.query("""
                SELECT content_json FROM account_data WHERE user_id = \(userID) AND type = \(type)
                """, logger: logger).decode(String.self) { content = json }
            return content
        }
    }

    public func accountData(of userID: String) async throws -> [AccountDataEntry] {
        try StoredText.check(naming: "user id", userID)
        return try await read { connection in
            try await Self.entries(connection.query("""
                SELECT type, content_json FROM account_data WHERE user_id = \(userID) ORDER BY type
                """, logger: logger))
        }
    }

    public func putAccountData(_ device: DeviceRef, type: String, contentJSON: String, limits: AccountDataLimits) async throws {
        try StoredText.check(device)
        try StoredText.check(naming: "account data", type, contentJSON)
        guard contentJSON.utf8.count <= limits.contentBytes else {
            throw StoreError.limitExceeded(what: "bytes of account data per type", limit: limits.contentBytes)
        }
        try await write { connection in
            // bound to a device that exists at commit: a token revoked mid-request writes nothing
            try await Self.requireDevice(connection, device, logger: logger)
            // the type limit counts rows a concurrent write of the same user may be adding:
            // the user's types are counted and grown under one advisory lock
            try await Self.lockNames(connection, .accountData, [[device.userID]], logger: logger)
            var exists = false
            var count: Int64 = 0
            for try await (stored, total) in try await connection.query("""
                SELECT EXISTS (SELECT 1 FROM account_data WHERE user_id = \(device.userID) AND type = \(type)),
                       (SELECT COUNT(*) FROM account_data WHERE user_id = \(device.userID))
                """, logger: logger).decode((Bool, Int64).self) { (exists, count) = (stored, total) }
            guard exists || count < Int64(limits.typesPerUser) else {
                throw StoreError.limitExceeded(what: "account data types per user", limit: limits.typesPerUser)
            }
            // a position from the one stream, taken last in this transaction, so a sync token
            // never skips the write (docs/SERVER.md "/sync")
            let position = try await Self.nextPosition(connection, logger: logger)
            try await Self.drain(connection.query("""
                INSERT INTO account_data (user_id, type, content_json, position)
                VALUES (\(device.userID), \(type), \(contentJSON), \(position))
                ON CONFLICT (user_id, type) DO UPDATE SET content_json = EXCLUDED.content_json, position = EXCLUDED.position
                """, logger: logger))
        }
    }

    /// `userID`'s account data written in (`from`, `to`], the latest content of each type once,
    /// ordered by type; with no `to`, everything after `from`. Call inside the sync's snapshot.
    static func accountDataChanges(_ connection: PostgresConnection, of userID: String, from: Int64, to: Int64?,
                                   logger: Logger) async throws -> [AccountDataEntry] {
        if let to {
            return try await entries(connection.query("""
                SELECT type, content_json FROM account_data WHERE user_id = \(userID) AND position > \(from) AND position <= \(to)
                ORDER BY type
                """, logger: logger))
        }
        return try await entries(connection.query("""
            SELECT type, content_json FROM account_data WHERE user_id = \(userID) AND position > \(from) ORDER BY type
            """, logger: logger))
    }

    private static func entries(_ rows: PostgresRowSequence) async throws -> [AccountDataEntry] {
        var entries: [AccountDataEntry] = []
        for try await (type, content) in rows.decode((String, String).self) {
            entries.append(AccountDataEntry(type: type, contentJSON: content))
        }
        return entries
    }
}
