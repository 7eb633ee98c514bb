// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import GRDB
import KeyMeshStore

extension SQLiteStore: EventStore {
    public func currentPosition() async throws -> Int64 {
        try read { db in try Self.position(db) }
    }

    static func position(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT position FROM stream_position")) ?? 0
    }

    public func sendToDevice(_ messages: [ToDeviceMessage], transaction: ToDeviceTransaction) async throws -> Set<String> {
        try await commits.write { db in
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO to_device_transactions (token_hash, txn_id) VALUES (?, ?)")
                .execute(arguments: [transaction.tokenHash, transaction.transactionID])
            guard db.changesCount > 0 else { return [] }  // a retry: already queued
            var recipients = Set<String>()
            var delivered = Set<DeviceRef>()  // one message per device and request: a named device beats `*`
            var position: Int64?
            for message in messages.sorted(by: { ($0.recipient.deviceID == "*" ? 1 : 0) < ($1.recipient.deviceID == "*" ? 1 : 0) }) {
                let recipient = message.recipient
                let deviceIDs = recipient.deviceID == "*"
                    ? try String.fetchAll(db.cachedStatement(sql: "SELECT device_id FROM devices WHERE user_id = ? ORDER BY device_id"),
                                          arguments: [recipient.userID])
                    : try String.fetchAll(db.cachedStatement(sql: "SELECT device_id FROM devices WHERE user_id = ? AND device_id = ?"),
                                          arguments: [recipient.userID, recipient.deviceID])
                for deviceID in deviceIDs where delivered.insert(DeviceRef(userID: recipient.userID, deviceID: deviceID)).inserted {
                    // one position for the whole request: it is one event per device
                    let at = try position ?? Self.nextPosition(db)
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
    }

    public func acknowledgeToDevice(_ device: DeviceRef, upTo position: Int64) async throws {
        try await commits.write { db in
            try db.cachedStatement(sql: "DELETE FROM to_device_inbox WHERE user_id = ? AND device_id = ? AND position <= ?")
                .execute(arguments: [device.userID, device.deviceID, position])
        }
    }

    public func syncBatch(for device: DeviceRef, since: Int64, limit: Int) async throws -> SyncBatch {
        try read { db in
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
            return SyncBatch(toDevice: messages, changedUsers: changed, keysClaimed: claimedAt > since && claimedAt <= next,
                             nextPosition: next)
        }
    }

    public func deviceListChanges(for userID: String, from: Int64, to: Int64) async throws -> [String] {
        try read { db in try Self.changes(db, for: userID, from: from, to: to) }
    }

    static func changes(_ db: Database, for userID: String, from: Int64, to: Int64) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: """
            SELECT DISTINCT user_id FROM device_list_changes
            WHERE position > ? AND position <= ?
              AND (user_id = ? OR (owner_only = 0 AND user_id IN (SELECT target FROM device_list_followers WHERE watcher = ?)))
            ORDER BY user_id
            """), arguments: [from, to, userID, userID])
    }

    public func follow(_ watcher: String, targets: [String]) async throws {
        try await commits.write { db in
            for target in targets where target != watcher {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO device_list_followers (watcher, target) VALUES (?, ?)")
                    .execute(arguments: [watcher, target])
            }
        }
    }
}
