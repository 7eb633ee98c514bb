// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Logging
import PostgresNIO

/// Queuing to-device messages (docs/STORE.md "The stream", "Limits inside transactions"), with
/// the embedded store's semantics; where that store relies on its single writer, this one
/// takes a lock or relies on a constraint, named where it does.
extension PostgresStore {
    public func sendToDevice(_ messages: [ToDeviceMessage], transaction: ToDeviceTransaction, limits: StoreLimits) async throws -> Set<String> {
        let sender = transaction.sender
        try StoredText.check(messages, transaction: transaction)  // every text, before anything is written
        return try await write { connection in
            try await Self.requireDevice(connection, sender, logger: logger)  // bound to a live device (docs/SECURITY.md "Writes")
            // the unique constraint makes the id single-use across instances: a concurrent
            // request with the same id waits here for this one, then finds it taken; a refused
            // request rolls its id back with everything else
            let inserted = try await connection.query("""
                INSERT INTO to_device_txns (user_id, device_id, txn_id)
                VALUES (\(sender.userID), \(sender.deviceID), \(transaction.transactionID))
                ON CONFLICT DO NOTHING RETURNING seq
                """, logger: logger)
            var isNew = false
            for try await _ in inserted { isNew = true }
            guard isNew else { return [] }  // a retry: already queued
            let deliveries = try await Self.deliveries(connection, messages, logger: logger)
            try await Self.forgetOldTransactions(connection, of: sender, keep: limits.transactionIDsPerDevice, logger: logger)
            return try await Self.queue(connection, deliveries, limits: limits, logger: logger)
        }
    }

    /// One message for one existing device.
    struct Delivery {
        let device: DeviceRef
        let message: ToDeviceMessage
    }

    /// Who gets what: one message per device and request, a named device beating `*` (named
    /// recipients first, in request order, then each `*` with the user's devices in id
    /// order), devices compared byte-exact. Unknown users and devices are skipped. The device
    /// rows are locked `FOR KEY SHARE`, so a concurrent delete of a recipient waits for this
    /// send (and then deletes what it queued) or commits first (and the device is skipped).
    static func deliveries(_ connection: PostgresConnection, _ messages: [ToDeviceMessage], logger: Logger) async throws -> [Delivery] {
        let named = messages.filter { $0.recipient.deviceID != "*" }
        let everyDevice = messages.filter { $0.recipient.deviceID == "*" }
        var existing = Set<ByteKey>()
        if !named.isEmpty {
            let rows = try await connection.query("""
                SELECT d.user_id, d.device_id FROM devices d
                WHERE (d.user_id, d.device_id) IN (SELECT * FROM unnest(\(named.map(\.recipient.userID)), \(named.map(\.recipient.deviceID))))
                ORDER BY d.user_id, d.device_id FOR KEY SHARE
                """, logger: logger)
            for try await (user, device) in rows.decode((String, String).self) { existing.insert(ByteKey(user, device)) }
        }
        var devicesOf: [ByteKey: [String]] = [:]
        if !everyDevice.isEmpty {
            let rows = try await connection.query("""
                SELECT user_id, device_id FROM devices WHERE user_id = ANY(\(everyDevice.map(\.recipient.userID)))
                ORDER BY user_id, device_id FOR KEY SHARE
                """, logger: logger)
            for try await (user, device) in rows.decode((String, String).self) { devicesOf[ByteKey(user), default: []].append(device) }
        }
        var delivered = Set<ByteKey>()
        var deliveries: [Delivery] = []
        for message in named {
            let recipient = message.recipient
            let key = ByteKey(recipient.userID, recipient.deviceID)
            if existing.contains(key), delivered.insert(key).inserted {
                deliveries.append(Delivery(device: recipient, message: message))
            }
        }
        for message in everyDevice {
            let userID = message.recipient.userID
            for deviceID in devicesOf[ByteKey(userID)] ?? [] where delivered.insert(ByteKey(userID, deviceID)).inserted {
                deliveries.append(Delivery(device: DeviceRef(userID: userID, deviceID: deviceID), message: message))
            }
        }
        return deliveries
    }

