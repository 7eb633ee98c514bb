// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshStore

extension SQLiteStore: AccountStore {
    /// Access tokens kept per device, newest first; older ones are revoked (docs/SECURITY.md "Limits").
    static let tokensPerDevice = 100

    public func createUser(_ userID: String, passwordHash: String) async throws {
        try StoredText.check(naming: "user id and password hash", userID, passwordHash)
        try await commits.write { db in
            do {
                try db.cachedStatement(sql: "INSERT INTO users (user_id, password_hash, created_ts) VALUES (?, ?, ?)")
                    .execute(arguments: [userID, passwordHash, Int64(Date().timeIntervalSince1970)])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw AccountStoreError.userExists
            }
        }
    }

    public func passwordHash(of userID: String) async throws -> String? {
        try StoredText.check(naming: "user id", userID)
        return try read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT password_hash FROM users WHERE user_id = ?"), arguments: [userID])
        }
    }

    public func openDevice(_ device: DeviceRef, displayName: String?, tokenHash: String, maxDevices: Int) async throws {
        try StoredText.check(device)
        try StoredText.check(naming: "display name and token", displayName, tokenHash)
        try await commits.write { db in
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO devices (user_id, device_id, display_name) VALUES (?, ?, ?)")
                .execute(arguments: [device.userID, device.deviceID, displayName])
            if db.changesCount > 0 {
                // a new device: counted in the same transaction, so racing logins cannot pass the limit
                let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM devices WHERE user_id = ?"),
                                             arguments: [device.userID]) ?? 0
                guard count <= maxDevices else { throw StoreError.limitReached(what: "devices per user", limit: maxDevices) }
                try Self.recordDeviceListChange(db, userID: device.userID)
                try Self.startMSLLineage(db, device)
            }
            try db.cachedStatement(sql: "INSERT INTO access_tokens (token_hash, user_id, device_id) VALUES (?, ?, ?)")
                .execute(arguments: [tokenHash, device.userID, device.deviceID])
            // logging in again to one device id adds a token each time: keep the newest
            // (docs/SECURITY.md "Limits"), so repeated logins cannot grow the table
            try db.cachedStatement(sql: """
                DELETE FROM access_tokens WHERE user_id = ? AND device_id = ? AND rowid <= (
                    SELECT rowid FROM access_tokens WHERE user_id = ? AND device_id = ? ORDER BY rowid DESC LIMIT 1 OFFSET ?)
                """).execute(arguments: [device.userID, device.deviceID, device.userID, device.deviceID, Self.tokensPerDevice])
        }
    }

    public func device(forTokenHash tokenHash: String) async throws -> DeviceRef? {
        try StoredText.check(naming: "token", tokenHash)
        return try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT user_id, device_id FROM access_tokens WHERE token_hash = ?"),
                             arguments: [tokenHash])
                .map { DeviceRef(userID: $0["user_id"], deviceID: $0["device_id"]) }
        }
    }

    public func devices(of userID: String) async throws -> [DeviceRecord] {
        try StoredText.check(naming: "user id", userID)
        return try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT device_id, display_name FROM devices WHERE user_id = ? ORDER BY device_id"),
                             arguments: [userID])
                .map { DeviceRecord(device: DeviceRef(userID: userID, deviceID: $0["device_id"]), displayName: $0["display_name"]) }
        }
    }

    public func displayNames(of userIDs: [String]) async throws -> [String: [String: String]] {
        for user in userIDs { try StoredText.check(naming: "user id", user) }
        return try read { db in
            var names: [String: [String: String]] = [:]
            let statement = try db.cachedStatement(sql: "SELECT device_id, display_name FROM devices WHERE user_id = ? AND display_name IS NOT NULL")
            for user in userIDs {
                for row in try Row.fetchAll(statement, arguments: [user]) { names[user, default: [:]][row["device_id"]] = row["display_name"] }
            }
            return names
        }
    }

    public func device(_ device: DeviceRef) async throws -> DeviceRecord? {
        try StoredText.check(device)
        return try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT display_name FROM devices WHERE user_id = ? AND device_id = ?"),
                             arguments: [device.userID, device.deviceID])
                .map { DeviceRecord(device: device, displayName: $0["display_name"]) }
        }
    }

    public func setDisplayName(_ device: DeviceRef, to name: String?) async throws -> Bool {
        try StoredText.check(device)
        try StoredText.check(naming: "display name", name)
        return try await commits.write { db in
            try db.cachedStatement(sql: "UPDATE devices SET display_name = ? WHERE user_id = ? AND device_id = ?")
                .execute(arguments: [name, device.userID, device.deviceID])
            guard db.changesCount > 0 else { return false }
            try Self.recordDeviceListChange(db, userID: device.userID)
            return true
        }
    }

    public func deleteDevice(_ device: DeviceRef) async throws -> Bool {
        try StoredText.check(device)
        return try await commits.write { db in
            let arguments: StatementArguments = [device.userID, device.deviceID]
            try db.cachedStatement(sql: "DELETE FROM devices WHERE user_id = ? AND device_id = ?")
                .execute(arguments: arguments)
            guard db.changesCount > 0 else { return false }
            // a device id logged in again later is a new device: it starts with no transaction ids
            for table in ["access_tokens", "to_device_inbox", "to_device_txns", "msl_lineages"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE user_id = ? AND device_id = ?")
                    .execute(arguments: arguments)
            }
            try Self.deleteKeys(db, device: device)
            // signatures on the device, and by it (on its user's master key), go with it
            try db.cachedStatement(sql: "DELETE FROM cross_signing_signatures WHERE target_user = ? AND target_id = ?")
                .execute(arguments: arguments)
            try db.cachedStatement(sql: "DELETE FROM cross_signing_signatures WHERE signer = ? AND key_id = 'ed25519:' || ?")
                .execute(arguments: arguments)
            try Self.recordDeviceListChange(db, userID: device.userID)
            return true
        }
    }
}
