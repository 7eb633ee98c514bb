// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P
import KeyMeshTestSupport
import Testing

/// A device of the test user: Ed25519 device key, P2P identity, pool and signed record.
struct TestDevice {
    static let userID = "@alice:example.org"
    /// 2026-01-01T00:00:00Z.
    static let start: Int64 = 1_767_225_600_000

    let deviceID: String
    let ed25519: Ed25519SecretKey
    let identity: P2PIdentity
    var pool = P2PKeyPool()

    init(_ deviceID: String, random: some RandomSource, now: Int64 = start) {
        self.deviceID = deviceID
        ed25519 = Ed25519SecretKey(using: random)
        identity = P2PIdentity(random: random)
        pool.maintain(now: now, random: random)
    }

    /// The signed pool record as published now.
    func record() throws -> JSONObject {
        let unsigned = P2PPoolRecord.unsigned(userID: Self.userID, deviceID: deviceID,
                                              identityKey: identity.publicKey, keys: pool.entries)
        return try JSONSigner.sign(unsigned, entity: Self.userID, keyID: .ed25519(deviceID), key: ed25519)
    }

    /// The record as another device verifies it.
    func verifiedRecord() throws -> P2PPoolRecord {
        try P2PPoolRecord.verify(try record(), userID: Self.userID, deviceID: deviceID,
                                 deviceEd25519: ed25519.publicKey)
    }

    func local() throws -> P2PLocalDevice {
        P2PLocalDevice(userID: Self.userID, deviceID: deviceID, identity: identity, record: try record())
    }
}

/// One complete establishment, message by message, through the wire form (bytes).
struct TestExchange {
    var initiatorSession: P2PSession
    var responderSession: P2PSession
    let request: P2PMessage
    let response: P2PMessage
    let nominated: P2PKeyEntry

    static func run(_ a: TestDevice, _ b: inout TestDevice, purpose: P2PPurpose = .join,
                    now: Int64 = TestDevice.start, random: some RandomSource) throws -> TestExchange {
        let remote = try b.verifiedRecord()
        let entry = try #require(remote.nominate(now: now, random: random))
        let (initiator, request) = try P2PInitiator.start(local: try a.local(), remote: remote, entry: entry,
                                                          purpose: purpose, now: now, random: random)
        let wireRequest = try P2PMessage.parse(bytes: request.bytes)
        let parsed = try P2PSessionRequest.parse(wireRequest)
        let senderRecord = try P2PPoolRecord.verify(parsed.record.object, userID: TestDevice.userID,
                                                    deviceID: a.deviceID, deviceEd25519: a.ed25519.publicKey)
        let (session, response) = try P2PResponder.respond(to: parsed, verifiedRecord: senderRecord,
                                                            local: try b.local(), pool: &b.pool, now: now)
        let responderSession = try #require(session)
        let outcome = try initiator.receive(try P2PMessage.parse(bytes: response.bytes), local: try a.local(),
                                            remote: remote, now: now)
        guard case .established(let initiatorSession) = outcome else {
            Issue.record("the exchange did not establish")
            throw P2PError.ephemeralKeyMismatch
        }
        return TestExchange(initiatorSession: initiatorSession, responderSession: responderSession,
                            request: request, response: response, nominated: entry)
    }
}

/// An exchange stopped after the responder answered: the initiator has not read the response
/// yet, so a test can tamper with it first.
struct PendingExchange {
    let joiner: TestDevice
    let remote: P2PPoolRecord
    let initiator: P2PInitiator
    let response: P2PMessage

    init(seed: UInt64, now: Int64 = TestDevice.start) throws {
        let random = SeededRandom(seed: seed)
        joiner = TestDevice("JOINER", random: random)
        var authoriser = TestDevice("AUTHORISER", random: random)
        remote = try authoriser.verifiedRecord()
        let entry = try #require(remote.nominate(now: now, random: random))
        let request: P2PMessage
        (initiator, request) = try P2PInitiator.start(local: try joiner.local(), remote: remote, entry: entry,
                                                      purpose: .join, now: now, random: random)
        (_, response) = try P2PResponder.respond(to: try P2PSessionRequest.parse(request),
                                                 verifiedRecord: try joiner.verifiedRecord(), local: try authoriser.local(),
                                                 pool: &authoriser.pool, now: now)
    }
}
