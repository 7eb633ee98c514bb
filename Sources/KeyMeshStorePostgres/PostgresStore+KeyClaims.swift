// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Logging
import PostgresNIO

/// `/keys/claim` under the atomic-claim contract (``KeyStore``, docs/STORE.md "The atomic-claim
/// contract" and "PostgreSQL"), across every connection and process sharing the database.
///
/// Why READ COMMITTED is enough: each request is one statement,
/// `DELETE … WHERE seq = (SELECT seq … ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING …`.
/// The subquery row-locks the key it picks, and the same statement deletes it; the lock is
/// held to commit. Another claimer cannot pick a row this one has locked: `SKIP LOCKED` makes
/// it go on to the next unlocked key instead of waiting, and a row whose delete committed
/// meanwhile is no longer returned by a locking read (PostgreSQL re-checks the newest version
/// of a row before locking it and skips deleted ones). So a key is returned by the one
/// transaction that deleted it; if that transaction rolls back, the key is stored again and was
/// returned to nobody. Without `SKIP LOCKED` it would still be correct, but concurrent
/// claimers would queue on the oldest row one after the other; with it they take different
/// rows at once. The price: a claimer finds no key (and gets the fallback) when every remaining
/// key is locked by other transactions, which delete them (claims, prunes, a device delete);
/// only if such a transaction rolled back would a key have stayed while the fallback went out.
extension PostgresStore {
    public func claim(_ requests: [ClaimRequest]) async throws -> [ClaimedKey] {
        for request in requests { try StoredText.check(request.device.userID, request.device.deviceID, request.algorithm) }
        guard !requests.isEmpty else { return [] }
        return try await claims.claim(requests, store: self)
    }

    /// Claims `requests` in order on a connection inside a write transaction.
    static func claimKeys(_ connection: PostgresConnection, _ requests: [ClaimRequest], logger: Logger) async throws -> [ClaimedKey] {
        var claimed: [ClaimedKey] = []
        for request in requests {
            if let key = try await claimOneTimeKey(connection, request, logger: logger) {
                claimed.append(key)
            } else if let key = try await claimFallbackKey(connection, request, logger: logger) {
                claimed.append(key)
            }
        }
        return claimed
    }

    /// Records that the claimed devices' key counts changed (their next sync reports it,
    /// EventStore): one position for all of them, taken last in the transaction because its
    /// row lock is held to commit.
    static func recordClaimPositions(_ connection: PostgresConnection, _ claimed: [ClaimedKey], logger: Logger) async throws {
        var devices: [DeviceRef] = []
        var seen = Set<[UInt8]>()  // bytes: devices whose ids are equal only as Swift strings stay apart
        for key in claimed where seen.insert(Array(key.device.userID.utf8) + [0] + Array(key.device.deviceID.utf8)).inserted {
            devices.append(key.device)
        }
        guard !devices.isEmpty else { return }
        let position = try await nextPosition(connection, logger: logger)
        try await connection.query("""
            INSERT INTO key_claim_positions (user_id, device_id, position)
            SELECT u, d, \(position) FROM unnest(\(devices.map(\.userID)), \(devices.map(\.deviceID))) AS t(u, d)
            ON CONFLICT (user_id, device_id) DO UPDATE SET position = EXCLUDED.position
            """, logger: logger)
    }

    /// Deletes and returns the device's oldest one-time key of the algorithm (see the type's
    /// comment), remembering its id in the same statement so a re-upload of it is not handed
    /// out again.
    private static func claimOneTimeKey(_ connection: PostgresConnection, _ request: ClaimRequest,
                                        logger: Logger) async throws -> ClaimedKey? {
        let device = request.device
        let rows = try await connection.execute(ClaimOneTimeKey(request: request), logger: logger)
        var taken: StoredKeyObject?
        for try await (keyID, json, identity) in rows {
            taken = StoredKeyObject(algorithm: request.algorithm, keyID: keyID, json: json, identity: identity)
        }
        guard let key = taken else { return nil }
        return ClaimedKey(device: device, key: key, isFallback: false)
    }

    /// Returns the device's fallback key of the algorithm and marks it used (it stays stored);
    /// concurrent claimers of one fallback key queue on its row lock, and each gets it.
    private static func claimFallbackKey(_ connection: PostgresConnection, _ request: ClaimRequest,
                                         logger: Logger) async throws -> ClaimedKey? {
        let device = request.device
        let rows = try await connection.query("""
            UPDATE fallback_keys SET used = TRUE
            WHERE user_id = \(device.userID) AND device_id = \(device.deviceID) AND algorithm = \(request.algorithm)
            RETURNING key_id, key_json, key_identity
            """, logger: logger)
        var claimed: ClaimedKey?
        for try await (keyID, json, identity) in rows.decode((String, String, String).self) {
            claimed = ClaimedKey(device: device,
                                 key: StoredKeyObject(algorithm: request.algorithm, keyID: keyID, json: json, identity: identity),
                                 isFallback: true)
        }
        return claimed
    }
}
