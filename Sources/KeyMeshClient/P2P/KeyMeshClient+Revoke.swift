// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P

/// What ``KeyMeshClient/revoke(deviceID:password:resetMaster:)`` did.
public struct Revocation: Sendable, Equatable {
    /// The device deleted.
    public let deviceID: String
    /// The new self-signing and user-signing keys (base64); the master key, new only after a reset.
    public let masterKey: String, selfSigningKey: String, userSigningKey: String
    /// Our other devices re-signed; each gets the new secrets over a P2P session as it syncs.
    public let resignedDevices: [String]
    /// Users whose master key we had verified, verified again with the new user-signing key.
    public let resignedUsers: [String]
}

/// Rotation and revocation (docs/P2P.md §9).
extension KeyMeshClient {
    /// Revokes a lost device: deletes it, replaces the self-signing and user-signing keys (and
    /// the master key with `resetMaster`), re-signs our remaining devices and the users we had
    /// verified, and starts handing the new secrets to the remaining devices.
    /// - Parameter password: the account password (deleting a device and replacing keys ask for it).
    public func revoke(deviceID: String, password: String, resetMaster: Bool = false) async throws -> Revocation {
        try await exclusively {
            let me = try requireSession()
            guard let old = state.crossSigning else { throw ClientError.noCrossSigningKeys }
            guard deviceID != me.deviceID else { throw ClientError.authorisation("a device cannot revoke itself: use logout") }
            let tracked = Array(Set(state.userKeys.keys).union([me.userID]))
            state.tracker.markOutdated(tracked)
            try await refreshKeys(for: tracked)  // our user-signing signatures as the server has them now
            let ownDevices = state.userKeys[me.userID]?["device_keys"]?.objectValue ?? [:]
            guard ownDevices[deviceID] != nil else { throw ClientError.authorisation("\(me.userID) has no device \(deviceID)") }
            let remaining = ownDevices.compactMap { id, value -> String? in
                guard id != deviceID, id != me.deviceID, let object = value.objectValue,
                      (try? JSONSigner.verify(object, entity: me.userID, keyID: .ed25519(old.selfSigning.publicKey.base64),
                                              publicKey: old.selfSigning.publicKey)) != nil
                else { return nil }
                return id
            }.sorted()
            let verifiedUsers = state.userKeys.compactMap { user, keys -> String? in
                guard user != me.userID, let object = keys["master_key"]?.objectValue,
                      let master = CrossSigningPublicKey(parsing: object, userID: user, usage: .master),
                      master.isSigned(by: old.userSigning.publicKey, entity: me.userID)
                else { return nil }
                return user
            }.sorted()

            try await deleteDevice(deviceID, password: password)

            let master = resetMaster ? Ed25519SecretKey() : old.master
            let keys = CrossSigningKeys(userID: me.userID, master: master, selfSigning: Ed25519SecretKey(), userSigning: Ed25519SecretKey())
            state.crossSigning = keys
            state.p2p.pendingRotations = remaining
            state.p2p.outgoing.removeAll { $0.initiator.purpose == .rotation }
            state.p2p.masterSignature = resetMaster
                ? old.master.signature(for: P2PSecrets.newMasterStatement(master.publicKey)).base64 : nil
            pending += [.crossSigning(keys), .p2p(state.p2p)]
            try commitPending()  // the new secrets are ours before the server has them
            do {
                try await uploadCrossSigningKeys(keys, password: password, includeMaster: resetMaster)
            } catch let refusal as ClientError {
                if case .server = refusal {  // refused for sure: the server keeps the old keys, and so do we
                    state.crossSigning = old
                    state.p2p.pendingRotations = []
                    state.p2p.masterSignature = nil
                    try store.commit([.crossSigning(old), .p2p(state.p2p)])
                }
                throw refusal
            }

            var signatures: [(userID: String, keyID: String, object: JSONObject)] = [
                (me.userID, me.deviceID, try keys.signDevice(account.deviceKeys(userID: me.userID, deviceID: me.deviceID))),
            ]
            for id in remaining {
                guard var object = ownDevices[id]?.objectValue else { continue }
                object["unsigned"] = nil
                signatures.append((me.userID, id, try keys.signDevice(object)))
            }
            for user in verifiedUsers {
                guard var object = state.userKeys[user]?["master_key"]?.objectValue,
                      let key = CrossSigningPublicKey(parsing: object, userID: user, usage: .master)
                else { continue }
                object["signatures"] = nil
                signatures.append((user, key.id, try keys.signUser(masterKey: object)))
            }
            try await uploadSignatures(signatures)
            state.trust.pinnedMasters[me.userID] = master.publicKey.base64
            state.tracker.markOutdated([me.userID] + verifiedUsers)
            pending += [.trust(state.trust), .tracker(state.tracker)]
            try await sendPendingRotations()
            return Revocation(deviceID: deviceID, masterKey: master.publicKey.base64, selfSigningKey: keys.selfSigning.publicKey.base64,
                              userSigningKey: keys.userSigning.publicKey.base64, resignedDevices: remaining, resignedUsers: verifiedUsers)
        }
    }

    /// Our devices that still wait for the secrets of the last rotation.
    public var pendingHandovers: [String] { state.p2p.pendingRotations }

    /// Syncs until every remaining device has its new secrets or `timeout` passes.
    /// - Returns: the devices still waiting (they get the secrets on a later sync of ours).
    public func completeHandovers(timeout: Duration) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while !state.p2p.pendingRotations.isEmpty, ContinuousClock.now < deadline {
            try await pollP2P(timeout: min(deadline - ContinuousClock.now, .seconds(2)))
        }
        return state.p2p.pendingRotations
    }

    /// `DELETE /devices/{id}`, answering the server's user-interactive auth with the password.
    private func deleteDevice(_ deviceID: String, password: String) async throws {
        let session = try requireSession()
        var body: JSONObject = [:]
        guard case .authRequired(let flows) = try await connection.callWithAuth("DELETE", "devices/\(deviceID)",
                                                                                token: session.accessToken, body: body)
        else { return }
        var auth: JSONObject = ["type": "m.login.password", "password": .string(password),
                                "identifier": ["type": "m.id.user", "user": .string(session.userID)]]
        if let id = flows["session"]?.stringValue { auth["session"] = .string(id) }
        body["auth"] = .object(auth)
        _ = try await connection.call("DELETE", "devices/\(deviceID)", token: session.accessToken, body: body)
    }

    /// New secrets from the device that rotated them (docs/P2P.md §9): taken only if they carry
    /// our master secret (or, after a reset, the old master key's signature over the new one)
    /// and match the keys the server shows.
    func acceptRotation(_ body: JSONObject) async throws {
        guard let current = state.crossSigning,
              let keys = try? await checkedSecrets(body, heldMaster: current.master.unsafeExportSecret())
        else { return }
        state.crossSigning = keys
        state.trust.pinnedMasters[keys.userID] = keys.master.publicKey.base64
        pending += [.crossSigning(keys), .trust(state.trust)]
        rotationsReceived += 1
    }

    /// Our self-signing key (base64), if this device holds the cross-signing secrets.
    public var ownSelfSigningKey: String? { state.crossSigning?.selfSigning.publicKey.base64 }
}
