// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// A parsed `sessionrequest` (responder side, docs/P2P.md §5 step 1), before its record is verified.
public struct P2PSessionRequest: Sendable {
    public let header: P2PHeader
    public let purpose: P2PPurpose
    /// The initiator's ephemeral key AEp.
    public let sourceKey: Curve25519PublicKey
    /// The digest of the nominated key, as sent.
    public let nominatedDigest: String
    /// The initiator's record, parsed but unverified: the caller verifies it with the sender's
    /// Ed25519 key (``P2PPoolRecord/verify(_:userID:deviceID:deviceEd25519:)``).
    public let record: P2PPoolRecord

    /// Parses a request: type `sessionrequest`, sequence 1, a known purpose, a 32-byte `srckey`,
    /// a 32-byte digest and a record from the sending device.
    public static func parse(_ message: P2PMessage) throws(P2PError) -> P2PSessionRequest {
        let header = message.header
        guard header.type == .sessionrequest else { throw .unknownType(header.type.rawValue) }
        guard header.sequence == 1 else { throw .wrongSequence(expected: 1, got: header.sequence) }
        guard case .body(let body) = message.payload else { throw .malformed("a request has a body") }
        let reader = P2PJSONReader(body, context: "body")
        guard let purpose = P2PPurpose(rawValue: try reader.string("purpose")) else {
            throw .malformed("body.purpose must be join or rotation")
        }
        let digest = try reader.string("dstkeydigest")
        _ = try P2PJSONReader.decode(digest, length: 32, field: "body.dstkeydigest")
        let record = try P2PPoolRecord.parseUnverified(try reader.object("record"))
        guard record.deviceID == header.srcClientID else { throw .malformed("body.record is not the sender's") }
        return P2PSessionRequest(header: header, purpose: purpose, sourceKey: try reader.publicKey("srckey"),
                                 nominatedDigest: digest, record: record)
    }
}
