// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P

/// An encrypted P2P message opened on one of our sessions, waiting for the flow that wants it.
struct P2PReceived: Sendable {
    let remoteDeviceID: String
    let localKeyID: String
    let type: P2PMessageType
    let body: JSONObject
}

/// Incoming P2P messages (docs/P2P.md §4-§5, §9), handled during a sync: requests are answered
/// or kept for `authorize`, responses complete our exchanges, encrypted messages are opened on
/// their session. Anything that fails a check is dropped and changes nothing.
extension KeyMeshClient {
    func handleP2P(_ events: [(sender: String, content: JSONObject)]) async throws {
        let me = try requireSession()
        let now = Self.nowMillis()
        state.p2p.prune(now: now)
        for event in events where event.sender == me.userID {
            guard let message = try? P2PMessage.parse(event.content), message.header.dstClientID == me.deviceID else { continue }
            switch message.header.type {
            case .sessionrequest:
                guard let request = try? P2PSessionRequest.parse(message) else { continue }
                if request.purpose == .join {
                    // a newer request from the same device replaces its older ones (a restarted `join`)
                    state.p2p.waitingJoins.removeAll {
                        $0.content == event.content || (try? P2PMessage.parse($0.content))?.header.srcClientID == message.header.srcClientID
                    }
                    state.p2p.waitingJoins.append(.init(content: event.content, receivedAt: now))
                } else if state.crossSigning != nil {
                    _ = try await answer(request)  // a rotation: only a device holding the secrets takes part
                }
            case .sessionresponse:
                try await completeExchange(message)
            default:
                guard let index = state.p2p.sessions.firstIndex(where: { $0.matches(message.header) }),
                      let body = try? state.p2p.sessions[index].open(message, now: now)
                else { continue }
                let session = state.p2p.sessions[index]
                if message.header.type == .rotation, session.role == .responder, session.purpose == .rotation {
                    state.p2p.sessions[index].close()
                    try await acceptRotation(body)
                } else {
                    p2pInbox.append(.init(remoteDeviceID: session.remoteDeviceID, localKeyID: session.localKeyID,
                                          type: message.header.type, body: body))
                }
            }
        }
        state.p2p.prune(now: now)
        pending.append(.p2p(state.p2p))
        try await maintainPool()
        try await sendPendingRotations()
    }

    /// Answers a session request as the responder (docs/P2P.md §5 step 2): the record must verify
    /// with the sender's Ed25519 key; the nominated key is consumed and committed before the
    /// answer leaves. Returns the new session's index, or nil (mismatch, unknown device).
    func answer(_ request: P2PSessionRequest) async throws -> Int? {
        let me = try requireSession()
        state.tracker.markOutdated([me.userID])  // a device that just logged in
        guard let device = try await refreshedDevices(me.userID).first(where: { $0.deviceID == request.header.srcClientID }),
              let record = try? P2PPoolRecord.verify(request.record.object, userID: me.userID, deviceID: device.deviceID,
                                                     deviceEd25519: device.ed25519)
        else { return nil }
        let (session, response) = try P2PResponder.respond(to: request, verifiedRecord: record, local: try p2pLocal(),
                                                          pool: &state.p2p.pool, now: Self.nowMillis())
        if let session { state.p2p.sessions.append(session) }
        pending.append(.p2p(state.p2p))
        try commitPending()  // the consumed key is gone for good before anyone learns its public half
        try await sendP2P(response, to: device.deviceID)
        try await maintainPool()
        return session == nil ? nil : state.p2p.sessions.count - 1
    }

    /// A `sessionresponse` to one of our requests: the exchange becomes a session (or ends on
    /// a mismatch). A rotation session carries the new secrets at once.
    private func completeExchange(_ message: P2PMessage) async throws {
        guard let index = state.p2p.outgoing.firstIndex(where: { $0.initiator.matches(message.header) }) else { return }
        let outgoing = state.p2p.outgoing.remove(at: index)
        pending.append(.p2p(state.p2p))
        guard case .established(let session)? = try? outgoing.initiator.receive(message, local: try p2pLocal(), remote: outgoing.remote, now: Self.nowMillis())
        else { return }  // mismatch or a substituted key: a rotation is retried on the next sync
        state.p2p.sessions.append(session)
        if session.purpose == .rotation, let keys = state.crossSigning {
            let secrets = P2PSecrets(keys, masterSignature: state.p2p.masterSignature)
            state.p2p.pendingRotations.removeAll { $0 == session.remoteDeviceID }
            try await sendOnSession(at: state.p2p.sessions.count - 1, .rotation, secrets.body, close: true)
        }
    }

    /// Starts a rotation exchange with every device still waiting for our new secrets that has
    /// no exchange under way.
    func sendPendingRotations() async throws {
        guard state.crossSigning != nil, !state.p2p.pendingRotations.isEmpty else { return }
        let me = try requireSession()
        let devices = try await refreshedDevices(me.userID)
        for deviceID in state.p2p.pendingRotations
        where !state.p2p.outgoing.contains(where: { $0.remote.deviceID == deviceID && $0.initiator.purpose == .rotation }) {
            guard let device = devices.first(where: { $0.deviceID == deviceID }) else {
                state.p2p.pendingRotations.removeAll { $0 == deviceID }  // deleted meanwhile
                pending.append(.p2p(state.p2p))
                continue
            }
            _ = try await startExchange(with: device, purpose: .rotation)
        }
    }
}
