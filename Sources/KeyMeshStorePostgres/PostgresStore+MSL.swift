// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Logging
import NIOCore
import PostgresNIO

/// MSL lineages in `msl_lineages`: one row per device, the newest master token issued for it
/// (docs/STORE.md "MSL lineages"). The identity is BYTEA holding its UTF-8 bytes, so it is
/// stored and compared byte for byte.
extension PostgresStore: MSLLineageStore {
    public func mslLineage(of device: DeviceRef) async throws -> MSLStoredLineage? {
        try StoredText.check(device)
        let logger = self.logger
        return try await read { connection in
            let rows = try await connection.query("""
                SELECT identity, serial, sequence, expiration FROM msl_lineages
                WHERE user_id = \(device.userID) AND device_id = \(device.deviceID)
                """, logger: logger)
            for try await (identity, serial, sequence, expiration) in rows.decode((ByteBuffer, Int64, Int64, Int64).self) {
                return MSLStoredLineage(identity: Array(identity.readableBytesView),
                                        token: MSLTokenStamp(serialNumber: serial, sequenceNumber: sequence, expiration: expiration))
            }
            return nil
        }
    }

    /// The compare-and-set is one upsert. A renewal's `ON CONFLICT DO UPDATE … WHERE` locks the
    /// device's row and compares the newest committed version of it (READ COMMITTED re-checks
    /// a row it had to wait for): of two renewals of one token racing on any instances, the
    /// second waits for the first and then compares against the record the first wrote, so it
    /// updates nothing and returns false. With no row, the insert itself is the record; a
    /// concurrent insert of the same device makes the second one take the conflict branch.
    public func commitMSLToken(_ device: DeviceRef, identity: String, token: MSLTokenStamp,
                               replacing: MSLTokenStamp?) async throws -> Bool {
        try StoredText.check(device)
        try StoredText.check(naming: "MSL identity", identity)
        let bytes = ByteBuffer(bytes: Array(identity.utf8))
        let logger = self.logger
        return try await write { connection in
            // bound to a device that exists now: a device deleted mid-request gets no token
            try await Self.requireDevice(connection, device, logger: logger)
            let rows: PostgresRowSequence
            if let replacing {
                rows = try await connection.query("""
                    INSERT INTO msl_lineages (user_id, device_id, identity, serial, sequence, expiration)
                    VALUES (\(device.userID), \(device.deviceID), \(bytes), \(token.serialNumber), \(token.sequenceNumber), \(token.expiration))
                    ON CONFLICT (user_id, device_id) DO UPDATE
                    SET identity = EXCLUDED.identity, serial = EXCLUDED.serial, sequence = EXCLUDED.sequence,
                        expiration = EXCLUDED.expiration
                    WHERE msl_lineages.identity = EXCLUDED.identity AND msl_lineages.serial = \(replacing.serialNumber)
                      AND msl_lineages.sequence = \(replacing.sequenceNumber) AND msl_lineages.expiration = \(replacing.expiration)
                    RETURNING 1
                    """, logger: logger)
            } else {
                rows = try await Self.upsertLineage(connection, device, identity: bytes, token: token, logger: logger)
            }
            for try await _ in rows { return true }
            return false  // not the newest token: a renewal lost a race or replays an old token
        }
    }

    /// Gives a new device a record that matches no token: a device id deleted and created again
    /// is a new device, and a token of its earlier incarnation must not pass as "issued by
    /// another instance" (docs/STORE.md "MSL lineages"). Call inside the transaction creating it.
    static func startMSLLineage(_ connection: PostgresConnection, _ device: DeviceRef, logger: Logger) async throws {
        for try await _ in try await upsertLineage(connection, device, identity: ByteBuffer(), token: .none, logger: logger) {}
    }

    private static func upsertLineage(_ connection: PostgresConnection, _ device: DeviceRef, identity: ByteBuffer,
                                      token: MSLTokenStamp, logger: Logger) async throws -> PostgresRowSequence {
        try await connection.query("""
            INSERT INTO msl_lineages (user_id, device_id, identity, serial, sequence, expiration)
            VALUES (\(device.userID), \(device.deviceID), \(identity), \(token.serialNumber), \(token.sequenceNumber), \(token.expiration))
            ON CONFLICT (user_id, device_id) DO UPDATE
            SET identity = EXCLUDED.identity, serial = EXCLUDED.serial, sequence = EXCLUDED.sequence, expiration = EXCLUDED.expiration
            RETURNING 1
            """, logger: logger)
    }
}