    /// Checks the limits and queues the deliveries, all at one new position (they are one
    /// event, per device). Returns the users that got a message.
    ///
    /// The per-device queue limit counts rows other transactions may be adding: each
    /// recipient's queue is locked first (a transaction-scoped advisory lock per device, in
    /// key order), so two senders to one device count one after the other and the second sees
    /// the first's messages. Not the device rows `FOR UPDATE`: every write of a device holds
    /// its row `FOR SHARE`, so A sending to B while B sends to A would deadlock.
    static func queue(_ connection: PostgresConnection, _ deliveries: [Delivery], limits: StoreLimits, logger: Logger) async throws -> Set<String> {
        // the embedded store refuses at the first device over a limit, in delivery order: the
        // first full queue among the first `toDevicePerRequest`, else the request's size
        let checked = Array(deliveries.prefix(max(limits.toDevicePerRequest, 0)))
        if !checked.isEmpty {
            try await lockNames(connection, .toDeviceQueue, checked.map { [$0.device.userID, $0.device.deviceID] }, logger: logger)
            let rows = try await connection.query("""
                SELECT r.i, (SELECT COUNT(*) FROM to_device_inbox q WHERE q.user_id = r.u AND q.device_id = r.d)
                FROM unnest(\(checked.map(\.device.userID)), \(checked.map(\.device.deviceID))) WITH ORDINALITY AS r(u, d, i)
                ORDER BY r.i
                """, logger: logger)
            var full: Int?
            for try await (index, count) in rows.decode((Int64, Int64).self) where full == nil && count >= limits.queuedToDevicePerDevice {
                full = Int(index) - 1
            }
            if let full, checked.indices.contains(full) {
                // refused, not dropped: the sender hears it, and nothing queued is lost
                let device = checked[full].device
                throw StoreError.limitExceeded(what: "queued to-device messages for \(device.userID) \(device.deviceID)",
                                               limit: limits.queuedToDevicePerDevice)
            }
        }
        guard deliveries.count <= limits.toDevicePerRequest else {
            throw StoreError.limitExceeded(what: "to-device messages per request", limit: limits.toDevicePerRequest)
        }
        guard !deliveries.isEmpty else { return [] }
        let position = try await nextPosition(connection, logger: logger)  // last lock: the rows below carry it
        try await drain(connection.query("""
            INSERT INTO to_device_inbox (position, user_id, device_id, sender, type, content_json)
            SELECT \(position), u, d, s, t, c FROM unnest(\(deliveries.map(\.device.userID)), \(deliveries.map(\.device.deviceID)),
                \(deliveries.map(\.message.sender)), \(deliveries.map(\.message.type)), \(deliveries.map(\.message.contentJSON)))
                AS r(u, d, s, t, c)
            """, logger: logger))
        return Set(deliveries.map(\.device.userID))
    }

    /// Keeps only the newest `keep` transaction ids of a device: a client retries a request
    /// within minutes, not after a thousand others.
    static func forgetOldTransactions(_ connection: PostgresConnection, of device: DeviceRef, keep: Int, logger: Logger) async throws {
        try await drain(connection.query("""
            DELETE FROM to_device_txns WHERE user_id = \(device.userID) AND device_id = \(device.deviceID) AND seq <= (
                SELECT seq FROM to_device_txns WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
                ORDER BY seq DESC LIMIT 1 OFFSET \(max(keep, 1)))
            """, logger: logger))
    }

    /// Identifiers as bytes (Swift's String equality is Unicode-canonical; the store's is
    /// byte-exact, docs/SECURITY.md "Identifiers").
    struct ByteKey: Hashable {
        let bytes: [UInt8]

        init(_ parts: String...) {
            var bytes: [UInt8] = []
            for part in parts { bytes += part.utf8; bytes.append(0) }
            self.bytes = bytes
        }
    }
}
