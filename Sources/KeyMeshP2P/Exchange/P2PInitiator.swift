// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// The initiator between its `sessionrequest` and the `sessionresponse` (docs/P2P.md §5 steps 1, 3).
public struct P2PInitiator: Sendable {
    /// Waiting for the response, or finished (the ephemeral secret is gone).
    public enum State: String, Sendable { case awaitingResponse, finished }

    public let remoteDeviceID: String
    /// Our fresh key id `a`.
    public let localKeyID: String
    /// The responder's entry we nominated (id `k`, digest `BEd`).
    public let nominated: P2PKeyEntry
    public let purpose: P2PPurpose
    public let createdAt: Int64
    /// Our ephemeral public key AEp.
    public let ephemeralPublicKey: Curve25519PublicKey
    let ephemeral: P2PEphemeralSecret

    public var state: State { ephemeral.peek() == nil ? .finished : .awaitingResponse }

    init(remoteDeviceID: String, localKeyID: String, nominated: P2PKeyEntry, purpose: P2PPurpose, createdAt: Int64,
         ephemeralPublicKey: Curve25519PublicKey, ephemeral: P2PEphemeralSecret) {
        self.remoteDeviceID = remoteDeviceID
        self.localKeyID = localKeyID
        self.nominated = nominated
        self.purpose = purpose
        self.createdAt = createdAt
        self.ephemeralPublicKey = ephemeralPublicKey
        self.ephemeral = ephemeral
    }

    /// Builds the request (sequence 1) nominating `entry` of the verified `remote` record, with a
    /// fresh ephemeral key and key id drawn from `random` (32 bytes of key, then 9 of id).
    public static func start(local: P2PLocalDevice, remote: P2PPoolRecord, entry: P2PKeyEntry, purpose: P2PPurpose,
                             now: Int64, random: some RandomSource) throws(P2PError) -> (P2PInitiator, P2PMessage) {
        let key = Curve25519SecretKey(using: random)
        return try start(local: local, remote: remote, entry: entry, purpose: purpose, now: now,
                         ephemeral: key, keyID: P2PIdentifier.makeKeyID(random: random))
    }

    /// ``start(local:remote:entry:purpose:now:random:)`` with a given ephemeral key and key id
    /// (test vectors). `keyID` must be a valid id and `entry` one of `remote`'s keys, valid for
    /// at least 60 more seconds at `now` (else ``P2PError/expired``).
    public static func start(local: P2PLocalDevice, remote: P2PPoolRecord, entry: P2PKeyEntry, purpose: P2PPurpose,
                             now: Int64, ephemeral: Curve25519SecretKey,
                             keyID: String) throws(P2PError) -> (P2PInitiator, P2PMessage) {
        guard remote.userID == local.userID else { throw .wrongRecipient }
        guard remote.keys.contains(entry) else { throw .malformed("the nominated entry is not in the record") }
        guard entry.expiresAt >= now &+ P2PProtocol.nominationMargin else { throw .expired }
        _ = try P2PIdentifier.checked(keyID, field: "key id")
        let header = P2PHeader(srcClientID: local.deviceID, srcKeyID: keyID, dstClientID: remote.deviceID,
                               dstKeyID: entry.id, sequence: 1, type: .sessionrequest)
        let body: JSONObject = [
            "purpose": .string(purpose.rawValue),
            "srckey": .string(ephemeral.publicKey.base64),
            "dstkeydigest": .string(entry.digest),
            "record": .object(local.record),
        ]
        let initiator = P2PInitiator(remoteDeviceID: remote.deviceID, localKeyID: keyID, nominated: entry,
                                     purpose: purpose, createdAt: now, ephemeralPublicKey: ephemeral.publicKey,
                                     ephemeral: P2PEphemeralSecret(ephemeral))
        return (initiator, P2PMessage(header: header, payload: .body(body)))
    }

    public enum Outcome: Sendable {
        case established(P2PSession)
        /// The responder answered `fail`: fetch the record again and nominate another key.
        case mismatch
    }

    /// Whether `header` is from the nominated key to our key.
    public func matches(_ header: P2PHeader) -> Bool {
        header.srcClientID == remoteDeviceID && header.srcKeyID == nominated.id && header.dstKeyID == localKeyID
    }

    /// Handles the responder's `sessionresponse` (the session starts at ``createdAt``).
    public func receive(_ response: P2PMessage, local: P2PLocalDevice,
                        remote: P2PPoolRecord) throws(P2PError) -> Outcome {
        try receive(response, local: local, remote: remote, now: createdAt)
    }

    /// Handles the responder's `sessionresponse`: the digest check, key derivation and the
    /// SessionVerifier check (docs/P2P.md §5 step 3); the session's lifetime starts at `now`.
    /// A message that is not this exchange's response changes nothing; once it is, the ephemeral
    /// secret is gone after this returns, whatever the outcome.
    public func receive(_ response: P2PMessage, local: P2PLocalDevice, remote: P2PPoolRecord,
                        now: Int64) throws(P2PError) -> Outcome {
        let header = response.header
        guard header.type == .sessionresponse else { throw .unknownType(header.type.rawValue) }
        guard header.dstClientID == local.deviceID else { throw .wrongRecipient }
        guard matches(header), remote.deviceID == remoteDeviceID else { throw .unknownSession }
        guard header.sequence == 1 else { throw .wrongSequence(expected: 1, got: header.sequence) }
        guard case .body(let body) = response.payload else { throw .malformed("a response has a body") }
        let answer = try P2PSessionResponse(parsing: body)
        guard let key = ephemeral.take() else { throw .sessionClosed }
        guard case .okay(let dstkey, let auth) = answer else { return .mismatch }
        guard let nominatedDigest = nominated.digestBytes,
              ConstantTime.equals(SHA256Digest.hash(dstkey.rawRepresentation), nominatedDigest)
        else { throw .digestMismatch }
        let transcript = P2PKeyAgreement.Transcript(
            userID: local.userID, purpose: purpose,
            initiatorDeviceID: local.deviceID, initiatorKeyID: localKeyID,
            initiatorIdentity: local.identity.publicKey, initiatorEphemeral: key.publicKey,
            responderDeviceID: remoteDeviceID, responderKeyID: nominated.id,
            responderIdentity: remote.identityKey, responderEphemeral: dstkey)
        let ikm = try P2PKeyAgreement.initiatorIKM(identity: local.identity.key, ephemeral: key,
                                                   remoteIdentity: remote.identityKey, remoteEphemeral: dstkey)
        let keys = try P2PSessionKeys(ikm: ikm, transcript: transcript)
        guard keys.acceptsVerifier(auth) else { throw .authenticationFailure }
        return .established(P2PSession(role: .initiator, purpose: purpose, localDeviceID: local.deviceID,
                                        localKeyID: localKeyID, remoteDeviceID: remoteDeviceID,
                                        remoteKeyID: nominated.id, createdAt: now, keys: keys))
    }
}

extension P2PInitiator: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "P2PInitiator(\(purpose.rawValue) \(localKeyID) → \(remoteDeviceID)/\(nominated.id), \(state.rawValue), secret redacted)"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["remoteDeviceID": remoteDeviceID, "localKeyID": localKeyID, "state": state],
               displayStyle: .struct)
    }
}
