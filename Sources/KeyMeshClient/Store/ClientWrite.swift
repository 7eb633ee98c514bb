// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning
import KeyMeshMatrixAPI
import KeyMeshOlm

/// One change to the client store. The client collects the changes an operation made and
/// commits them in one transaction (``ClientStore/commit(_:)``) before it acts on them
/// (sends a message, uploads keys, advances the sync token, hands messages to the app).
enum ClientWrite {
    /// The logged-in device (nil: logged out, which also forgets every other record).
    case session(KeyMeshClient.Session?)
    case account(OlmAccount)
    /// The cross-signing secrets (nil: none).
    case crossSigning(CrossSigningKeys?)
    case keysPublished(Bool)
    case nextBatch(String)
    case tracker(DeviceListTracker)
    case trust(TrustRecords)
    /// An Olm session with the device whose Curve25519 key is `senderKey`; `rank` orders a
    /// device's sessions (highest is the most recently used).
    case olmSession(senderKey: String, OlmSession, rank: Int64)
    /// A user's slice of a `/keys/query` answer.
    case userKeys(userID: String, JSONObject)
    /// A decrypted message for the app's inbox; its id is returned by the commit.
    case inboxAdd(ReceivedMessage)
    case inboxRemove([Int64])
    /// When (Unix seconds) we last repaired a wedged session with this device.
    case recovery(senderKey: String, at: Int64)
    /// The P2P state: identity, key pool, exchanges under way (docs/P2P.md).
    case p2p(P2PDeviceState)
    /// The MSL master token and its session keys (nil: none), docs/MSL.md §11.
    case msl(MSLTokenSession?)
}

/// What the client decided to trust, persisted as plain JSON (public keys only).
struct TrustRecords: Codable, Equatable, Sendable {
    /// Master keys seen before, by user (base64): a different one is an identity change.
    var pinnedMasters: [String: String] = [:]
    /// Devices the user verified by hand: user → device id → Ed25519 key (base64).
    var verifiedDevices: [String: [String: String]] = [:]
}
