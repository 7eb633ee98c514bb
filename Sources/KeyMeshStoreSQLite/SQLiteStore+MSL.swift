// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshStore

/// MSL lineages in the `msl_lineages` table (migration `v7-msl-lineages`): one row per device,
/// the newest master token issued for it (docs/STORE.md "MSL lineages"). The identity is a BLOB
/// of its UTF-8 bytes, so it is stored and compared byte for byte.
extension SQLiteStore: MSLLineageStore {
    public func mslLineage(of device: DeviceRef) async throws -> MSLStoredLineage? {
        try StoredText.check(device)
        return try read { db in try Self.lineage(db, device) }
    }

    public func commitMSLToken(_ device: DeviceRef, identity: String, token: MSLTokenStamp,
                               replacing: MSLTokenStamp?) async throws -> Bool {
        try StoredText.check(device)
        try StoredText.check(naming: "MSL identity", identity)
        let identityBytes = Array(identity.utf8)
        return try await commits.write { db in
            // bound to a device that exists now: a device deleted mid-request gets no token
            try Self.requireDevice(db, device)
            if let replacing, let current = try Self.lineage(db, device),
               current.identity != identityBytes || current.token != replacing {
                return false  // not the newest token: a renewal lost a race or replays an old token
            }
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO msl_lineages (user_id, device_id, identity, serial, sequence, expiration)
                VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [device.userID, device.deviceID, Data(identityBytes),
                                         token.serialNumber, token.sequenceNumber, token.expiration])
            return true
        }
    }

    /// Gives a new device a record that matches no token: a device id deleted and created again
    /// is a new device, and a token of its earlier incarnation must not pass as "issued by
    /// another instance" (docs/STORE.md "MSL lineages"). Call inside the transaction creating it.
    static func startMSLLineage(_ db: Database, _ device: DeviceRef) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO msl_lineages (user_id, device_id, identity, serial, sequence, expiration)
            VALUES (?, ?, x'', ?, ?, ?)
            """).execute(arguments: [device.userID, device.deviceID, MSLTokenStamp.none.serialNumber,
                                     MSLTokenStamp.none.sequenceNumber, MSLTokenStamp.none.expiration])
    }

    private static func lineage(_ db: Database, _ device: DeviceRef) throws -> MSLStoredLineage? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT identity, serial, sequence, expiration FROM msl_lineages WHERE user_id = ? AND device_id = ?
            """), arguments: [device.userID, device.deviceID])
            .map { row in
                let identity: Data = row["identity"]
                return MSLStoredLineage(identity: [UInt8](identity),
                                        token: MSLTokenStamp(serialNumber: row["serial"], sequenceNumber: row["sequence"],
                                                             expiration: row["expiration"]))
            }
    }
}
