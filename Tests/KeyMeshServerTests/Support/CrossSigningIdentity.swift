// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// A user's three cross-signing keys, and the objects and signatures a client would upload.
struct CrossSigningIdentity: Sendable {
    let userID: String
    let master = Ed25519SecretKey()
    let selfSigning = Ed25519SecretKey()
    let userSigning = Ed25519SecretKey()

    func object(_ key: Ed25519SecretKey, usage: String) -> JSONObject {
        let id = key.publicKey.base64
        return ["user_id": .string(userID), "usage": [.string(usage)], "keys": ["ed25519:\(id)": .string(id)]]
    }

    var masterKey: JSONObject { object(master, usage: "master") }
    var selfSigningKey: JSONObject { (try? sign(object(selfSigning, usage: "self_signing"), with: master)) ?? [:] }
    var userSigningKey: JSONObject { (try? sign(object(userSigning, usage: "user_signing"), with: master)) ?? [:] }

    /// The `/keys/device_signing/upload` body with all three keys.
    var uploadBody: JSONObject {
        ["master_key": .object(masterKey), "self_signing_key": .object(selfSigningKey), "user_signing_key": .object(userSigningKey)]
    }

    /// `object` signed by `key` under `signatures[userID]["ed25519:<key>"]`.
    func sign(_ object: JSONObject, with key: Ed25519SecretKey) throws -> JSONObject {
        try JSONSigner.sign(object, entity: userID, keyID: .ed25519(key.publicKey.base64), key: key)
    }
}
