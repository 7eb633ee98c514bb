// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshStore
import Logging
import PostgresNIO

/// Users, devices and access tokens (docs/STORE.md "PostgreSQL"); auth sessions are in
/// PostgresStore+AuthSessions.swift.
extension PostgresStore: AccountStore {
    /// Access tokens kept per device, newest first; older ones are revoked (docs/SECURITY.md "Limits").
    static let tokensPerDevice = 100

    /// The first half of the advisory lock that stands in for the user row when a device is
    /// opened for an id with no `users` row ("KMUS").
    static let userLockClass: Int32 = 0x4B4D_5553

    public func createUser(_ userID: String, passwordHash: String) async throws {
        try StoredText.check(naming: "user id and password hash", userID, passwordHash)
        let logger = self.logger
        let now = Int64(Date().timeIntervalSince1970)
        try await write { connection in
            // the primary key decides between concurrent registrations of one id: the second
            // waits for the first to commit and then inserts nothing
            let rows = try await connection.query("""
                INSERT INTO users (user_id, password_hash, created_ts) VALUES (\(userID), \(passwordHash), \(now))
                ON CONFLICT (user_id) DO NOTHING RETURNING 1
                """, logger: logger)
            for try await _ in rows { return }
            throw AccountStoreError.userExists
        }
    }

    public func passwordHash(of userID: String) async throws -> String? {
        try StoredText.check(naming: "user id", userID)
        let logger = self.logger
        return try await read { connection in
            let rows = try await connection.query("SELECT password_hash FROM users WHERE user_id = \(userID)", logger: logger)
            for try await hash in rows.decode(String.self) { return hash }
            return nil
        }
    }

    public func openDevice(_ device: DeviceRef, displayName: String?, tokenHash: String, maxDevices: Int) async throws {
        try StoredText.check(device)
        try StoredText.check(naming: "display name and token", displayName, tokenHash)
        let logger = self.logger
        try await write { connection in
            let created = try await connection.query("""
                INSERT INTO devices (user_id, device_id, display_name) VALUES (\(device.userID), \(device.deviceID), \(displayName))
                ON CONFLICT (user_id, device_id) DO NOTHING RETURNING 1
                """, logger: logger)
            var isNew = false
            for try await _ in created { isNew = true }
            if isNew {
                // a new device: counted with the user locked, so concurrent logins (on any
                // instance) cannot pass the limit between them
                try await Self.lockUser(connection, device.userID, logger: logger)
                let rows = try await connection.query("SELECT count(*) FROM devices WHERE user_id = \(device.userID)", logger: logger)
                for try await count in rows.decode(Int64.self) where count > maxDevices {
                    throw StoreError.limitReached(what: "devices per user", limit: maxDevices)
                }
                try await Self.startMSLLineage(connection, device, logger: logger)
            }
            try await connection.query("""
                INSERT INTO access_tokens (token_hash, user_id, device_id) VALUES (\(tokenHash), \(device.userID), \(device.deviceID))
                """, logger: logger)
            // logging in again to one device id adds a token each time: keep the newest
            // (docs/SECURITY.md "Limits"), so repeated logins cannot grow the table
            try await connection.query("""
                DELETE FROM access_tokens WHERE user_id = \(device.userID) AND device_id = \(device.deviceID) AND seq <= (
                    SELECT seq FROM access_tokens WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
                    ORDER BY seq DESC LIMIT 1 OFFSET \(Int64(Self.tokensPerDevice)))
                """, logger: logger)
            if isNew { try await Self.recordDeviceListChange(connection, userID: device.userID, logger: logger) }
        }
    }

    /// Locks the user's row to commit (`FOR UPDATE`); an id with no row (devices opened without
    /// registering, as tests and imports do) takes a transaction-scoped advisory lock instead.
    private static func lockUser(_ connection: PostgresConnection, _ userID: String, logger: Logger) async throws {
        let rows = try await connection.query("SELECT 1 FROM users WHERE user_id = \(userID) FOR UPDATE", logger: logger)
        for try await _ in rows { return }
        try await connection.query("SELECT pg_advisory_xact_lock(\(userLockClass), hashtext(\(userID)))", logger: logger)
    }

