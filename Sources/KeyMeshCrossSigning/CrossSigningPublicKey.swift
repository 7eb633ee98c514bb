// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// A cross-signing key object checked for shape (docs/CROSS-SIGNING.md): `user_id` is its user,
/// `usage` contains the expected usage, and `keys` holds exactly one `ed25519:<key>: <key>`
/// entry whose key is 32 bytes in canonical (unpadded) base64, so the key id is one spelling of
/// one key. The one parser of these objects, for the server and the trust evaluator alike.
public struct CrossSigningPublicKey: Sendable {
    /// The unpadded base64 public key: also the key's id (`ed25519:<id>`).
    public let id: String
    public let publicKey: Ed25519PublicKey
    public let usage: CrossSigningUsage
    /// The object as given.
    public let object: JSONObject

    public init?(parsing object: JSONObject, userID: String, usage: CrossSigningUsage) {
        guard object["user_id"]?.stringValue == userID,
              object["usage"]?.arrayValue?.contains(.string(usage.rawValue)) == true,
              let keys = object["keys"]?.objectValue, keys.count == 1,
              let (name, value) = keys.first(where: { _ in true }),
              let keyID = KeyID(name), keyID.algorithm == "ed25519", value.stringValue == keyID.id,
              let publicKey = try? Ed25519PublicKey(base64: keyID.id), publicKey.base64 == keyID.id
        else { return nil }
        self.id = keyID.id
        self.publicKey = publicKey
        self.usage = usage
        self.object = object
    }

    /// Whether `signatures[entity]["ed25519:<key>"]` is a valid signature by `key`.
    public func isSigned(by key: Ed25519PublicKey, entity: String) -> Bool {
        (try? JSONSigner.verify(object, entity: entity, keyID: .ed25519(key.base64), publicKey: key)) != nil
    }
}
