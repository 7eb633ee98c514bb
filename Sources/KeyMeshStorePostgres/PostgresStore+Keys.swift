// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Logging
import PostgresNIO

/// Uploads and reads of device, one-time and fallback keys (docs/STORE.md "Uploads"); claims
/// are in PostgresStore+KeyClaims.swift.
///
/// The embedded store writes one upload at a time; here uploads run concurrently at READ
/// COMMITTED, so each upload first takes the device row `FOR SHARE` (a concurrent delete of the
/// device waits, ``requireDevice(_:_:logger:)``) and then a transaction-scoped advisory lock of
/// the device (``lockDeviceUploads(_:_:logger:)``): uploads of one device run one after the
/// other, so the per-device limits (fallback keys, one-time keys, claimed ids) are counted
/// exactly as in the embedded store. Claims do not take it: they never wait for an upload.
extension PostgresStore: KeyStore {
    /// The first half of the advisory lock of a device's uploads ("KMUP"); the second half is
    /// a hash of the device (a collision only makes two devices' uploads wait for each other).
    static let uploadLockClass: Int32 = 0x4B4D_5550

    public func upload(_ device: DeviceRef, _ write: KeyUploadWrite) async throws {
        try StoredText.check(device.userID, device.deviceID)
        let logger = self.logger
        try await self.write { connection in
            try await Self.requireDevice(connection, device, logger: logger)
            try StoredText.check(naming: "Stored text", write.deviceKeys)
            try StoredText.check(write.fallbackKeys)
            try StoredText.check(write.oneTimeKeys)
            try await Self.lockDeviceUploads(connection, device, logger: logger)
            let deviceKeysChanged = try await Self.writeDeviceKeys(connection, device, write, logger: logger)
            try await Self.setFallbackKeys(connection, device, write.fallbackKeys, limit: write.maxFallbackKeys, logger: logger)
            try await Self.addOneTimeKeys(connection, device, write.oneTimeKeys, logger: logger)
            try await Self.pruneOneTimeKeys(connection, device, keep: write.maxOneTimeKeys, logger: logger)
            try await Self.pruneClaimedIDs(connection, device, keep: write.maxClaimedIDs, logger: logger)
            // the stream position last: its row lock is held to commit (PostgresStore.nextPosition)
            if deviceKeysChanged { try await Self.recordDeviceListChange(connection, userID: device.userID, logger: logger) }
        }
    }

    /// Serialises the uploads of `device` until commit (see the type's comment).
    static func lockDeviceUploads(_ connection: PostgresConnection, _ device: DeviceRef, logger: Logger) async throws {
        try await connection.query("""
            SELECT pg_advisory_xact_lock(\(uploadLockClass), hashtext(\(device.userID) || chr(10) || \(device.deviceID)))
            """, logger: logger)
    }

