// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The key derivation of docs/P2P.md §6: the 3DHE input, the transcript salt, HKDF and the
/// split into direction, confirmation and code keys. Public so that vectors can check each step.
public enum P2PKeyAgreement {
    /// The public transcript of one exchange: A the initiator, B the responder.
    public struct Transcript: Sendable, Equatable {
        public var userID: String
        public var purpose: P2PPurpose
        public var initiatorDeviceID: String, initiatorKeyID: String
        public var initiatorIdentity: Curve25519PublicKey, initiatorEphemeral: Curve25519PublicKey
        public var responderDeviceID: String, responderKeyID: String
        public var responderIdentity: Curve25519PublicKey, responderEphemeral: Curve25519PublicKey

        public init(userID: String, purpose: P2PPurpose,
                    initiatorDeviceID: String, initiatorKeyID: String,
                    initiatorIdentity: Curve25519PublicKey, initiatorEphemeral: Curve25519PublicKey,
                    responderDeviceID: String, responderKeyID: String,
                    responderIdentity: Curve25519PublicKey, responderEphemeral: Curve25519PublicKey) {
            self.userID = userID
            self.purpose = purpose
            self.initiatorDeviceID = initiatorDeviceID
            self.initiatorKeyID = initiatorKeyID
            self.initiatorIdentity = initiatorIdentity
            self.initiatorEphemeral = initiatorEphemeral
            self.responderDeviceID = responderDeviceID
            self.responderKeyID = responderKeyID
            self.responderIdentity = responderIdentity
            self.responderEphemeral = responderEphemeral
        }

        /// salt = SHA-256("org.keymesh.p2p.v1" || lp(user_id) || lp(purpose) || lp(A device id)
        /// || lp(a) || AIp || AEp || lp(B device id) || lp(k) || BIp || BEp).
        public var salt: [UInt8] {
            var input = Array(P2PProtocol.name.utf8)
            P2PEncoding.appendLP(userID, to: &input)
            P2PEncoding.appendLP(purpose.rawValue, to: &input)
            P2PEncoding.appendLP(initiatorDeviceID, to: &input)
            P2PEncoding.appendLP(initiatorKeyID, to: &input)
            input += initiatorIdentity.rawRepresentation + initiatorEphemeral.rawRepresentation
            P2PEncoding.appendLP(responderDeviceID, to: &input)
            P2PEncoding.appendLP(responderKeyID, to: &input)
            input += responderIdentity.rawRepresentation + responderEphemeral.rawRepresentation
            return SHA256Digest.hash(input)
        }
    }

    /// The HKDF info (docs/P2P.md §6).
    static let info = Array("\(P2PProtocol.name) session".utf8)
    /// The message the SessionVerifier MACs.
    static let verifierMessage = Array("\(P2PProtocol.name) responder".utf8)

    /// IKM as A computes it: DH(AIs, BEp) || DH(AEs, BIp) || DH(AEs, BEp).
    public static func initiatorIKM(identity: Curve25519SecretKey, ephemeral: Curve25519SecretKey,
                                    remoteIdentity: Curve25519PublicKey,
                                    remoteEphemeral: Curve25519PublicKey) throws(P2PError) -> SecretBytes {
        try concatenate([dh(identity, remoteEphemeral), dh(ephemeral, remoteIdentity), dh(ephemeral, remoteEphemeral)])
    }

    /// IKM as B computes it: DH(BEs, AIp) || DH(BIs, AEp) || DH(BEs, AEp).
    public static func responderIKM(identity: Curve25519SecretKey, ephemeral: Curve25519SecretKey,
                                    remoteIdentity: Curve25519PublicKey,
                                    remoteEphemeral: Curve25519PublicKey) throws(P2PError) -> SecretBytes {
        try concatenate([dh(ephemeral, remoteIdentity), dh(identity, remoteEphemeral), dh(ephemeral, remoteEphemeral)])
    }

    /// OKM = HKDF-SHA-256(IKM, salt, "org.keymesh.p2p.v1 session", 128) (RFC 5869, the one
    /// HKDF of KeyMeshCrypto).
    public static func okm(ikm: SecretBytes, salt: [UInt8]) -> SecretBytes {
        HKDFSHA256.derive(secret: ikm, salt: salt, info: info, count: 128)
    }

    private static func dh(_ secret: Curve25519SecretKey, _ peer: Curve25519PublicKey) throws(P2PError) -> SecretBytes {
        do { return try secret.diffieHellman(with: peer) } catch {
            throw error == .nonContributoryKey ? .lowOrderKey : .malformed("not an X25519 public key")
        }
    }

    private static func concatenate(_ parts: [SecretBytes]) -> SecretBytes {
        SecretBytes(count: parts.reduce(0) { $0 + $1.count }) { out in
            var offset = 0
            for part in parts {
                part.withUnsafeBytes { raw in
                    UnsafeMutableRawBufferPointer(rebasing: out[offset..<(offset + raw.count)]).copyMemory(from: raw)
                }
                offset += part.count
            }
        }
    }
}
