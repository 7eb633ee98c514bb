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
        self.init(userID: userID, deviceID: deviceID, curve25519: curve, ed25519: ed)
    }

    init(userID: String, deviceID: String, curve25519: Curve25519PublicKey, ed25519: Ed25519PublicKey) {
        self.userID = userID
        self.deviceID = deviceID
        self.curve25519 = curve25519
        self.ed25519 = ed25519
    }

    /// The Ed25519 key in groups of four characters, for people to compare out of band.
    public var fingerprint: String { Fingerprint.format(ed25519.base64) }
}

/// Key fingerprints as people compare them: unpadded base64 in space-separated groups of four.
public enum Fingerprint {
    public static func format(_ base64: String) -> String {
        var groups: [Substring] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            groups.append(rest.prefix(4))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: " ")
    }
}
