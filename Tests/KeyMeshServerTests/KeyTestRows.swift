// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import GRDB
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm

@testable import KeyMeshServer

/// Direct access to a test server's key tables: to compare stored state before and after a
/// refused request, and to plant rows an older version could have stored.
enum KeyTestRows {
    static let tables = ["device_keys", "one_time_keys", "claimed_one_time_keys", "fallback_keys",
                         "cross_signing_keys", "cross_signing_signatures"]

    /// Every row of the key tables, as text, in a stable order.
    static func dump(_ config: ServerConfig) throws -> [String] {
        let queue = try DatabaseQueue(path: config.databasePath)
        return try queue.read { db in
            try tables.flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { "\(table) \($0)" }.sorted()
            }
        }
    }

    /// Runs `sql` on the server's database.
    static func execute(_ config: ServerConfig, _ sql: String, _ arguments: StatementArguments = []) throws {
        let queue = try DatabaseQueue(path: config.databasePath)
        try queue.write { try $0.execute(sql: sql, arguments: arguments) }
    }
}

extension TestUser {
    /// A signed key object `{"key": <fresh curve25519>, "signatures": …}` by this device.
    func signedKeyObject(fallback: Bool = false) -> JSONValue {
        var object: JSONObject = ["key": .string(Curve25519SecretKey().publicKey.base64)]
        if fallback { object["fallback"] = true }
        return .object(signed(object))
    }

    /// `object` with this device's signature (any `signatures` member replaced).
    func signed(_ object: JSONObject) -> JSONObject {
        var object = object
        object["signatures"] = nil
        let bytes = (try? JSONSigner.signedBytes(of: object)) ?? []
        object["signatures"] = [userID: ["ed25519:\(deviceID)": .string(account.sign(bytes).base64)]]
        return object
    }

    /// This device's `device_keys` with `change` applied, signed again by the device.
    func deviceKeys(changing change: (inout JSONObject) -> Void) -> JSONObject {
        var object = account.deviceKeys(userID: userID, deviceID: deviceID)
        object["signatures"] = nil
        change(&object)
        return signed(object)
    }
}
