// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import PostgresNIO

// `/keys/upload`'s statements as named prepared statements (see PostgresStatements.swift):
// unprepared, PostgreSQL planned each of them on every upload, which cost more than running them.

/// The identities stored under some one-time key ids of a device: unclaimed keys (source 0)
/// and claimed, remembered ids (source 1).
struct StoredOneTimeKeyIdentities: PostgresPreparedStatement {
    static let name = "keymesh_stored_one_time_key_identities"
    static let sql = """
        SELECT 0::int4, o.algorithm, o.key_id, o.key_identity
        FROM unnest($3::text[], $4::text[]) AS t(a, k)
        JOIN one_time_keys o ON o.user_id = $1 AND o.device_id = $2 AND o.algorithm = t.a AND o.key_id = t.k
        UNION ALL
        SELECT 1::int4, c.algorithm, c.key_id, c.key_identity
        FROM unnest($3::text[], $4::text[]) AS t(a, k)
        JOIN claimed_one_time_keys c ON c.user_id = $1 AND c.device_id = $2 AND c.algorithm = t.a AND c.key_id = t.k
        """
    typealias Row = (Int32, String, String, String)

    let device: DeviceRef
    let algorithms: [String]
    let keyIDs: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(device.userID)
        bindings.append(device.deviceID)
        bindings.append(algorithms)
        bindings.append(keyIDs)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Inserts one-time keys in the order given; returns the ids it inserted (an id stored
/// meanwhile by another transaction is skipped, not an error).
struct InsertOneTimeKeys: PostgresPreparedStatement {
    static let name = "keymesh_insert_one_time_keys"
    static let sql = """
        INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, key_identity)
        SELECT $1, $2, a, k, j, i
        FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(a, k, j, i, n)
        ORDER BY n
        ON CONFLICT (user_id, device_id, algorithm, key_id) DO NOTHING
        RETURNING algorithm, key_id
        """
    typealias Row = (String, String)

    let device: DeviceRef
    let keys: [StoredKeyObject]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(device.userID)
        bindings.append(device.deviceID)
        bindings.append(keys.map(\.algorithm))
        bindings.append(keys.map(\.keyID))
        bindings.append(keys.map(\.json))
        bindings.append(keys.map(\.identity))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Deletes a device's oldest unclaimed one-time keys above `keep`.
struct PruneOneTimeKeys: PostgresPreparedStatement {
    static let name = "keymesh_prune_one_time_keys"
    static let sql = """
        DELETE FROM one_time_keys WHERE seq IN (
            SELECT seq FROM one_time_keys WHERE user_id = $1 AND device_id = $2 ORDER BY seq DESC OFFSET $3)
        """
    typealias Row = Void

    let device: DeviceRef
    let keep: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(device.userID)
        bindings.append(device.deviceID)
        bindings.append(keep)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
