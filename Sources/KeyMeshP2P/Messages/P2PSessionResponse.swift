// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// The body of a `sessionresponse` (docs/P2P.md §5 step 2).
public enum P2PSessionResponse: Sendable, Equatable {
    /// `{"status": "okay", "message": "ephemeral key okay", "dstkey", "auth"}`.
    case okay(dstkey: Curve25519PublicKey, auth: String)
    /// `{"status": "fail", "message": "ephemeral key mismatch"}`.
    case fail

    /// Parses a response body: a known status; for `okay` a 32-byte `dstkey` and a 32-byte `auth`.
    public init(parsing body: JSONObject) throws(P2PError) {
        let reader = P2PJSONReader(body, context: "body")
        switch try reader.string("status") {
        case "fail": self = .fail
        case "okay":
            let auth = try reader.string("auth")
            _ = try P2PJSONReader.decode(auth, length: 32, field: "body.auth")
            self = .okay(dstkey: try reader.publicKey("dstkey"), auth: auth)
        default: throw .malformed("body.status must be okay or fail")
        }
    }

    /// The body object.
    public var body: JSONObject {
        switch self {
        case .fail: ["status": "fail", "message": "ephemeral key mismatch"]
        case .okay(let dstkey, let auth):
            ["status": "okay", "message": "ephemeral key okay", "dstkey": .string(dstkey.base64), "auth": .string(auth)]
        }
    }
}
