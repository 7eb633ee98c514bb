// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshOlm

extension KeyMeshClient {
    /// Uploads signed device keys, one-time keys up to ``oneTimeKeyTarget``, and a fallback key.
    /// The first ``sync(timeout:)`` or ``send(to:type:content:)`` does it if the app has not.
    public func publishKeys() async throws {
        try await exclusively { try await publishKeysNow() }
    }

    func publishKeysNow() async throws {
        let session = try requireSession()
        _ = account.generateOneTimeKeys(count: Self.oneTimeKeyTarget)
        _ = account.generateFallbackKey()
        try await upload([
            "device_keys": .object(account.deviceKeys(userID: session.userID, deviceID: session.deviceID)),
            "one_time_keys": .object(account.signedOneTimeKeys(userID: session.userID, deviceID: session.deviceID)),
            "fallback_keys": .object(account.signedFallbackKeys(userID: session.userID, deviceID: session.deviceID)),
        ])
        state.keysPublished = true
        pending.append(.keysPublished(true))
        try await maintainPool()  // the P2P record (docs/P2P.md §3), so other devices of ours can reach this one
    }

    /// Commits the account holding the new secrets, uploads, then marks the keys published.
    /// Committing first means the server never holds a public key whose secret we could lose;
    /// a crash after the upload only re-uploads the same keys, which the server accepts.
    private func upload(_ body: JSONObject) async throws {
        pending.append(.account(account))
        try commitPending()
        _ = try await connection.call("POST", "keys/upload", token: try requireSession().accessToken, body: body)
        account.markKeysAsPublished()
        pending.append(.account(account))
    }

    /// Tops one-time keys up to the target and replaces a fallback key the server handed out
    /// (the previous one is kept, so a pre-key message that used it still decrypts).
    func maintainKeys(counts: JSONObject, unusedFallback: [String]) async throws {
        let session = try requireSession()
        guard state.keysPublished else { return try await publishKeysNow() }  // the first sync bootstraps
        var body = JSONObject()
        let count = Int(counts["signed_curve25519"]?.intValue ?? 0)
        if count < Self.oneTimeKeyTarget {
            _ = account.generateOneTimeKeys(count: Self.oneTimeKeyTarget - count)
            body["one_time_keys"] = .object(account.signedOneTimeKeys(userID: session.userID, deviceID: session.deviceID))
        }
        if !unusedFallback.contains("signed_curve25519") {
            _ = account.generateFallbackKey()
            body["fallback_keys"] = .object(account.signedFallbackKeys(userID: session.userID, deviceID: session.deviceID))
        }
        if !body.isEmpty { try await upload(body) }
    }
}
