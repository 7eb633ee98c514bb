// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P

/// The joiner's side of docs/P2P.md §7: a device that logged in to an existing account asks
/// the user's other devices for the cross-signing secrets.
extension KeyMeshClient {
    /// How long, after the person typed the code, the joiner waits for the answer of the device
    /// that showed it.
    static let codeGrace: Duration = .seconds(15)

    /// Publishes this device's keys and P2P record and sends a `join` request to every other
    /// device of the user that published a record.
    /// - Returns: the device ids asked.
    /// - Throws: ``ClientError/authorisation(_:)`` if no other device can be asked.
    @discardableResult
    public func requestJoin() async throws -> [String] {
        try await exclusively {
            let me = try requireSession()
            if !state.keysPublished { try await publishKeysNow() }
            try await maintainPool()
            // a new run supersedes an earlier one (killed, timed out): its sessions are closed
            for index in state.p2p.sessions.indices where state.p2p.sessions[index].purpose == .join { state.p2p.sessions[index].close() }
            state.p2p.outgoing.removeAll { $0.initiator.purpose == .join }
            pending.append(.p2p(state.p2p))
            state.tracker.markOutdated([me.userID])
            var asked: [String] = []
            for device in try await refreshedDevices(me.userID) where device.deviceID != me.deviceID {
                if try await startExchange(with: device, purpose: .join) { asked.append(device.deviceID) }
            }
            guard !asked.isEmpty else {
                throw ClientError.authorisation("no other device of \(me.userID) has published P2P keys")
            }
            return asked
        }
    }

    /// Finishes the join with the code the person read on the authorising device: checks its
    /// session part against our sessions, proves we saw it, and takes the secrets.
    /// - Returns: the user's master key (base64).
    /// - Throws: ``ClientError/authorisation(_:)`` for a code that is not one, a code that
    ///   matches no session (nothing secret was sent by either side), a refusal, or no answer in time.
    public func completeJoin(code typed: String, timeout: Duration) async throws -> String {
        let code: P2PAuthCode
        do { code = try P2PAuthCode.parse(typed: typed) } catch {
            throw ClientError.authorisation("that is not a code: 10 letters and digits such as 7K2QX-M9D4A")
        }
        let deadline = ContinuousClock.now + timeout
        let matchDeadline = min(deadline, ContinuousClock.now + Self.codeGrace)
        var chosen: String?
        while chosen == nil {
            chosen = try await exclusively { try await sendProof(code) }
            if chosen != nil { break }
            guard ContinuousClock.now < matchDeadline else {
                try await exclusively { try await abortJoinSessions() }
                throw ClientError.authorisation("the code does not match: no device answered (nothing was sent)")
            }
            try await pollP2P(timeout: min(matchDeadline - ContinuousClock.now, .seconds(2)))
        }
        guard let localKeyID = chosen else { throw ClientError.authorisation("no session") }
        while true {
            if let master = try await exclusively({ try await takeGrant(localKeyID) }) { return master }
            guard ContinuousClock.now < deadline else { throw ClientError.authorisation("the authorising device did not answer in time") }
            try await pollP2P(timeout: min(deadline - ContinuousClock.now, .seconds(5)))
        }
    }

    /// Compares the code with the one join session established and, if its VCS matches, sends
    /// the proof on it; returns its local key id. Nil while no session is established. More
    /// than one established session is refused: only the device where the person runs
    /// `authorize` answers, and a server that answered from invented devices would otherwise get
    /// one guess of the VCS per device (docs/P2P.md §7).
    private func sendProof(_ code: P2PAuthCode) async throws -> String? {
        let established = state.p2p.sessions.indices.filter {
            state.p2p.sessions[$0].role == .initiator && state.p2p.sessions[$0].purpose == .join && !state.p2p.sessions[$0].isClosed
        }
        guard let index = established.first else { return nil }
        guard established.count == 1 else {
            try await abortJoinSessions()
            throw ClientError.authorisation("more than one device answered: run authorize on one device only (nothing was sent)")
        }
        guard ConstantTime.equals(Array(state.p2p.sessions[index].vcs.utf8), Array(code.vcs.utf8)) else {
            try await abortJoinSessions()
            throw ClientError.authorisation("the code does not match: nothing was sent")
        }
        let localKeyID = state.p2p.sessions[index].localKeyID
        try await sendOnSession(at: index, .authproof, ["vcm": .string(code.vcm)])
        state.p2p.outgoing.removeAll { $0.initiator.purpose == .join }  // requests nobody answered: not needed any more
        pending.append(.p2p(state.p2p))
        return localKeyID
    }

