// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import GRDB
import KeyMeshMatrixAPI
import KeyMeshStore

extension SQLiteStore: CrossSigningStore {
    public func crossSigningKeys(of userIDs: [String]) async throws -> [String: [CrossSigningUsage: String]] {
        try read { db in
            var out: [String: [CrossSigningUsage: String]] = [:]
            let statement = try db.cachedStatement(sql: "SELECT usage, key_json FROM cross_signing_keys WHERE user_id = ?")
            for user in userIDs {
                for row in try Row.fetchAll(statement, arguments: Self.bind(user)) {
                    guard let usage = CrossSigningUsage(rawValue: row["usage"]) else { continue }
                    out[user, default: [:]][usage] = row["key_json"]
                }
            }
            return out
        }
    }

    public func putCrossSigningKeys(by requester: DeviceRef, keys: [CrossSigningUsage: String]) async throws {
        let userID = requester.userID
        try await commits.write { db in
            try Self.requireDevice(db, requester)
            var publicChange = false
            var ownerChange = false
            for (usage, json) in keys {
                let current = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT key_json FROM cross_signing_keys WHERE user_id = ? AND usage = ?"),
                    arguments: Self.bind(userID, usage.rawValue))
                guard current != json else { continue }
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO cross_signing_keys (user_id, usage, key_json) VALUES (?, ?, ?)")
                    .execute(arguments: Self.bind(userID, usage.rawValue, json))
                if usage == .userSigning { ownerChange = true } else { publicChange = true }
            }
            if publicChange { try Self.recordDeviceListChange(db, userID: userID) }
            if ownerChange, !publicChange { try Self.recordDeviceListChange(db, userID: userID, ownerOnly: true) }
        }
    }

    public func addSignatures(by requester: DeviceRef, _ signatures: [StoredSignature]) async throws {
        try await commits.write { db in
            try Self.requireDevice(db, requester)
            var changed: [String: Bool] = [:]  // user → owner only
            for signature in signatures {
                try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO cross_signing_signatures (signer, key_id, target_user, target_id, signature)
                    VALUES (?, ?, ?, ?, ?)
                    """).execute(arguments: Self.bind(signature.signer, signature.keyID, signature.targetUser,
                                                      signature.targetID, signature.signature))
                guard db.changesCount > 0 else { continue }
                if signature.signer == signature.targetUser {
                    changed[signature.targetUser] = false
                } else if changed[signature.signer] == nil {
                    changed[signature.signer] = true
                }
            }
            for (user, ownerOnly) in changed { try Self.recordDeviceListChange(db, userID: user, ownerOnly: ownerOnly) }
        }
    }

    public func signatures(on userIDs: [String]) async throws -> [StoredSignature] {
        try read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT signer, key_id, target_id, signature FROM cross_signing_signatures WHERE target_user = ?
                ORDER BY target_id, signer, key_id
                """)
            return try userIDs.flatMap { user in
                try Row.fetchAll(statement, arguments: Self.bind(user)).map {
                    StoredSignature(signer: $0["signer"], keyID: $0["key_id"], targetUser: user, targetID: $0["target_id"],
                                    signature: $0["signature"])
                }
            }
        }
    }
}
