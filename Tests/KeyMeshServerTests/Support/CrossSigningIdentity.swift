// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI

/// A user's cross-signing keys (the library's ``CrossSigningKeys``) with the objects the server
/// tests upload, and a way to sign with any key (including the wrong one, for negative tests).
struct CrossSigningIdentity: Sendable {
    let keys: CrossSigningKeys
    var userID: String { keys.userID }
    var master: Ed25519SecretKey { keys.master }
    var selfSigning: Ed25519SecretKey { keys.selfSigning }
    var userSigning: Ed25519SecretKey { keys.userSigning }

    /// The `/keys/device_signing/upload` body with all three keys, made once: Ed25519
    /// signatures are randomised on Apple systems, so a second signing would differ.
    let uploadBody: JSONObject

    init(userID: String) {
        keys = CrossSigningKeys(userID: userID)
        uploadBody = (try? keys.uploadBody()) ?? [:]
    }

    func object(_ key: Ed25519SecretKey, usage: String) -> JSONObject {
        CrossSigningKeys.keyObject(userID: userID, usage: usage, key: key.publicKey)
    }

    var masterKey: JSONObject { uploadBody["master_key"]?.objectValue ?? [:] }
    var selfSigningKey: JSONObject { uploadBody["self_signing_key"]?.objectValue ?? [:] }
    var userSigningKey: JSONObject { uploadBody["user_signing_key"]?.objectValue ?? [:] }

    /// `object` signed by `key` under `signatures[userID]["ed25519:<key>"]`.
    func sign(_ object: JSONObject, with key: Ed25519SecretKey) throws -> JSONObject {
        try JSONSigner.sign(object, entity: userID, keyID: .ed25519(key.publicKey.base64), key: key)
    }
}
