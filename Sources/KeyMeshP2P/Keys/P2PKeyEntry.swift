// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// One published pool entry, the public view of an ephemeral key (docs/P2P.md §3).
public struct P2PKeyEntry: Sendable, Equatable {
    /// The key id.
    public let id: String
    /// base64 of SHA-256 of the raw public key (43 characters).
    public let digest: String
    /// Milliseconds since the epoch after which the key is refused.
    public let expiresAt: Int64

    public init(id: String, digest: String, expiresAt: Int64) {
        self.id = id
        self.digest = digest
        self.expiresAt = expiresAt
    }

    /// The digest of a public key (docs/P2P.md §2).
    public static func digest(of key: Curve25519PublicKey) -> String {
        Base64.encode(SHA256Digest.hash(key.rawRepresentation))
    }

    /// `{"id", "digest", "expires_ts"}` as in the pool record.
    public var object: JSONObject {
        ["id": .string(id), "digest": .string(digest), "expires_ts": .int(expiresAt)]
    }

    /// Parses one `keys` entry of a record: a valid id, a digest of 32 bytes, an integer expiry.
    init(parsing value: JSONValue) throws(P2PError) {
        guard let object = value.objectValue else { throw .malformed("record.keys entries must be objects") }
        let reader = P2PJSONReader(object, context: "record.keys[]")
        id = try reader.id("id")
        digest = try reader.string("digest")
        guard P2PJSONReader.isBase64(digest, length: 32) else { throw .malformed("record.keys[].digest is not 32 bytes of base64") }
        expiresAt = try reader.int("expires_ts")
    }

    /// The decoded 32-byte digest (nil only for an entry built with a bad digest by hand).
    var digestBytes: [UInt8]? { try? P2PJSONReader.decode(digest, length: 32, field: "digest") }
}
