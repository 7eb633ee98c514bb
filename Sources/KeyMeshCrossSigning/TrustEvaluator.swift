// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// Decides, from a `/keys/query` response and what the local user holds, how far each device is
/// trusted (docs/CROSS-SIGNING.md). Pure: no network, no store. It verifies every signature itself
/// and takes nothing on the server's word: the only key it trusts a priori is our own master
/// key, which comes from our own secrets, never from the response.
public struct TrustEvaluator: Sendable {
    /// A device the app verified itself (e.g. by comparing fingerprints), by its Ed25519 key.
    public struct LocalVerification: Hashable, Sendable {
        public let userID: String
        public let deviceID: String
        public let ed25519: String

        public init(userID: String, deviceID: String, ed25519: String) {
            self.userID = userID
            self.deviceID = deviceID
            self.ed25519 = ed25519
        }
    }

    public let ownUserID: String
    /// Our master public key (from our own cross-signing secrets), or nil before bootstrap.
    public let ownMaster: Ed25519PublicKey?
    public var locallyVerified: Set<LocalVerification>
    /// Master keys seen before, by user (base64): a different one now is an identity change.
    public var pinnedMasters: [String: String]

    public init(ownUserID: String, ownMaster: Ed25519PublicKey?, locallyVerified: Set<LocalVerification> = [],
                pinnedMasters: [String: String] = [:]) {
        self.ownUserID = ownUserID
        self.ownMaster = ownMaster
        self.locallyVerified = locallyVerified
        self.pinnedMasters = pinnedMasters
    }

    /// The trust of every user in the response (`device_keys` and `master_keys`), by user id.
    public func evaluate(_ response: JSONObject) -> [String: UserTrust] {
        let deviceKeys = response["device_keys"]?.objectValue ?? [:]
        let masters = response["master_keys"]?.objectValue ?? [:]
        let selfSigning = response["self_signing_keys"]?.objectValue ?? [:]
        let ownUserSigning = ownUserSigningKey(response)
        var users = Set(deviceKeys.keys)
        users.formUnion(masters.keys)
        var out: [String: UserTrust] = [:]
        for user in users {
            let master = masters[user]?.objectValue.flatMap { CrossSigningPublicKey(parsing: $0, userID: user, usage: .master) }
            let identity = identityTrust(user: user, master: master, ownUserSigning: ownUserSigning)
            var ssk: CrossSigningPublicKey?
            var chainProblem = master == nil ? "no master key" : "no self-signing key"
            if let master, let candidate = selfSigning[user]?.objectValue.flatMap({ CrossSigningPublicKey(parsing: $0, userID: user, usage: .selfSigning) }) {
                if candidate.isSigned(by: master.publicKey, entity: user) { ssk = candidate } else {
                    chainProblem = "self-signing key not signed by the master key"
                }
            }
            var devices: [String: DeviceTrust] = [:]
            for (deviceID, value) in deviceKeys[user]?.objectValue ?? [:] {
                devices[deviceID] = deviceTrust(user: user, deviceID: deviceID, object: value.objectValue, ssk: ssk,
                                                chainProblem: chainProblem, identity: identity)
            }
            let pinned = pinnedMasters[user]
            out[user] = UserTrust(userID: user, masterKey: master?.id, identityTrusted: identity.trusted,
                                  identityChanged: pinned != nil && master?.id != pinned, devices: devices)
        }
        return out
    }

    /// Our user-signing key from the response, only if our own master key signed it.
    private func ownUserSigningKey(_ response: JSONObject) -> CrossSigningPublicKey? {
        guard let ownMaster,
              let object = response["user_signing_keys"]?.objectValue?[ownUserID]?.objectValue,
              let key = CrossSigningPublicKey(parsing: object, userID: ownUserID, usage: .userSigning),
              key.isSigned(by: ownMaster, entity: ownUserID)
        else { return nil }
        return key
    }

    private func identityTrust(user: String, master: CrossSigningPublicKey?, ownUserSigning: CrossSigningPublicKey?) -> (trusted: Bool, reason: String) {
        guard let master else { return (false, "no master key") }
        if user == ownUserID {
            return master.publicKey == ownMaster ? (true, "") : (false, "master key is not ours")
        }
        guard let ownUserSigning else { return (false, "our user-signing key is missing or not signed by our master key") }
        return master.isSigned(by: ownUserSigning.publicKey, entity: ownUserID)
            ? (true, "") : (false, "their master key is not signed by our user-signing key")
    }

    private func deviceTrust(user: String, deviceID: String, object: JSONObject?, ssk: CrossSigningPublicKey?, chainProblem: String,
                             identity: (trusted: Bool, reason: String)) -> DeviceTrust {
        guard let object, object["user_id"]?.stringValue == user, object["device_id"]?.stringValue == deviceID,
              let ed25519Text = object["keys"]?.objectValue?["ed25519:\(deviceID)"]?.stringValue,
              let ed25519 = try? Ed25519PublicKey(base64: ed25519Text),
              (try? JSONSigner.verify(object, entity: user, keyID: .ed25519(deviceID), publicKey: ed25519)) != nil
        else { return .unverified(reason: "device keys malformed, misplaced or not self-signed") }
        var crossSigned = false
        var problem = chainProblem
        if let ssk {
            crossSigned = (try? JSONSigner.verify(object, entity: user, keyID: .ed25519(ssk.id), publicKey: ssk.publicKey)) != nil
            problem = "device not signed by the self-signing key"
        }
        if crossSigned, identity.trusted { return .crossSignedTrusted }
        if locallyVerified.contains(LocalVerification(userID: user, deviceID: deviceID, ed25519: ed25519.base64)) {
            return .locallyVerified
        }
        if crossSigned { return .signedByUntrustedIdentity(reason: identity.reason) }
        return .unverified(reason: problem)
    }
}
