// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// A decrypted to-device message that passed every check of docs/OLM.md
///
/// Messages wait in the client's inbox until acknowledged: ``KeyMeshClient/sync(timeout:)``
/// acknowledges the messages it returned last time, and
/// ``KeyMeshClient/acknowledge(_:)`` does it at once. A crash before that delivers them again.
public struct ReceivedMessage: Sendable, Equatable {
    /// The inbox id (increasing in arrival order).
    public let id: Int64
    public let sender: DeviceIdentity
    public let type: String
    public let content: JSONObject

    init(id: Int64, sender: DeviceIdentity, type: String, content: JSONObject) {
        self.id = id
        self.sender = sender
        self.type = type
        self.content = content
    }

    /// The stored form (sealed by the store).
    func encoded() throws -> [UInt8] {
        try CanonicalJSON.encode([
            "sender": .string(sender.userID), "device_id": .string(sender.deviceID),
            "curve25519": .string(sender.curve25519.base64), "ed25519": .string(sender.ed25519.base64),
            "type": .string(type), "content": .object(content),
        ])
    }

    init?(decoding object: JSONObject, id: Int64) {
        guard let user = object["sender"]?.stringValue, let device = object["device_id"]?.stringValue,
              let curve = object["curve25519"]?.stringValue.flatMap({ try? Curve25519PublicKey(base64: $0) }),
              let ed = object["ed25519"]?.stringValue.flatMap({ try? Ed25519PublicKey(base64: $0) }),
              let type = object["type"]?.stringValue, let content = object["content"]?.objectValue
        else { return nil }
        self.init(id: id, sender: DeviceIdentity(userID: user, deviceID: device, curve25519: curve, ed25519: ed),
                  type: type, content: content)
    }
}