    private func abortJoinSessions() async throws {
        for index in state.p2p.sessions.indices
        where state.p2p.sessions[index].role == .initiator && state.p2p.sessions[index].purpose == .join
            && !state.p2p.sessions[index].isClosed {
            try await sendOnSession(at: index, .abort, ["reason": "code mismatch"], close: true)
        }
        state.p2p.outgoing.removeAll { $0.initiator.purpose == .join }
        pending.append(.p2p(state.p2p))
    }

    /// The grant (docs/P2P.md §8), checked against the keys the server shows, kept sealed.
    private func takeGrant(_ localKeyID: String) async throws -> String? {
        guard let index = p2pInbox.firstIndex(where: { $0.localKeyID == localKeyID }) else { return nil }
        let received = p2pInbox.remove(at: index)
        state.p2p.sessions.indices.filter { state.p2p.sessions[$0].localKeyID == localKeyID }.forEach { state.p2p.sessions[$0].close() }
        pending.append(.p2p(state.p2p))
        guard received.type == .authgrant else {
            throw ClientError.authorisation("the authorising device refused (\(received.body["reason"]?.stringValue ?? received.type.rawValue))")
        }
        let keys = try await checkedSecrets(received.body)
        state.crossSigning = keys
        pending.append(.crossSigning(keys))
        try commitPending()
        let me = try requireSession()
        let mine = try identity()
        if !(state.userKeys[me.userID]?["device_keys"]?.objectValue?[me.deviceID]?.objectValue.map {
            (try? JSONSigner.verify($0, entity: me.userID, keyID: .ed25519(keys.selfSigning.publicKey.base64),
                                    publicKey: keys.selfSigning.publicKey)) != nil
        } ?? false) {
            try await signOwnDevice(mine, with: keys)
        }
        state.trust.pinnedMasters[me.userID] = keys.master.publicKey.base64
        pending.append(.trust(state.trust))
        return keys.master.publicKey.base64
    }

    /// Cross-signing secrets from a grant or rotation body, accepted only if their public keys
    /// are the user's keys on the server now (docs/P2P.md §8) and, for a rotation, if they come
    /// from a holder of our master secret (§9).
    /// - Parameter heldMaster: our master seed, for a rotation; nil for a grant.
    func checkedSecrets(_ body: JSONObject, heldMaster: SecretBytes? = nil) async throws -> CrossSigningKeys {
        let me = try requireSession()
        state.tracker.markOutdated([me.userID])
        try await refreshKeys(for: [me.userID])
        let shown = state.userKeys[me.userID] ?? [:]
        func key(_ member: String, _ usage: CrossSigningUsage) throws -> Ed25519PublicKey {
            guard let object = shown[member]?.objectValue, let key = CrossSigningPublicKey(parsing: object, userID: me.userID, usage: usage)
            else { throw ClientError.authorisation("the server shows no \(member) for \(me.userID)") }
            return key.publicKey
        }
        let (master, selfSigning, userSigning) = (try key("master_key", .master), try key("self_signing_key", .selfSigning),
                                                  try key("user_signing_key", .userSigning))
        do {
            let secrets = try P2PSecrets(body: body)
            if let heldMaster {
                try secrets.checkRotation(heldMaster: heldMaster, master: master, selfSigning: selfSigning, userSigning: userSigning)
            } else {
                try secrets.check(master: master, selfSigning: selfSigning, userSigning: userSigning)
            }
            return CrossSigningKeys(userID: me.userID, master: try Ed25519SecretKey(seed: secrets.master),
                                    selfSigning: try Ed25519SecretKey(seed: secrets.selfSigning),
                                    userSigning: try Ed25519SecretKey(seed: secrets.userSigning))
        } catch {
            throw ClientError.authorisation("the secrets received are not the user's keys on the server (\(error))")
        }
    }
}

extension P2PSecrets {
    /// The secrets of `keys`, to hand over (docs/P2P.md §8-§9).
    init(_ keys: CrossSigningKeys, masterSignature: String? = nil) {
        self.init(master: keys.master.unsafeExportSecret(), selfSigning: keys.selfSigning.unsafeExportSecret(),
                  userSigning: keys.userSigning.unsafeExportSecret(), masterSignature: masterSignature)
    }
}
