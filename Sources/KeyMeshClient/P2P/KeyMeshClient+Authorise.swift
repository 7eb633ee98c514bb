// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P

/// A `join` request this device answered, with the code to show the person.
public struct JoinRequest: Sendable, Equatable {
    /// The device asking to be authorised.
    public let deviceID: String
    /// The authorisation code (docs/P2P.md §7), e.g. `7K2QX-M9D4A`: show it, never log it.
    public let code: String
}

/// The authorisation under way on the authoriser.
struct Authorising: Sendable {
    let localKeyID: String
    let joiner: DeviceIdentity
    let code: P2PAuthCode
}

/// The authoriser's side of docs/P2P.md §7.
extension KeyMeshClient {
    /// Waits for a `join` request from another device of our user (at most 10 minutes old),
    /// answers the newest, and returns the code to show. Needs the cross-signing secrets.
    public func awaitJoinRequest(timeout: Duration) async throws -> JoinRequest {
        let deadline = ContinuousClock.now + timeout
        try await pollP2P(timeout: .zero)  // what is queued first: the newest request may be waiting there
        while true {
            if let request = try await exclusively({ try await answerNewestJoin() }) { return request }
            guard ContinuousClock.now < deadline else { throw ClientError.authorisation("no request from a new device in time") }
            try await pollP2P(timeout: min(deadline - ContinuousClock.now, .seconds(5)))
        }
    }

    private func answerNewestJoin() async throws -> JoinRequest? {
        guard state.crossSigning != nil else { throw ClientError.noCrossSigningKeys }
        state.p2p.prune(now: Self.nowMillis())
        while let waiting = state.p2p.waitingJoins.popLast() {
            pending.append(.p2p(state.p2p))
            guard let message = try? P2PMessage.parse(waiting.content), let request = try? P2PSessionRequest.parse(message),
                  let index = try await answer(request)
            else { continue }
            let session = state.p2p.sessions[index]
            guard let joiner = devices[try requireSession().userID]?[session.remoteDeviceID] else { continue }
            let code = P2PAuthCode.make(for: session, random: SystemRandom())
            authorising = Authorising(localKeyID: session.localKeyID, joiner: joiner, code: code)
            return JoinRequest(deviceID: joiner.deviceID, code: code.display)
        }
        return nil
    }

    /// Waits for the new device's proof that the person typed the code (docs/P2P.md §7 step 4).
    /// A right proof: the device is signed with the self-signing key and gets the secrets. A
    /// wrong one, an `abort` or no answer in time ends the authorisation with nothing sent.
    /// - Returns: the device id now authorised.
    public func completeAuthorisation(timeout: Duration) async throws -> String {
        guard let current = authorising else { throw ClientError.authorisation("no request is being authorised") }
        let deadline = ContinuousClock.now + timeout
        while true {
            if let done = try await exclusively({ try await handleProof(current) }) { return done }
            guard ContinuousClock.now < deadline else {
                authorising = nil
                throw ClientError.authorisation("the new device sent no proof in time")
            }
            try await pollP2P(timeout: min(deadline - ContinuousClock.now, .seconds(5)))
        }
    }

    private func handleProof(_ current: Authorising) async throws -> String? {
        guard let index = p2pInbox.firstIndex(where: { $0.localKeyID == current.localKeyID }) else { return nil }
        let received = p2pInbox.remove(at: index)
        guard let sessionIndex = state.p2p.sessions.firstIndex(where: { $0.localKeyID == current.localKeyID }) else {
            authorising = nil
            throw ClientError.authorisation("the session ended")
        }
        authorising = nil
        switch received.type {
        case .authproof:
            guard let vcm = received.body["vcm"]?.stringValue, current.code.acceptsProof(vcm), let keys = state.crossSigning else {
                try await sendOnSession(at: sessionIndex, .abort, ["reason": "wrong code"], close: true)
                throw ClientError.authorisation("the new device did not prove it saw the code: nothing was sent")
            }
            try await signOwnDevice(current.joiner, with: keys)
            let secrets = P2PSecrets(keys)
            try await sendOnSession(at: sessionIndex, .authgrant, secrets.body, close: true)
            return current.joiner.deviceID
        case .abort:
            state.p2p.sessions[sessionIndex].close()
            pending.append(.p2p(state.p2p))
            throw ClientError.authorisation("the new device aborted (\(received.body["reason"]?.stringValue ?? "no reason"))")
        default:
            try await sendOnSession(at: sessionIndex, .abort, ["reason": "unexpected message"], close: true)
            throw ClientError.authorisation("unexpected \(received.type.rawValue) message")
        }
    }

    /// Signs one of our devices (its keys exactly as `/keys/query` shows them, which must be
    /// signed by the Ed25519 key pinned in `device`) with the self-signing key and uploads the signature.
    func signOwnDevice(_ device: DeviceIdentity, with keys: CrossSigningKeys) async throws {
        // the keys must still be the ones pinned when the exchange began: a server that swaps the
        // device's keys in between gets nothing signed
        guard var object = state.userKeys[device.userID]?["device_keys"]?.objectValue?[device.deviceID]?.objectValue,
              object["keys"]?.objectValue?["ed25519:\(device.deviceID)"]?.stringValue == device.ed25519.base64,
              (try? JSONSigner.verify(object, entity: device.userID, keyID: .ed25519(device.deviceID), publicKey: device.ed25519)) != nil
        else { throw ClientError.authorisation("the keys of \(device.deviceID) on the server are not the ones that asked") }
        object["unsigned"] = nil  // the signature covers the object without it; the device's own signature stays
        let signed = try keys.signDevice(object)
        try await uploadSignatures([(device.userID, device.deviceID, signed)])
        state.tracker.markOutdated([device.userID])
        pending.append(.tracker(state.tracker))
    }
}
