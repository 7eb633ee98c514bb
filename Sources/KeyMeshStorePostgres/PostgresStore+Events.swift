// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Logging
import PostgresNIO

/// The stream and `/sync` batches (docs/STORE.md "The stream", "Stream positions"). Sending
/// to-device messages is in PostgresStore+ToDevice.swift, device-list changes and follows in
/// PostgresStore+DeviceLists.swift.
extension PostgresStore: EventStore {
    public func currentPosition() async throws -> Int64 {
        try await read { connection in try await Self.position(connection, logger: logger) }
    }

    /// The highest committed position (the `stream_position` row as this statement sees it).
    static func position(_ connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query("SELECT position FROM stream_position WHERE only_row = 0", logger: logger)
        var position: Int64?
        for try await value in rows.decode(Int64.self) { position = value }
        guard let position else { throw PostgresStoreError.corrupt("stream_position row missing") }
        return position
    }

    public func acknowledgeToDevice(_ device: DeviceRef, upTo position: Int64) async throws {
        try StoredText.check(device)
        try await write { connection in
            try await Self.requireDevice(connection, device, logger: logger)
            try await Self.drain(connection.query("""
                DELETE FROM to_device_inbox WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
                  AND position <= \(position)
                """, logger: logger))
        }
    }

    /// Reads the batch in one REPEATABLE READ snapshot, the position it reports included, so
    /// no position is ever skipped with several writers (docs/STORE.md "Stream positions"):
    /// every write takes its position with ``nextPosition(_:logger:)``, whose row lock on
    /// `stream_position` is held to commit, so the transaction at position `p` commits (and
    /// becomes visible) before any other can take `p + 1`. A snapshot that shows
    /// `stream_position = p` therefore shows every row at or below `p` and none above it, and
    /// the batch ends at `p` (or before the first message it leaves out): a later sync from
    /// that token cannot find a row at or below it that this one did not see.
    public func syncBatch(for device: DeviceRef, since: Int64, limit: Int) async throws -> SyncBatch {
        try StoredText.check(device)
        let limit = min(max(limit, 0), Int.max - 1)
        return try await snapshot { connection in
            let current = try await Self.position(connection, logger: logger)
            let rows = try await connection.query("""
                SELECT position, sender, type, content_json FROM to_device_inbox
                WHERE user_id = \(device.userID) AND device_id = \(device.deviceID) AND position > \(since) AND position <= \(current)
                ORDER BY position, seq LIMIT \(limit + 1)
                """, logger: logger)
            var messages: [DeliveredMessage] = []
            for try await (position, sender, type, content) in rows.decode((Int64, String, String, String).self) {
                messages.append(DeliveredMessage(position: position, sender: sender, type: type, contentJSON: content))
            }
            var next = max(since, current)
            if messages.count > limit {
                // more than fit: end this batch before the first message left out, so the rest
                // (and everything at its position) comes next time
                let cut = messages[limit].position
                messages = messages.filter { $0.position < cut }
                next = cut - 1
            }
            let changed = since < next ? try await Self.changes(connection, for: device.userID, from: since, to: next, logger: logger) : []
            let claimed = try await connection.query("""
                SELECT position FROM key_claim_positions WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
                """, logger: logger)
            var claimedAt: Int64 = 0
            for try await position in claimed.decode(Int64.self) { claimedAt = position }
            // an initial sync (from 0) lists every type; an incremental one those written in the batch
            let accountData = try await Self.accountDataChanges(connection, of: device.userID, from: since,
                                                                to: since == 0 ? nil : next, logger: logger)
            return SyncBatch(toDevice: messages, changedUsers: changed, keysClaimed: claimedAt > since && claimedAt <= next,
                             accountData: accountData, nextPosition: next)
        }
    }

    // MARK: - Statements shared by the event, cross-signing and account-data writes

    /// Reads `rows` to the end. A statement's error (a deadlock found while it waited for a
    /// lock, say) can arrive after its first row: reading to the end surfaces it here, typed,
    /// so the transaction is retried instead of failing later as "transaction aborted".
    static func drain(_ rows: PostgresRowSequence) async throws {
        for try await _ in rows {}
    }

    /// Transaction-scoped advisory locks, one per name list, for limits that count rows a
    /// row lock cannot cover (rows not inserted yet). Taken in ascending key order, so two
    /// transactions locking overlapping sets never wait on each other in a cycle; distinct
    /// names sharing a key only wait longer. The two-key form keeps them apart from the
    /// one-key migration lock (PostgreSQL's two advisory key spaces do not overlap).
    static func lockNames(_ connection: PostgresConnection, _ scope: SerialScope, _ names: [[String]], logger: Logger) async throws {
        let keys = Array(Set(names.map(Self.lockKey))).sorted()
        guard !keys.isEmpty else { return }
        // unnest returns the array in order, and the lock is taken row by row in that order
        try await drain(connection.query("SELECT pg_advisory_xact_lock(\(scope.rawValue), k) FROM unnest(\(keys)) AS k",
                                         logger: logger))
    }

    /// 32-bit FNV-1a of the names' bytes, each followed by NUL (which no stored name holds).
    static func lockKey(_ names: [String]) -> Int32 {
        var hash: UInt32 = 0x811C_9DC5
        for name in names {
            for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
            hash = (hash ^ 0) &* 0x0100_0193
        }
        return Int32(bitPattern: hash)
    }

    /// What an advisory lock of ``lockNames(_:_:_:logger:)`` serialises ("KM" and a number).
    enum SerialScope: Int32 {
        /// A recipient device's queue, while a send counts and fills it.
        case toDeviceQueue = 0x4B4D_0001
        /// A user's follows, while a follow counts and adds to them.
        case follows = 0x4B4D_0002
        /// A user's account data types, while a write counts and adds to them.
        case accountData = 0x4B4D_0003
    }
}
