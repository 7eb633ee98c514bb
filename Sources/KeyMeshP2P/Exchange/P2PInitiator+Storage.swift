// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

extension P2PInitiator {
    /// Storage form; holds the ephemeral secret while the response is awaited (the caller seals it).
    public func encoded() -> JSONObject {
        var object: JSONObject = [
            "version": 1,
            "remote_device_id": .string(remoteDeviceID),
            "local_key_id": .string(localKeyID),
            "nominated": .object(nominated.object),
            "purpose": .string(purpose.rawValue),
            "created_ts": .int(createdAt),
            "ephemeral_public": .string(ephemeralPublicKey.base64),
        ]
        if let key = ephemeral.peek() {
            object["ephemeral_secret"] = .string(Base64.encode(key.unsafeExportSecret().unsafeExportSecret()))
        }
        return object
    }

    /// The inverse of ``encoded()``.
    public init(decoding object: JSONObject) throws(P2PError) {
        let reader = P2PJSONReader(object, context: "initiator")
        guard object["version"]?.intValue == 1 else { throw .malformed("initiator.version must be 1") }
        guard let purpose = P2PPurpose(rawValue: try reader.string("purpose")) else {
            throw .malformed("initiator.purpose is unknown")
        }
        let publicKey = try reader.publicKey("ephemeral_public")
        var key: Curve25519SecretKey?
        if object.contains("ephemeral_secret") {
            do { key = try Curve25519SecretKey(secret: try reader.secret("ephemeral_secret", length: 32)) } catch {
                throw .malformed("initiator.ephemeral_secret is not an X25519 key")
            }
            guard key?.publicKey == publicKey else { throw .malformed("initiator.ephemeral_secret does not match") }
        }
        self.init(remoteDeviceID: try reader.id("remote_device_id"), localKeyID: try reader.id("local_key_id"),
                  nominated: try P2PKeyEntry(parsing: .object(try reader.object("nominated"))), purpose: purpose,
                  createdAt: try reader.int("created_ts"), ephemeralPublicKey: publicKey,
                  ephemeral: P2PEphemeralSecret(key))
    }
}
