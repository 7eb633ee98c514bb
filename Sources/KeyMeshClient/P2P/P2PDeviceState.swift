// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P

/// A device's P2P state (docs/P2P.md): its identity key, its pool of ephemeral keys, the
/// exchanges under way, the `join` requests waiting for `authorize`, and the rotation hand-overs
/// still to make. Kept sealed in the client store (it holds secrets) and committed before any
/// message that depends on it leaves the device.
struct P2PDeviceState: Sendable {
    /// A request we sent, with the (verified) record of the device we sent it to.
    struct Outgoing: Sendable {
        var initiator: P2PInitiator
        var remote: P2PPoolRecord
    }

    /// A `join` request waiting for the person to run `authorize` (docs/P2P.md §5).
    struct WaitingJoin: Sendable {
        var content: JSONObject
        var receivedAt: Int64
    }

    static let waitingJoinLimit = 16
    static let waitingJoinAge: Int64 = 10 * 60 * 1000
    static let sessionLimit = 64

    var identity: P2PIdentity?
    var pool = P2PKeyPool()
    /// The key ids of the record last published (nil: never published).
    var published: [String]?
    var outgoing: [Outgoing] = []
    var sessions: [P2PSession] = []
    var waitingJoins: [WaitingJoin] = []
    /// Devices that still have to receive the secrets of our last rotation (docs/P2P.md §9).
    var pendingRotations: [String] = []
    /// With `--reset-master`: the old master key's signature over the new one.
    var masterSignature: String?

    /// Forgets what has expired: sessions past their lifetime or closed, requests older than
    /// 10 minutes, and anything over the limits (oldest first).
    mutating func prune(now: Int64) {
        sessions.removeAll { $0.isClosed || now - $0.createdAt > Self.waitingJoinAge }
        if sessions.count > Self.sessionLimit { sessions.removeFirst(sessions.count - Self.sessionLimit) }
        outgoing.removeAll { now - $0.initiator.createdAt > Self.waitingJoinAge }
        waitingJoins.removeAll { now - $0.receivedAt > Self.waitingJoinAge }
        if waitingJoins.count > Self.waitingJoinLimit { waitingJoins.removeFirst(waitingJoins.count - Self.waitingJoinLimit) }
    }

    // MARK: Storage form (sealed by the store)

    func encoded() -> JSONObject {
        var object: JSONObject = [
            "pool": .object(pool.encoded()),
            "outgoing": .array(outgoing.map { .object(["initiator": .object($0.initiator.encoded()), "record": .object($0.remote.object)]) }),
            "sessions": .array(sessions.map { .object($0.encoded()) }),
            "waiting_joins": .array(waitingJoins.map { .object(["content": .object($0.content), "received_ts": .int($0.receivedAt)]) }),
            "pending_rotations": .array(pendingRotations.map { .string($0) }),
        ]
        if let identity { object["identity"] = .string(Base64.encode(identity.unsafeExportSecret().unsafeExportSecret())) }
        if let published { object["published"] = .array(published.map { .string($0) }) }
        if let masterSignature { object["master_signature"] = .string(masterSignature) }
        return object
    }

    init() {}

    init(decoding object: JSONObject) throws(P2PError) {
        if let text = object["identity"]?.stringValue {
            guard let bytes = try? Base64.decode(text) else { throw .malformed("identity") }
            identity = try P2PIdentity(secret: SecretBytes(bytes))
        }
        guard let pool = object["pool"]?.objectValue else { throw .malformed("pool") }
        self.pool = try P2PKeyPool(decoding: pool)
        published = object["published"]?.arrayValue?.compactMap(\.stringValue)
        for item in object["outgoing"]?.arrayValue ?? [] {
            guard let initiator = item.objectValue?["initiator"]?.objectValue, let record = item.objectValue?["record"]?.objectValue
            else { throw .malformed("outgoing") }
            outgoing.append(Outgoing(initiator: try P2PInitiator(decoding: initiator), remote: try P2PPoolRecord.parseUnverified(record)))
        }
        for item in object["sessions"]?.arrayValue ?? [] {
            guard let session = item.objectValue else { throw .malformed("session") }
            sessions.append(try P2PSession(decoding: session))
        }
        for item in object["waiting_joins"]?.arrayValue ?? [] {
            guard let content = item.objectValue?["content"]?.objectValue, let at = item.objectValue?["received_ts"]?.intValue
            else { throw .malformed("waiting join") }
            waitingJoins.append(WaitingJoin(content: content, receivedAt: at))
        }
        pendingRotations = object["pending_rotations"]?.arrayValue?.compactMap(\.stringValue) ?? []
        masterSignature = object["master_signature"]?.stringValue
    }
}