    /// Checks `write.precondition` and stores `write.deviceKeys` if they differ, byte for byte,
    /// from the stored object. Returns whether they changed (a device-list change).
    ///
    /// The stored row is read `FOR UPDATE`, so a concurrent upload that also checks it waits for
    /// this one and then compares against what this one wrote. With no row stored there is
    /// nothing to lock: the insert is `ON CONFLICT DO NOTHING`, and finding a row after all
    /// means another upload stored one first, so a precondition of "none stored" no longer holds.
    private static func writeDeviceKeys(_ connection: PostgresConnection, _ device: DeviceRef, _ write: KeyUploadWrite,
                                        logger: Logger) async throws -> Bool {
        guard write.deviceKeys != nil || write.precondition != .none else { return false }
        var current: String?
        let rows = try await connection.query("""
            SELECT key_json FROM device_keys WHERE user_id = \(device.userID) AND device_id = \(device.deviceID) FOR UPDATE
            """, logger: logger)
        for try await json in rows.decode(String.self) { current = json }
        if case .storedDeviceKeys(let expected) = write.precondition, !sameBytes(current, expected) {
            throw KeyStoreError.deviceKeysChanged
        }
        guard let json = write.deviceKeys, !sameBytes(json, current) else { return false }
        if current != nil {
            try await connection.query("""
                UPDATE device_keys SET key_json = \(json) WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
                """, logger: logger)
            return true
        }
        let inserted = try await connection.query("""
            INSERT INTO device_keys (user_id, device_id, key_json) VALUES (\(device.userID), \(device.deviceID), \(json))
            ON CONFLICT (user_id, device_id) DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in inserted { return true }
        // another upload stored device keys after this one read none
        guard write.precondition == .none else { throw KeyStoreError.deviceKeysChanged }
        let replaced = try await connection.query("""
            UPDATE device_keys SET key_json = \(json)
            WHERE user_id = \(device.userID) AND device_id = \(device.deviceID) AND key_json <> \(json) RETURNING 1
            """, logger: logger)
        for try await _ in replaced { return true }
        return false
    }

    /// Byte-exact equality (Swift's `==` would call NFC and NFD forms equal; docs/SECURITY.md "Identifiers").
    static func sameBytes(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let a?, let b?): a.utf8.elementsEqual(b.utf8)
        default: false
        }
    }

    public func deviceKeys(_ devices: [String: [String]], limit: Int) async throws -> [String: [String: String]] {
        for user in devices.keys { try StoredText.check(user) }
        var allOf: [String] = [], users: [String] = [], deviceIDs: [String] = []
        for (user, wanted) in devices {
            if wanted.isEmpty { allOf.append(user); continue }
            // ids holding NUL name no stored device (PostgreSQL could not bind them)
            for id in wanted where !id.utf8.contains(0) {
                users.append(user)
                deviceIDs.append(id)
            }
        }
        guard !allOf.isEmpty || !users.isEmpty else { return [:] }
        // one row past what the limit allows is enough to know it is exceeded
        let fetch = limit < Int.max ? Int64(clamping: limit) + 1 : Int64.max
        let statement = DeviceKeysOfUsers(allOf: allOf, users: users, devices: deviceIDs, limit: fetch)
        let logger = self.logger
        return try await read { connection in
            var out: [String: [String: String]] = [:]
            var count = 0
            for try await (user, deviceID, json) in try await connection.execute(statement, logger: logger) {
                count += 1
                guard count <= limit else { throw StoreError.limitExceeded(what: "devices in one answer", limit: limit) }
                out[user, default: [:]][deviceID] = json
            }
            return out
        }
    }

    public func oneTimeKeyCounts(_ device: DeviceRef) async throws -> [String: Int] {
        try StoredText.check(device.userID, device.deviceID)
        let logger = self.logger
        return try await read { connection in
            var counts: [String: Int] = [:]
            // rows are grouped by bytes; names equal as Swift strings (NFC/NFD) are summed,
            // never a trap (docs/SECURITY.md "Identifiers")
            for try await (algorithm, count) in try await connection.execute(OneTimeKeyCounts(device: device), logger: logger) {
                counts[algorithm, default: 0] += Int(count)
            }
            return counts
        }
    }

    public func unusedFallbackKeyTypes(_ device: DeviceRef) async throws -> [String] {
        try StoredText.check(device.userID, device.deviceID)
        let logger = self.logger
        return try await read { connection in
            var types: [String] = []
            let rows = try await connection.query("""
                SELECT algorithm FROM fallback_keys WHERE user_id = \(device.userID) AND device_id = \(device.deviceID) AND NOT used
                ORDER BY algorithm
                """, logger: logger)
            for try await algorithm in rows.decode(String.self) { types.append(algorithm) }
            return types
        }
    }

    public func deleteDeviceKeys(_ device: DeviceRef) async throws {
        try StoredText.check(device.userID, device.deviceID)
        let logger = self.logger
        try await write { connection in try await Self.deleteKeys(connection, device, logger: logger) }
    }

    /// Deletes every key row of `device`; call inside a write transaction.
    static func deleteKeys(_ connection: PostgresConnection, _ device: DeviceRef, logger: Logger) async throws {
        try await connection.query("DELETE FROM device_keys WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)",
                                   logger: logger)
        try await connection.query("DELETE FROM one_time_keys WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)",
                                   logger: logger)
        try await connection.query("""
            DELETE FROM claimed_one_time_keys WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
            """, logger: logger)
        try await connection.query("DELETE FROM fallback_keys WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)",
                                   logger: logger)
        try await connection.query("""
            DELETE FROM key_claim_positions WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
            """, logger: logger)
    }
}

// MARK: - The parts of an upload

extension PostgresStore {
    /// A key's algorithm and id as bytes: two ids are one id only when their bytes are equal.
    private struct KeyName: Hashable {
        let algorithm: [UInt8]
        let keyID: [UInt8]

        init(_ algorithm: String, _ keyID: String) {
            self.algorithm = Array(algorithm.utf8)
            self.keyID = Array(keyID.utf8)
        }
    }

    /// Stores each fallback key unless the stored one of its algorithm is byte-identical (which
    /// keeps its `used` flag, synapse#11382); anything else replaces it, unused. One upsert per
    /// key: the conflicting row is locked by the statement, so it is atomic on its own.
    private static func setFallbackKeys(_ connection: PostgresConnection, _ device: DeviceRef, _ keys: [StoredKeyObject],
                                        limit: Int, logger: Logger) async throws {
        guard !keys.isEmpty else { return }
        for key in keys {
            try await connection.query("""
                INSERT INTO fallback_keys (user_id, device_id, algorithm, key_id, key_json, key_identity, used)
                VALUES (\(device.userID), \(device.deviceID), \(key.algorithm), \(key.keyID), \(key.json), \(key.identity), FALSE)
                ON CONFLICT (user_id, device_id, algorithm) DO UPDATE
                SET key_id = EXCLUDED.key_id, key_json = EXCLUDED.key_json, key_identity = EXCLUDED.key_identity, used = FALSE
                WHERE fallback_keys.key_json <> EXCLUDED.key_json
                """, logger: logger)
        }
        let rows = try await connection.query("""
            SELECT count(*) FROM fallback_keys WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
            """, logger: logger)
        for try await count in rows.decode(Int64.self) where count > limit {
            throw StoreError.limitExceeded(what: "fallback keys per device", limit: limit)
        }
    }

    /// Adds the one-time keys in upload order. An id stored already (unclaimed, or claimed and
    /// remembered) with the same identity is a retry and skipped; with another identity it is
    /// ``KeyStoreError/oneTimeKeyConflict(_:)``. The ids are looked up in one statement and the
    /// new keys inserted in another; the insert is `ON CONFLICT DO NOTHING` and a key it did
    /// not insert (another transaction stored the id meanwhile) is judged by the same rule,
    /// so no unique violation ever escapes.
    private static func addOneTimeKeys(_ connection: PostgresConnection, _ device: DeviceRef, _ keys: [StoredKeyObject],
                                       logger: Logger) async throws {
        guard !keys.isEmpty else { return }
        var known = try await storedIdentities(connection, device, keys, logger: logger)
        var fresh: [StoredKeyObject] = []
        for key in keys {
            let name = KeyName(key.algorithm, key.keyID)
            if let existing = known[name] {
                // same key again: a retry after a lost response (or of a claimed key): nothing to do
                guard sameBytes(existing, key.identity) else { throw KeyStoreError.oneTimeKeyConflict("\(key.algorithm):\(key.keyID)") }
                continue
            }
            known[name] = key.identity
            fresh.append(key)
        }
        guard !fresh.isEmpty else { return }
        let rows = try await connection.execute(InsertOneTimeKeys(device: device, keys: fresh), logger: logger)
        var inserted = Set<KeyName>()
        for try await (algorithm, keyID) in rows { inserted.insert(KeyName(algorithm, keyID)) }
        let lost = fresh.filter { !inserted.contains(KeyName($0.algorithm, $0.keyID)) }
        guard !lost.isEmpty else { return }
        let stored = try await storedIdentities(connection, device, lost, logger: logger)
        for key in lost {
            if let existing = stored[KeyName(key.algorithm, key.keyID)], !sameBytes(existing, key.identity) {
                throw KeyStoreError.oneTimeKeyConflict("\(key.algorithm):\(key.keyID)")
            }
        }
    }

    /// The identities stored under these keys' ids, unclaimed first, then claimed and remembered.
    private static func storedIdentities(_ connection: PostgresConnection, _ device: DeviceRef, _ keys: [StoredKeyObject],
                                         logger: Logger) async throws -> [KeyName: String] {
        let statement = StoredOneTimeKeyIdentities(device: device, algorithms: keys.map(\.algorithm), keyIDs: keys.map(\.keyID))
        let rows = try await connection.execute(statement, logger: logger)
        var found: [KeyName: (Int32, String)] = [:]
        for try await (source, algorithm, keyID, identity) in rows {
            let name = KeyName(algorithm, keyID)
            if let seen = found[name], seen.0 <= source { continue }
            found[name] = (source, identity)
        }
        return found.mapValues(\.1)
    }

    /// Deletes the device's oldest unclaimed one-time keys above `keep` (docs/SECURITY.md "Limits").
    private static func pruneOneTimeKeys(_ connection: PostgresConnection, _ device: DeviceRef, keep: Int,
                                         logger: Logger) async throws {
        guard keep < Int.max else { return }
        for try await _ in try await connection.execute(PruneOneTimeKeys(device: device, keep: Int64(max(0, keep))), logger: logger) {}
    }

    /// Forgets the device's oldest remembered claimed ids above `keep` (`seq` is claim order).
    private static func pruneClaimedIDs(_ connection: PostgresConnection, _ device: DeviceRef, keep: Int,
                                        logger: Logger) async throws {
        guard keep < Int.max else { return }
        try await connection.query("""
            DELETE FROM claimed_one_time_keys WHERE user_id = \(device.userID) AND device_id = \(device.deviceID) AND seq IN (
                SELECT seq FROM claimed_one_time_keys WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
                ORDER BY seq DESC OFFSET \(Int64(max(0, keep))))
            """, logger: logger)
    }
}
