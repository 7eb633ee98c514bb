// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P

/// The P2P identity, the published pool and the transport (docs/P2P.md §3-§4): pool records
/// are per-user account data, messages are to-device events, so any homeserver carries them.
extension KeyMeshClient {
    static let p2pEventType = "org.keymesh.p2p.v1"

    static func poolType(_ deviceID: String) -> String { "org.keymesh.p2p.v1.pool." + deviceID }

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// This device as a P2P party; the identity key is made (and queued for commit) on first use.
    func p2pLocal() throws -> P2PLocalDevice {
        let session = try requireSession()
        let identity: P2PIdentity
        if let existing = state.p2p.identity {
            identity = existing
        } else {
            identity = P2PIdentity(random: SystemRandom())
            state.p2p.identity = identity
            pending.append(.p2p(state.p2p))
        }
        return P2PLocalDevice(userID: session.userID, deviceID: session.deviceID, identity: identity,
                              record: try signedRecord(identity: identity))
    }

    /// Our pool record, signed with this device's Ed25519 key (docs/P2P.md §3).
    private func signedRecord(identity: P2PIdentity) throws -> JSONObject {
        let session = try requireSession()
        var record = P2PPoolRecord.unsigned(userID: session.userID, deviceID: session.deviceID,
                                            identityKey: identity.publicKey, keys: state.p2p.pool.entries)
        let signature = account.sign(try JSONSigner.signedBytes(of: record))
        record["signatures"] = [session.userID: ["ed25519:\(session.deviceID)": .string(signature.base64)]]
        return record
    }

    /// Drops expired keys, refills the pool to 10 and publishes the record when it changed (or
    /// was never published). The new secrets are committed before their digests leave the device.
    func maintainPool() async throws {
        let session = try requireSession()
        _ = try p2pLocal()
        let changed = state.p2p.pool.maintain(now: Self.nowMillis(), random: SystemRandom())
        let ids = state.p2p.pool.entries.map(\.id)
        guard changed || state.p2p.published != ids, let identity = state.p2p.identity else { return }
        state.p2p.published = ids
        pending.append(.p2p(state.p2p))
        try commitPending()
        _ = try await connection.call("PUT", "user/\(session.userID)/account_data/\(Self.poolType(session.deviceID))",
                                      token: session.accessToken, body: try signedRecord(identity: identity))
    }

    /// The device's pool record if it published one that verifies with its Ed25519 key, else nil.
    func poolRecord(of device: DeviceIdentity) async throws -> P2PPoolRecord? {
        let session = try requireSession()
        let answer: JSONObject
        do {
            answer = try await connection.call("GET", "user/\(session.userID)/account_data/\(Self.poolType(device.deviceID))",
                                               token: session.accessToken)
        } catch ClientError.server(let status, _, _) where status == 404 {
            return nil
        }
        return try? P2PPoolRecord.verify(answer, userID: device.userID, deviceID: device.deviceID, deviceEd25519: device.ed25519)
    }

    /// Sends one P2P message to another device of our user.
    func sendP2P(_ message: P2PMessage, to deviceID: String) async throws {
        let session = try requireSession()
        let txnID = "p2p" + Hex.encode(SystemRandom().bytes(count: 12))
        let messages: JSONObject = [session.userID: .object([deviceID: .object(message.content)])]
        _ = try await connection.call("PUT", "sendToDevice/\(Self.p2pEventType)/\(txnID)", token: session.accessToken,
                                      body: ["messages": .object(messages)])
    }

    /// Starts an exchange with `device` (its record fetched and verified now), commits it, and
    /// sends the request. Returns false if the device has no usable record.
    func startExchange(with device: DeviceIdentity, purpose: P2PPurpose) async throws -> Bool {
        guard let record = try await poolRecord(of: device),
              let entry = record.nominate(now: Self.nowMillis(), random: SystemRandom())
        else { return false }
        let (initiator, request) = try P2PInitiator.start(local: try p2pLocal(), remote: record, entry: entry, purpose: purpose,
                                                          now: Self.nowMillis(), random: SystemRandom())
        state.p2p.outgoing.removeAll { $0.remote.deviceID == device.deviceID && $0.initiator.purpose == purpose }
        state.p2p.outgoing.append(.init(initiator: initiator, remote: record))
        pending.append(.p2p(state.p2p))
        try commitPending()  // the ephemeral secret is stored before the request leaves
        try await sendP2P(request, to: device.deviceID)
        return true
    }

    /// Seals `body` on the session at `index`, commits the advanced session, and sends it.
    func sendOnSession(at index: Int, _ type: P2PMessageType, _ body: JSONObject, close: Bool = false) async throws {
        let message = try state.p2p.sessions[index].seal(type, body)
        if close { state.p2p.sessions[index].close() }
        let deviceID = state.p2p.sessions[index].remoteDeviceID
        pending.append(.p2p(state.p2p))
        try commitPending()  // a sequence number is never used twice, even across a crash
        try await sendP2P(message, to: deviceID)
    }
}
