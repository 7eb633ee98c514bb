// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import PostgresNIO

// The hot paths as named prepared statements (docs/STORE.md "PostgreSQL"): postgres-nio
// prepares each once per connection and then only binds and executes it, so PostgreSQL parses
// and plans it once per connection instead of once per request.

/// The device an access token's hash belongs to (every authenticated request).
struct DeviceForTokenHash: PostgresPreparedStatement {
    static let name = "keymesh_device_for_token_hash"
    static let sql = "SELECT user_id, device_id FROM access_tokens WHERE token_hash = $1"
    typealias Row = (String, String)

    let tokenHash: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(tokenHash)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// One user's `device_keys` objects (`/keys/query`): all of them when `deviceIDs` is empty,
/// at most `limit` rows.
struct DeviceKeysOfUser: PostgresPreparedStatement {
    static let name = "keymesh_device_keys_of_user"
    static let sql = """
        SELECT device_id, key_json FROM device_keys
        WHERE user_id = $1 AND (cardinality($2::text[]) = 0 OR device_id = ANY($2::text[])) LIMIT $3
        """
    typealias Row = (String, String)

    let userID: String
    let deviceIDs: [String]
    let limit: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(userID)
        bindings.append(deviceIDs)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Deletes and returns the oldest unlocked one-time key of a device and algorithm (a claim;
/// why it never hands a key out twice: PostgresStore+KeyClaims.swift).
struct ClaimOneTimeKey: PostgresPreparedStatement {
    static let name = "keymesh_claim_one_time_key"
    static let sql = """
        DELETE FROM one_time_keys WHERE seq = (
            SELECT seq FROM one_time_keys WHERE user_id = $1 AND device_id = $2 AND algorithm = $3
            ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING key_id, key_json, key_identity
        """
    typealias Row = (String, String, String)

    let request: ClaimRequest

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(request.device.userID)
        bindings.append(request.device.deviceID)
        bindings.append(request.algorithm)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Unclaimed one-time keys of a device per algorithm (every `/sync` and `/keys/upload`).
struct OneTimeKeyCounts: PostgresPreparedStatement {
    static let name = "keymesh_one_time_key_counts"
    static let sql = """
        SELECT algorithm, count(*) FROM one_time_keys WHERE user_id = $1 AND device_id = $2 GROUP BY algorithm
        """
    typealias Row = (String, Int64)

    let device: DeviceRef

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(device.userID)
        bindings.append(device.deviceID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
