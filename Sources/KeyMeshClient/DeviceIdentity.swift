// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// Another device's identity keys, taken from a `/keys/query` answer only after checking that the
/// object sits under its own user and device id and carries a valid self-signature.
public struct DeviceIdentity: Hashable, Sendable {
    public let userID: String
    public let deviceID: String
    public let curve25519: Curve25519PublicKey
    public let ed25519: Ed25519PublicKey

    init?(parsing object: JSONObject, userID: String, deviceID: String) {
        guard object["user_id"]?.stringValue == userID, object["device_id"]?.stringValue == deviceID,
              let keys = object["keys"]?.objectValue,
              let curve = keys["curve25519:\(deviceID)"]?.stringValue.flatMap({ try? Curve25519PublicKey(base64: $0) }),
              let ed = keys["ed25519:\(deviceID)"]?.stringValue.flatMap({ try? Ed25519PublicKey(base64: $0) }),
              (try? JSONSigner.verify(object, entity: userID, keyID: .ed25519(deviceID), publicKey: ed)) != nil
        else { return nil }
        self.userID = userID
        self.deviceID = deviceID
        self.curve25519 = curve
        self.ed25519 = ed
    }
}

/// A decrypted to-device message that passed every check of matrix-e2e.md §4.9.
public struct ReceivedMessage: Sendable {
    public let sender: DeviceIdentity
    public let type: String
    public let content: JSONObject
}
