// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshOlm

/// Key objects an attacker builds by hand: correctly signed by the device's own Ed25519 key
/// (so the signature check passes and only the name, owner or shape is wrong), or signed by the
/// wrong key on purpose.
enum KeyForge {
    /// `object` with `signatures[userID]["ed25519:<deviceID>"]` made by `account`.
    static func signed(_ object: JSONObject, by account: OlmAccount, userID: String, deviceID: String) throws -> JSONObject {
        let signature = account.sign(try JSONSigner.signedBytes(of: object))
        var signed = object
        signed["signatures"] = [userID: ["ed25519:\(deviceID)": .string(signature.base64)]]
        return signed
    }

    /// A fresh Curve25519 public key, base64 (from a throwaway account, so the device's own
    /// account keeps no unpublished key that a later honest upload would carry).
    static func freshKey() -> String {
        OlmAccount().generateOneTimeKeys(count: 1).first?.base64 ?? ""
    }

    /// A signed one-time key object for `user`'s device, named by the caller.
    static func oneTimeKey(_ user: TestUser, fallback: Bool = false) throws -> JSONValue {
        var object: JSONObject = ["key": .string(freshKey())]
        if fallback { object["fallback"] = true }
        return .object(try signed(object, by: user.account, userID: user.userID, deviceID: user.deviceID))
    }
}
