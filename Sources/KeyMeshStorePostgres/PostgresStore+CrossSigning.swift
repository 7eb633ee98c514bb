// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshStore
import PostgresNIO

/// Cross-signing keys and signatures (docs/CROSS-SIGNING.md), each write a device-list change
/// in the same transaction, as the embedded store records them.
extension PostgresStore: CrossSigningStore {
    public func crossSigningKeys(of userIDs: [String]) async throws -> [String: [CrossSigningUsage: String]] {
        for user in userIDs { try StoredText.check(user) }
        guard !userIDs.isEmpty else { return [:] }
        let logger = self.logger
        return try await read { connection in
            var out: [String: [CrossSigningUsage: String]] = [:]
            let rows = try await connection.execute(CrossSigningKeysOfUsers(users: userIDs), logger: logger)
            for try await (user, usage, json) in rows {
                guard let usage = CrossSigningUsage(rawValue: usage) else { continue }
                out[user, default: [:]][usage] = json
            }
            return out
        }
    }

    public func putCrossSigningKeys(by requester: DeviceRef, keys: [CrossSigningUsage: String]) async throws {
        try StoredText.check(requester.userID, requester.deviceID)
        for json in keys.values { try StoredText.check(json) }
        let userID = requester.userID
        try await write { connection in
            try await Self.requireDevice(connection, requester, logger: logger)
            var publicChange = false
            var ownerChange = false
            for (usage, json) in keys {
                // a row comes back only if the key is new or different: an upload of the same
                // key is no change
                let rows = try await connection.query("""
                    INSERT INTO cross_signing_keys (user_id, usage, key_json) VALUES (\(userID), \(usage.rawValue), \(json))
                    ON CONFLICT (user_id, usage) DO UPDATE SET key_json = EXCLUDED.key_json
                    WHERE cross_signing_keys.key_json <> EXCLUDED.key_json
                    RETURNING 1
                    """, logger: logger)
                var changed = false
                for try await _ in rows { changed = true }
                guard changed else { continue }
                if usage == .userSigning { ownerChange = true } else { publicChange = true }
            }
            // the position last: the change rows carry it
            if publicChange { try await Self.recordDeviceListChange(connection, userID: userID, logger: logger) }
            if ownerChange, !publicChange { try await Self.recordDeviceListChange(connection, userID: userID, ownerOnly: true, logger: logger) }
        }
    }

    public func addSignatures(by requester: DeviceRef, _ signatures: [StoredSignature]) async throws {
        try StoredText.check(requester.userID, requester.deviceID)
        for signature in signatures {
            try StoredText.check(signature.signer, signature.keyID, signature.targetUser, signature.targetID, signature.signature)
        }
        try await write { connection in
            try await Self.requireDevice(connection, requester, logger: logger)
            guard !signatures.isEmpty else { return }
            // ON CONFLICT DO NOTHING skips stored ones (and repeats within the request): only
            // new signatures come back
            let rows = try await connection.query("""
                INSERT INTO cross_signing_signatures (signer, key_id, target_user, target_id, signature)
                SELECT * FROM unnest(\(signatures.map(\.signer)), \(signatures.map(\.keyID)), \(signatures.map(\.targetUser)),
                                     \(signatures.map(\.targetID)), \(signatures.map(\.signature)))
                ON CONFLICT DO NOTHING
                RETURNING signer, target_user
                """, logger: logger)
            var changed: [ByteKey: (user: String, ownerOnly: Bool)] = [:]
            for try await (signer, targetUser) in rows.decode((String, String).self) {
                if signer.utf8.elementsEqual(targetUser.utf8) {
                    changed[ByteKey(targetUser)] = (targetUser, false)  // a user signing their own keys: public
                } else if changed[ByteKey(signer)] == nil {
                    changed[ByteKey(signer)] = (signer, true)  // a user-signing signature on another user: the signer only
                }
            }
            // one change per user, in a fixed order; positions last
            for (_, change) in changed.sorted(by: { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) }) {
                try await Self.recordDeviceListChange(connection, userID: change.user, ownerOnly: change.ownerOnly, logger: logger)
            }
        }
    }

    public func signatures(on userIDs: [String]) async throws -> [StoredSignature] {
        for user in userIDs { try StoredText.check(user) }
        guard !userIDs.isEmpty else { return [] }
        return try await read { connection in
            // per user in the order asked, each ordered by target, signer, key
            let rows = try await connection.execute(SignaturesOnUsers(users: userIDs), logger: logger)
            var out: [StoredSignature] = []
            for try await (user, signer, keyID, targetID, signature) in rows {
                out.append(StoredSignature(signer: signer, keyID: keyID, targetUser: user, targetID: targetID, signature: signature))
            }
            return out
        }
    }
}
