// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI

/// An uploaded cross-signing key: the library's ``CrossSigningPublicKey`` checks the shape
/// (anything else is 400 `M_INVALID_PARAM`), and this adds what the server stores.
struct CrossSigningKey: Sendable {
    let key: CrossSigningPublicKey
    /// The object to store: canonical JSON without `unsigned`.
    let json: String

    var usage: CrossSigningUsage { key.usage }
    var id: String { key.id }
    var publicKey: Ed25519PublicKey { key.publicKey }
    var object: JSONObject { key.object }

    init(_ object: JSONObject, usage: CrossSigningUsage, userID: String) throws(MatrixError) {
        var stored = object
        stored["unsigned"] = nil
        guard let key = CrossSigningPublicKey(parsing: stored, userID: userID, usage: usage) else {
            throw .invalidParam("""
                \(usage.rawValue)_key must have your user_id, usage [\(usage.rawValue)] and exactly one \
                ed25519:<key>: <key> entry (32 bytes, unpadded base64)
                """)
        }
        self.key = key
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
