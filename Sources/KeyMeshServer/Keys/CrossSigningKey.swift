// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshStore

/// A checked cross-signing key object (matrix-e2e.md §3.1): `user_id` is the uploader, `usage`
/// names the expected purpose, and `keys` holds exactly one `ed25519:<public key>` whose value is
/// that public key. Anything else is 400 `M_INVALID_PARAM`.
struct CrossSigningKey: Sendable {
    let usage: CrossSigningUsage
    let publicKey: Ed25519PublicKey
    /// The unpadded base64 public key: also the key's id (`ed25519:<id>`).
    let id: String
    let object: JSONObject
    /// The object to store: canonical JSON without `unsigned`.
    let json: String

    init(_ object: JSONObject, usage: CrossSigningUsage, userID: String) throws(MatrixError) {
        let field = usage.rawValue + "_key"
        guard try object.string("user_id", at: "\(field).") == userID else {
            throw .invalidParam("\(field).user_id must be your user id")
        }
        guard let usages = object["usage"]?.arrayValue, usages.contains(.string(usage.rawValue)) else {
            throw .invalidParam("\(field).usage must contain \(usage.rawValue)")
        }
        let keys = try object.object("keys", at: "\(field).")
        guard keys.count == 1, let entry = keys.firstMember, let keyID = KeyID(entry.key), keyID.algorithm == "ed25519",
              entry.value.stringValue == keyID.id, let publicKey = try? Ed25519PublicKey(base64: keyID.id),
              publicKey.base64 == keyID.id
        else { throw .invalidParam("\(field).keys must hold exactly one ed25519:<key>: <key> entry (unpadded base64)") }
        var stored = object
        stored["unsigned"] = nil
        self.usage = usage
        self.publicKey = publicKey
        self.id = keyID.id
        self.object = stored
        self.json = try KeyUpload.canonical(stored)
    }

    /// Parses a stored key (the server's own JSON); nil if it no longer parses.
    static func stored(_ json: String, usage: CrossSigningUsage, userID: String) -> CrossSigningKey? {
        guard let object = (try? JSONParser.parse(json))?.objectValue else { return nil }
        return try? CrossSigningKey(object, usage: usage, userID: userID)
    }

    /// The object without `signatures`: two objects are "the same key" when these are equal.
    static func identity(_ object: JSONObject) -> String? {
        var stripped = object
        stripped["signatures"] = nil
        stripped["unsigned"] = nil
        return try? CanonicalJSON.string(.object(stripped))
    }
}

extension JSONObject {
    /// The first member (objects with exactly one member, such as a cross-signing key's `keys`).
    var firstMember: (key: String, value: JSONValue)? {
        var iterator = makeIterator()
        return iterator.next()
    }
}
