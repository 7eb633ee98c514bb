// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshStore

extension SQLiteStore: AccountStore {
    public func createUser(_ userID: String, passwordHash: String) async throws {
        try await commits.write { db in
            do {
                try db.execute(sql: "INSERT INTO users (user_id, password_hash, created_ts) VALUES (?, ?, ?)",
                               arguments: [userID, passwordHash, Int64(Date().timeIntervalSince1970)])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw AccountStoreError.userExists
            }
        }
    }

    public func passwordHash(of userID: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM users WHERE user_id = ?", arguments: [userID])
        }
    }

    public func openDevice(_ device: DeviceRef, displayName: String?, tokenHash: String) async throws {
        try await commits.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO devices (user_id, device_id, display_name) VALUES (?, ?, ?)",
                           arguments: [device.userID, device.deviceID, displayName])
            if db.changesCount > 0 { try Self.recordDeviceListChange(db, userID: device.userID) }
            try db.execute(sql: "INSERT INTO access_tokens (token_hash, user_id, device_id) VALUES (?, ?, ?)",
                           arguments: [tokenHash, device.userID, device.deviceID])
        }
    }

    public func device(forTokenHash tokenHash: String) async throws -> DeviceRef? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT user_id, device_id FROM access_tokens WHERE token_hash = ?",
                             arguments: [tokenHash])
                .map { DeviceRef(userID: $0["user_id"], deviceID: $0["device_id"]) }
        }
    }

    public func devices(of userID: String) async throws -> [DeviceRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT device_id, display_name FROM devices WHERE user_id = ? ORDER BY device_id",
                             arguments: [userID])
                .map { DeviceRecord(device: DeviceRef(userID: userID, deviceID: $0["device_id"]), displayName: $0["display_name"]) }
        }
    }

    public func device(_ device: DeviceRef) async throws -> DeviceRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT display_name FROM devices WHERE user_id = ? AND device_id = ?",
                             arguments: [device.userID, device.deviceID])
                .map { DeviceRecord(device: device, displayName: $0["display_name"]) }
        }
    }

    public func setDisplayName(_ device: DeviceRef, to name: String?) async throws -> Bool {
        try await commits.write { db in
            try db.execute(sql: "UPDATE devices SET display_name = ? WHERE user_id = ? AND device_id = ?",
                           arguments: [name, device.userID, device.deviceID])
            guard db.changesCount > 0 else { return false }
            try Self.recordDeviceListChange(db, userID: device.userID)
            return true
        }
    }

    public func deleteDevice(_ device: DeviceRef) async throws -> Bool {
        try await commits.write { db in
            let arguments: StatementArguments = [device.userID, device.deviceID]
            try db.execute(sql: "DELETE FROM devices WHERE user_id = ? AND device_id = ?", arguments: arguments)
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: """
                DELETE FROM to_device_transactions WHERE token_hash IN (
                    SELECT token_hash FROM access_tokens WHERE user_id = ? AND device_id = ?)
                """, arguments: arguments)
            for table in ["access_tokens", "to_device_inbox"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE user_id = ? AND device_id = ?", arguments: arguments)
            }
            try Self.deleteKeys(db, device: device)
            try Self.recordDeviceListChange(db, userID: device.userID)
            return true
        }
    }

    public func putAuthSession(_ session: AuthSession) async throws {
        try await commits.write { db in
            // sessions older than a day are of no use to anyone: sweep them as new ones arrive
            try db.execute(sql: "DELETE FROM auth_sessions WHERE created_ts < ?", arguments: [session.createdAt - 86_400])
            try db.execute(sql: "INSERT OR REPLACE INTO auth_sessions (session_id, purpose, user_id, created_ts) VALUES (?, ?, ?, ?)",
                           arguments: [session.id, session.purpose, session.userID, session.createdAt])
        }
    }

    public func authSession(_ id: String) async throws -> AuthSession? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT purpose, user_id, created_ts FROM auth_sessions WHERE session_id = ?",
                             arguments: [id])
                .map { AuthSession(id: id, purpose: $0["purpose"], userID: $0["user_id"], createdAt: $0["created_ts"]) }
        }
    }

    public func consumeAuthSession(_ id: String) async throws -> Bool {
        try await commits.write { db in
            try db.execute(sql: "DELETE FROM auth_sessions WHERE session_id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }
}
