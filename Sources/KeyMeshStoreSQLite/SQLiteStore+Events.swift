// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import GRDB
import KeyMeshStore

/// To-device messages and `/sync` batches (docs/STORE.md "The stream"). Device-list changes and
/// follows are in SQLiteStore+DeviceLists.swift.
extension SQLiteStore: EventStore {
    public func currentPosition() async throws -> Int64 {
        try read { db in try Self.position(db) }
    }

    static func position(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT position FROM stream_position")) ?? 0
    }

    public func sendToDevice(_ messages: [ToDeviceMessage], transaction: ToDeviceTransaction, limits: StoreLimits) async throws -> Set<String> {
        let sender = transaction.sender
        try StoredText.check(messages, transaction: transaction)  // every text, before anything is written
        return try await commits.write { db in
            try Self.requireDevice(db, sender)  // bound to a live device (docs/SECURITY.md "Writes")
            let arguments: StatementArguments = [sender.userID, sender.deviceID, transaction.transactionID]
            // looked up first, so a retry writes nothing at all (not even the AUTOINCREMENT counter)
            let seen = try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM to_device_txns WHERE user_id = ? AND device_id = ? AND txn_id = ?)
                """), arguments: arguments) ?? false
            guard !seen else { return [] }  // a retry: already queued
            try db.cachedStatement(sql: "INSERT INTO to_device_txns (user_id, device_id, txn_id) VALUES (?, ?, ?)")
                .execute(arguments: arguments)
            try Self.forgetOldTransactions(db, of: sender, keep: limits.transactionIDsPerDevice)
            return try Self.queue(db, messages, limits: limits)
        }
    }

    /// Queues the messages: one per device and request, a named device beating `*`; all of a
    /// request's messages share one position (they are one event, per device).
    private static func queue(_ db: Database, _ messages: [ToDeviceMessage], limits: StoreLimits) throws -> Set<String> {
        var recipients = Set<String>()
        var delivered = Set<DeviceRef>()
        var position: Int64?
        for message in messages.sorted(by: { ($0.recipient.deviceID == "*" ? 1 : 0) < ($1.recipient.deviceID == "*" ? 1 : 0) }) {
            let recipient = message.recipient
            let deviceIDs = recipient.deviceID == "*"
                ? try String.fetchAll(db.cachedStatement(sql: "SELECT device_id FROM devices WHERE user_id = ? ORDER BY device_id"),
                                      arguments: [recipient.userID])
                : try String.fetchAll(db.cachedStatement(sql: "SELECT device_id FROM devices WHERE user_id = ? AND device_id = ?"),
                                      arguments: [recipient.userID, recipient.deviceID])
            for deviceID in deviceIDs where delivered.insert(DeviceRef(userID: recipient.userID, deviceID: deviceID)).inserted {
                guard delivered.count <= limits.toDevicePerRequest else {
                    throw StoreError.limitExceeded(what: "to-device messages per request", limit: limits.toDevicePerRequest)
                }
                let queued = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM to_device_inbox WHERE user_id = ? AND device_id = ?"),
                                              arguments: [recipient.userID, deviceID]) ?? 0
                guard queued < limits.queuedToDevicePerDevice else {
                    // refused, not dropped: the sender hears it, and nothing queued is lost
                    throw StoreError.limitExceeded(what: "queued to-device messages for \(recipient.userID) \(deviceID)",
                                                   limit: limits.queuedToDevicePerDevice)
                }
                let at = try position ?? nextPosition(db)
                position = at
                try db.cachedStatement(sql: """
                    INSERT INTO to_device_inbox (position, user_id, device_id, sender, type, content_json)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
                        .execute(arguments: [at, recipient.userID, deviceID, message.sender, message.type, message.contentJSON])
                recipients.insert(recipient.userID)
            }
        }
        return recipients
    }

    /// Keeps only the newest `keep` transaction ids of a device: a client retries a request
    /// within minutes, not after a thousand others.
    private static func forgetOldTransactions(_ db: Database, of device: DeviceRef, keep: Int) throws {
        try db.cachedStatement(sql: """
            DELETE FROM to_device_txns WHERE user_id = ? AND device_id = ? AND seq <= (
                SELECT seq FROM to_device_txns WHERE user_id = ? AND device_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)
            """).execute(arguments: [device.userID, device.deviceID, device.userID, device.deviceID, max(keep, 1)])
    }

    public func acknowledgeToDevice(_ device: DeviceRef, upTo position: Int64) async throws {
        try StoredText.check(device)
        try await commits.write { db in
            try Self.requireDevice(db, device)
            try db.cachedStatement(sql: "DELETE FROM to_device_inbox WHERE user_id = ? AND device_id = ? AND position <= ?")
                .execute(arguments: [device.userID, device.deviceID, position])
        }
    }

    public func syncBatch(for device: DeviceRef, since: Int64, limit: Int) async throws -> SyncBatch {
        try StoredText.check(device)
        return try read { db in
            let current = try Self.position(db)
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT position, sender, type, content_json FROM to_device_inbox
                WHERE user_id = ? AND device_id = ? AND position > ? AND position <= ?
                ORDER BY position, seq LIMIT ?
                """), arguments: [device.userID, device.deviceID, since, current, limit + 1])
            var messages = rows.map {
                DeliveredMessage(position: $0["position"], sender: $0["sender"], type: $0["type"], contentJSON: $0["content_json"])
            }
            var next = max(since, current)
            if messages.count > limit {
                // more than fit: end this batch before the first message left out, so the rest
                // (and everything at its position) comes next time
                let cut = messages[limit].position
                messages = messages.filter { $0.position < cut }
                next = cut - 1
            }
            let changed = since < next ? try Self.changes(db, for: device.userID, from: since, to: next) : []
            let claimedAt = try Int64.fetchOne(db.cachedStatement(sql: "SELECT position FROM key_claim_positions WHERE user_id = ? AND device_id = ?"),
                                               arguments: [device.userID, device.deviceID]) ?? 0
            // an initial sync (from 0) lists every type; an incremental one those written in the batch
            let accountData = try Self.accountDataChanges(db, of: device.userID, from: since, to: since == 0 ? nil : next)
            return SyncBatch(toDevice: messages, changedUsers: changed, keysClaimed: claimedAt > since && claimedAt <= next,
                             accountData: accountData, nextPosition: next)
        }
    }
}
