// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The three public keys that set up an Olm session and name it (docs/OLM.md).
public struct SessionKeys: Sendable, Hashable {
    /// The initiator's Curve25519 identity key `I_A`.
    public let identityKey: Curve25519PublicKey
    /// The initiator's base key `E_A`.
    public let baseKey: Curve25519PublicKey
    /// The responder's one-time or fallback key `E_B`.
    public let oneTimeKey: Curve25519PublicKey

    /// `unpadded_b64(SHA-256(I_A ‖ E_A ‖ E_B))`.
    public var sessionID: String {
        Base64.encode(SHA256Digest.hash(
            identityKey.rawRepresentation + baseKey.rawRepresentation + oneTimeKey.rawRepresentation))
    }
}