    public func device(forTokenHash tokenHash: String) async throws -> DeviceRef? {
        try StoredText.check(naming: "token", tokenHash)
        let logger = self.logger
        return try await read { connection in
            for try await (userID, deviceID) in try await connection.execute(DeviceForTokenHash(tokenHash: tokenHash), logger: logger) {
                return DeviceRef(userID: userID, deviceID: deviceID)
            }
            return nil
        }
    }

    public func devices(of userID: String) async throws -> [DeviceRecord] {
        try StoredText.check(naming: "user id", userID)
        let logger = self.logger
        return try await read { connection in
            var records: [DeviceRecord] = []
            let rows = try await connection.query("""
                SELECT device_id, display_name FROM devices WHERE user_id = \(userID) ORDER BY device_id
                """, logger: logger)
            for try await (deviceID, name) in rows.decode((String, String?).self) {
                records.append(DeviceRecord(device: DeviceRef(userID: userID, deviceID: deviceID), displayName: name))
            }
            return records
        }
    }

    public func displayNames(of userIDs: [String]) async throws -> [String: [String: String]] {
        for user in userIDs { try StoredText.check(naming: "user id", user) }
        guard !userIDs.isEmpty else { return [:] }
        let logger = self.logger
        return try await read { connection in
            var names: [String: [String: String]] = [:]
            let rows = try await connection.execute(DisplayNamesOfUsers(users: userIDs), logger: logger)
            for try await (user, deviceID, name) in rows { names[user, default: [:]][deviceID] = name }
            return names
        }
    }

    public func device(_ device: DeviceRef) async throws -> DeviceRecord? {
        try StoredText.check(device)
        let logger = self.logger
        return try await read { connection in
            let rows = try await connection.query("""
                SELECT display_name FROM devices WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
                """, logger: logger)
            for try await name in rows.decode(String?.self) { return DeviceRecord(device: device, displayName: name) }
            return nil
        }
    }

    public func setDisplayName(_ device: DeviceRef, to name: String?) async throws -> Bool {
        try StoredText.check(device)
        try StoredText.check(naming: "display name", name)
        let logger = self.logger
        return try await write { connection in
            let rows = try await connection.query("""
                UPDATE devices SET display_name = \(name) WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
                RETURNING 1
                """, logger: logger)
            var found = false
            for try await _ in rows { found = true }
            guard found else { return false }
            try await Self.recordDeviceListChange(connection, userID: device.userID, logger: logger)
            return true
        }
    }

    public func deleteDevice(_ device: DeviceRef) async throws -> Bool {
        try StoredText.check(device)
        let logger = self.logger
        return try await write { connection in
            // the device row first (lock order: device row, data rows, stream position): a write
            // for the device holding it FOR SHARE finishes first, a later one finds no device
            let rows = try await connection.query("""
                DELETE FROM devices WHERE user_id = \(device.userID) AND device_id = \(device.deviceID) RETURNING 1
                """, logger: logger)
            var found = false
            for try await _ in rows { found = true }
            guard found else { return false }
            try await Self.deleteBelongings(connection, device, logger: logger)
            try await Self.recordDeviceListChange(connection, userID: device.userID, logger: logger)
            return true
        }
    }

    /// Everything of a deleted device, as the embedded store deletes it: tokens, queued
    /// to-device messages, transaction ids (a device id logged in again later is a new device),
    /// its MSL lineage, its keys, and cross-signing signatures on it and by it.
    private static func deleteBelongings(_ connection: PostgresConnection, _ device: DeviceRef, logger: Logger) async throws {
        let user = device.userID, id = device.deviceID
        try await connection.query("DELETE FROM access_tokens WHERE user_id = \(user) AND device_id = \(id)", logger: logger)
        try await connection.query("DELETE FROM to_device_inbox WHERE user_id = \(user) AND device_id = \(id)", logger: logger)
        try await connection.query("DELETE FROM to_device_txns WHERE user_id = \(user) AND device_id = \(id)", logger: logger)
        try await connection.query("DELETE FROM msl_lineages WHERE user_id = \(user) AND device_id = \(id)", logger: logger)
        try await deleteKeys(connection, device, logger: logger)
        try await connection.query("""
            DELETE FROM cross_signing_signatures WHERE target_user = \(user) AND target_id = \(id)
            """, logger: logger)
        try await connection.query("""
            DELETE FROM cross_signing_signatures WHERE signer = \(user) AND key_id = 'ed25519:' || \(id)
            """, logger: logger)
    }
}
