// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// The responder's answer to a session request (docs/P2P.md §5 step 2).
public enum P2PResponder {
    /// Consumes the nominated key from `pool`, derives the session keys and answers `okay` with
    /// BEp and the SessionVerifier. If the key is unknown, expired, consumed or its digest differs,
    /// returns `(nil, fail response)` and leaves `pool` unchanged. Any error thrown (a low-order
    /// key, a record that is not the sender's) also leaves `pool` unchanged: the key is consumed
    /// only once the session keys exist. The pool is not refilled here (call `maintain`).
    public static func respond(to request: P2PSessionRequest, verifiedRecord: P2PPoolRecord, local: P2PLocalDevice,
                               pool: inout P2PKeyPool, now: Int64) throws(P2PError) -> (P2PSession?, P2PMessage) {
        let header = request.header
        guard header.dstClientID == local.deviceID else { throw .wrongRecipient }
        guard verifiedRecord.userID == local.userID, verifiedRecord.deviceID == header.srcClientID,
              verifiedRecord.identityKey == request.record.identityKey
        else { throw .malformed("the verified record is not the request's") }
        let reply = P2PHeader(srcClientID: local.deviceID, srcKeyID: header.dstKeyID, dstClientID: header.srcClientID,
                              dstKeyID: header.srcKeyID, sequence: 1, type: .sessionresponse)
        var trial = pool
        let key: Curve25519SecretKey
        do { key = try trial.consume(keyID: header.dstKeyID, digest: request.nominatedDigest, now: now) } catch {
            return (nil, P2PMessage(header: reply, payload: .body(P2PSessionResponse.fail.body)))
        }
        let transcript = P2PKeyAgreement.Transcript(
            userID: local.userID, purpose: request.purpose,
            initiatorDeviceID: header.srcClientID, initiatorKeyID: header.srcKeyID,
            initiatorIdentity: verifiedRecord.identityKey, initiatorEphemeral: request.sourceKey,
            responderDeviceID: local.deviceID, responderKeyID: header.dstKeyID,
            responderIdentity: local.identity.publicKey, responderEphemeral: key.publicKey)
        let ikm = try P2PKeyAgreement.responderIKM(identity: local.identity.key, ephemeral: key,
                                                   remoteIdentity: verifiedRecord.identityKey,
                                                   remoteEphemeral: request.sourceKey)
        let keys = try P2PSessionKeys(ikm: ikm, transcript: transcript)
        pool = trial
        let session = P2PSession(role: .responder, purpose: request.purpose, localDeviceID: local.deviceID,
                                 localKeyID: header.dstKeyID, remoteDeviceID: header.srcClientID,
                                 remoteKeyID: header.srcKeyID, createdAt: now, keys: keys)
        let body = P2PSessionResponse.okay(dstkey: key.publicKey, auth: keys.sessionVerifier).body
        return (session, P2PMessage(header: reply, payload: .body(body)))
    }
}
