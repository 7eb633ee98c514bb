// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

extension OlmAccount {
    /// The algorithms a KeyMesh device advertises.
    public static let algorithms = ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"]

    /// Signed `device_keys` for `/keys/upload` (docs/SERVER.md "Endpoints"), self-signed with
    /// `ed25519:<deviceID>`.
    public func deviceKeys(userID: String, deviceID: String) -> JSONObject {
        var keys = JSONObject()
        keys[KeyID.curve25519(deviceID).description] = .string(curve25519Key.base64)
        keys[KeyID.ed25519(deviceID).description] = .string(ed25519Key.base64)
        var object = JSONObject()
        object["user_id"] = .string(userID)
        object["device_id"] = .string(deviceID)
        object["algorithms"] = .array(Self.algorithms.map { .string($0) })
        object["keys"] = .object(keys)
        return signed(object, userID: userID, deviceID: deviceID)
    }

    /// Signed `one_time_keys` for `/keys/upload`: every unpublished one-time key as
    /// `signed_curve25519:<id>` → `{"key": …, "signatures": …}`.
    public func signedOneTimeKeys(userID: String, deviceID: String) -> JSONObject {
        var out = JSONObject()
        for (id, key) in oneTimeKeys.sorted(by: { $0.key < $1.key }) {
            out[KeyID.signedCurve25519(id).description] = .object(
                signed(["key": .string(key.base64)], userID: userID, deviceID: deviceID))
        }
        return out
    }

    /// Signed `fallback_keys` for `/keys/upload`: the unpublished fallback key, with
    /// `"fallback": true` inside the signed object.
    public func signedFallbackKeys(userID: String, deviceID: String) -> JSONObject {
        var out = JSONObject()
        for (id, key) in fallbackKey {
            let object: JSONObject = ["key": .string(key.base64), "fallback": .bool(true)]
            out[KeyID.signedCurve25519(id).description] = .object(signed(object, userID: userID, deviceID: deviceID))
        }
        return out
    }

    private func signed(_ object: JSONObject, userID: String, deviceID: String) -> JSONObject {
        do {
            return try JSONSigner.sign(object, entity: userID, keyID: .ed25519(deviceID), key: signingKey)
        } catch {
            preconditionFailure("an object built here failed to sign: \(error)") // strings only: cannot fail
        }
    }
}
