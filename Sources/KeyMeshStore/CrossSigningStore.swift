// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// Where the key server keeps cross-signing keys and the signatures uploaded through
/// `/keys/signatures/upload` (docs/CROSS-SIGNING.md). Implemented by the same backend as the other
/// stores, because every write here is also a device-list change recorded in the same
/// transaction.
public protocol CrossSigningStore: Sendable {
    /// The stored cross-signing keys (canonical JSON) of these users, by user then usage.
    func crossSigningKeys(of userIDs: [String]) async throws -> [String: [CrossSigningUsage: String]]

    /// Stores the given keys of `requester`'s user, replacing those of the same usage, in one
    /// transaction. A master or self-signing key change is a device-list change of the user for
    /// everyone who follows the user; a user-signing key change is told only to the user.
    /// - Throws: ``StoreError/deviceNotFound(_:)`` if `requester` no longer exists at commit
    ///   (nothing stored); ``StoreError/invalidText(_:)`` for text holding NUL.
    func putCrossSigningKeys(by requester: DeviceRef, keys: [CrossSigningUsage: String]) async throws

    /// Stores signatures (already verified), skipping ones already stored. Each new signature
    /// is a device-list change of its target user: public when a user signs their own keys,
    /// told only to the signer when the target is another user (a user-signing signature). One
    /// transaction, bound to `requester` existing at commit like ``putCrossSigningKeys(by:keys:)``.
    func addSignatures(by requester: DeviceRef, _ signatures: [StoredSignature]) async throws

    /// Every stored signature on keys of these users.
    func signatures(on userIDs: [String]) async throws -> [StoredSignature]
}

/// One signature from `/keys/signatures/upload`: `signer`'s key `keyID` (`ed25519:<id>`) signed
/// `targetUser`'s key `targetID` (a device id, or a cross-signing public key).
public struct StoredSignature: Hashable, Sendable {
    public let signer: String
    public let keyID: String
    public let targetUser: String
    public let targetID: String
    public let signature: String

    public init(signer: String, keyID: String, targetUser: String, targetID: String, signature: String) {
        self.signer = signer
        self.keyID = keyID
        self.targetUser = targetUser
        self.targetID = targetID
        self.signature = signature
    }
}
