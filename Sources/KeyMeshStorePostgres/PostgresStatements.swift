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

/// The `device_keys` objects `/keys/query` asks for, in one statement: every device of the users
/// in `allOf`, and the (user, device) pairs in `users`/`devices`; at most `limit` rows.
/// Equality is byte-exact (the columns are `COLLATE "C"`), and `DISTINCT` drops a pair asked twice.
struct DeviceKeysOfUsers: PostgresPreparedStatement {
    static let name = "keymesh_device_keys_of_users"
    static let sql = """
        SELECT user_id, device_id, key_json FROM device_keys WHERE user_id = ANY($1::text[])
        UNION ALL
        SELECT k.user_id, k.device_id, k.key_json
        FROM (SELECT DISTINCT u, d FROM unnest($2::text[], $3::text[]) AS w(u, d)) AS w
        JOIN device_keys k ON k.user_id = w.u AND k.device_id = w.d
        LIMIT $4
        """
    typealias Row = (String, String, String)

    let allOf: [String]
    let users: [String]
    let devices: [String]
    let limit: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(allOf)
        bindings.append(users)
        bindings.append(devices)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// A statement whose one parameter is a list of user ids (`$1::text[]`).
protocol UsersStatement: PostgresPreparedStatement {
    var users: [String] { get }
}

extension UsersStatement {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(users)
        return bindings
    }
}

/// Devices' display names of some users (`/keys/query`).
struct DisplayNamesOfUsers: UsersStatement {
    static let name = "keymesh_display_names_of_users"
    static let sql = """
        SELECT user_id, device_id, display_name FROM devices WHERE user_id = ANY($1::text[]) AND display_name IS NOT NULL
        """
    typealias Row = (String, String, String)

    let users: [String]

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Cross-signing keys of some users (`/keys/query`).
struct CrossSigningKeysOfUsers: UsersStatement {
    static let name = "keymesh_cross_signing_keys_of_users"
    static let sql = "SELECT user_id, usage, key_json FROM cross_signing_keys WHERE user_id = ANY($1::text[])"
    typealias Row = (String, String, String)

    let users: [String]

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Cross-signing signatures on some users' keys and devices (`/keys/query`): per user in the
/// order given, each ordered by target, signer, key.
struct SignaturesOnUsers: UsersStatement {
    static let name = "keymesh_signatures_on_users"
    static let sql = """
        SELECT u.user_id, s.signer, s.key_id, s.target_id, s.signature
        FROM unnest($1::text[]) WITH ORDINALITY AS u(user_id, i)
        JOIN cross_signing_signatures s ON s.target_user = u.user_id
        ORDER BY u.i, s.target_id, s.signer, s.key_id
        """
    typealias Row = (String, String, String, String, String)

    let users: [String]

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Deletes and returns the oldest unlocked one-time key of a device and algorithm, and
/// remembers its id so a re-upload of it is not handed out again, in one statement (a claim;
/// why it never hands a key out twice: PostgresStore+KeyClaims.swift).
struct ClaimOneTimeKey: PostgresPreparedStatement {
    static let name = "keymesh_claim_one_time_key"
    static let sql = """
        WITH taken AS (
            DELETE FROM one_time_keys WHERE seq = (
                SELECT seq FROM one_time_keys WHERE user_id = $1 AND device_id = $2 AND algorithm = $3
                ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING user_id, device_id, algorithm, key_id, key_json, key_identity),
        remembered AS (
            INSERT INTO claimed_one_time_keys (user_id, device_id, algorithm, key_id, key_identity)
            SELECT user_id, device_id, algorithm, key_id, key_identity FROM taken
            ON CONFLICT DO NOTHING)
        SELECT key_id, key_json, key_identity FROM taken
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
