// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@testable import KeyMeshP2P

/// The known-answer exchange of Vectors/p2p.json, computed independently with Python's
/// `cryptography` (docs/P2P.md §11). Every intermediate and every message must match byte for byte.
@Suite("P2P known-answer vector (Python cryptography)")
struct P2PVectorTests {
    struct Party {
        let deviceID: String
        let ed25519: Ed25519PublicKey
        let identity: P2PIdentity
        let ephemeral: Curve25519SecretKey
        let keyID: String
        let record: JSONObject
    }

    let vector: JSONObject
    let initiator: Party
    let responder: Party
    let userID: String
    let now: Int64 = TestDevice.start

    init() throws {
        let data = try VectorLoader.data("p2p.json")
        vector = try #require(JSONParser.parse(Array(data)).objectValue)
        userID = try #require(vector["user_id"]?.stringValue)
        initiator = try Self.party(try #require(vector["initiator"]?.objectValue))
        responder = try Self.party(try #require(vector["responder"]?.objectValue))
    }

    static func party(_ object: JSONObject) throws -> Party {
        func text(_ key: String) throws -> String { try #require(object[key]?.stringValue, "missing \(key)") }
        let identity = try P2PIdentity(secret: SecretBytes([UInt8](hex: try text("identity_secret"))))
        let ephemeral = try Curve25519SecretKey(secret: SecretBytes([UInt8](hex: try text("ephemeral_secret"))))
        #expect(identity.publicKey.base64 == (try text("identity_public")))
        #expect(ephemeral.publicKey.base64 == (try text("ephemeral_public")))
        return Party(deviceID: try text("device_id"), ed25519: try Ed25519PublicKey(base64: try text("ed25519_public")),
                     identity: identity, ephemeral: ephemeral, keyID: try text("key_id"),
                     record: try #require(object["pool_record"]?.objectValue))
    }

    func string(_ key: String) throws -> String { try #require(vector[key]?.stringValue, "missing \(key)") }

    func local(_ party: Party) -> P2PLocalDevice {
        P2PLocalDevice(userID: userID, deviceID: party.deviceID, identity: party.identity, record: party.record)
    }

    func record(_ party: Party) throws -> P2PPoolRecord {
        try P2PPoolRecord.verify(party.record, userID: userID, deviceID: party.deviceID, deviceEd25519: party.ed25519)
    }

    func message(_ n: Int) throws -> JSONObject {
        let messages = try #require(vector["messages"]?.arrayValue)
        return try #require(messages[n].objectValue)
    }

    func content(_ n: Int) throws -> JSONObject { try #require(try message(n)["content"]?.objectValue) }

    var transcript: P2PKeyAgreement.Transcript {
        P2PKeyAgreement.Transcript(
            userID: userID, purpose: .join,
            initiatorDeviceID: initiator.deviceID, initiatorKeyID: initiator.keyID,
            initiatorIdentity: initiator.identity.publicKey, initiatorEphemeral: initiator.ephemeral.publicKey,
            responderDeviceID: responder.deviceID, responderKeyID: responder.keyID,
            responderIdentity: responder.identity.publicKey, responderEphemeral: responder.ephemeral.publicKey)
    }

    @Test func keyDerivationMatches() throws {
        #expect(try string("purpose") == "join")
        let ikmA = try P2PKeyAgreement.initiatorIKM(
            identity: initiator.identity.key, ephemeral: initiator.ephemeral,
            remoteIdentity: responder.identity.publicKey, remoteEphemeral: responder.ephemeral.publicKey)
        let ikmB = try P2PKeyAgreement.responderIKM(
            identity: responder.identity.key, ephemeral: responder.ephemeral,
            remoteIdentity: initiator.identity.publicKey, remoteEphemeral: initiator.ephemeral.publicKey)
        #expect(ikmA.unsafeExportSecret().hex == (try string("ikm")))
        #expect(ikmA == ikmB)
        #expect(transcript.salt.hex == (try string("salt")))
        let okm = P2PKeyAgreement.okm(ikm: ikmA, salt: transcript.salt)
        #expect(okm.unsafeExportSecret().hex == (try string("okm")))
        let keys = try P2PSessionKeys(okm: okm)
        #expect(keys.initiatorToResponder.unsafeExportSecret().hex == (try string("k_ab")))
        #expect(keys.responderToInitiator.unsafeExportSecret().hex == (try string("k_ba")))
        #expect(keys.confirm.unsafeExportSecret().hex == (try string("k_confirm")))
        #expect(keys.code.unsafeExportSecret().hex == (try string("k_code")))
        #expect(keys.sessionVerifier == (try string("session_verifier")))
        #expect(keys.acceptsVerifier(try string("session_verifier")))
        #expect(keys.vcs == (try string("vcs")))
    }

    @Test func recordsVerifyAndTamperedRecordsDoNot() throws {
        let a = try record(initiator)
        #expect(a.identityKey == initiator.identity.publicKey)
        #expect(a.keys.count == 10)
        #expect(try record(responder).keys.contains { $0.id == responder.keyID })
        var tampered = initiator.record
        tampered["identity_key"] = .string(responder.identity.publicKey.base64)
        #expect(throws: P2PError.authenticationFailure) {
            try P2PPoolRecord.verify(tampered, userID: userID, deviceID: initiator.deviceID,
                                     deviceEd25519: initiator.ed25519)
        }
        #expect(throws: P2PError.authenticationFailure) {
            try P2PPoolRecord.verify(initiator.record, userID: userID, deviceID: initiator.deviceID,
                                     deviceEd25519: responder.ed25519)
        }
    }

    /// The whole exchange through the public API reproduces every message of the vector.
    @Test func exchangeReproducesEveryMessage() throws {
        let remote = try record(responder)
        let entry = try #require(remote.keys.first { $0.id == responder.keyID })
        let (start, request) = try P2PInitiator.start(local: local(initiator), remote: remote, entry: entry,
                                                      purpose: .join, now: now, ephemeral: initiator.ephemeral,
                                                      keyID: initiator.keyID)
        #expect(request.content == (try content(0)))
        #expect(request.bytes == Array(try CanonicalJSON.encode(.object(try content(0)))))

        // Responder: its pool holds the nominated key (the secret of the vector).
        var pool = try P2PKeyPool(decoding: [
            "version": 1,
            "keys": [["id": .string(responder.keyID),
                      "secret": .string(Base64.encode(responder.ephemeral.unsafeExportSecret().unsafeExportSecret())),
                      "expires_ts": .int(entry.expiresAt)]],
        ])
        let parsed = try P2PSessionRequest.parse(try P2PMessage.parse(try content(0)))
        let senderRecord = try P2PPoolRecord.verify(parsed.record.object, userID: userID, deviceID: initiator.deviceID,
                                                    deviceEd25519: initiator.ed25519)
        let (maybeSession, response) = try P2PResponder.respond(to: parsed, verifiedRecord: senderRecord,
                                                                 local: local(responder), pool: &pool, now: now)
        #expect(response.content == (try content(1)))
        #expect(pool.entries.isEmpty)
        var authoriser = try #require(maybeSession)

        guard case .established(var joiner) = try start.receive(try P2PMessage.parse(try content(1)),
                                                               local: local(initiator), remote: remote)
        else { Issue.record("not established"); return }
        #expect(joiner.vcs == (try string("vcs")))
        #expect(authoriser.vcs == joiner.vcs)

        // The code: the vector's VCM bits through the public maker.
        let bits = try #require(vector["vcm_bits"]?.intValue)
        let scripted = ScriptedRandom([withUnsafeBytes(of: (UInt32(bits) << 7).bigEndian, Array.init)])
        let code = P2PAuthCode.make(for: authoriser, random: scripted)
        #expect(code.display == (try string("code")))
        #expect(code.vcm == (try string("vcm")))
        let typed = try P2PAuthCode.parse(typed: try string("code").lowercased())
        #expect(typed.matches(joiner))

        // Encrypted messages: alternatives at the same sequence use copies of the session.
        let count = vector["messages"]?.arrayValue?.count ?? 0
        #expect(count == 7)
        for n in 3..<count {
            let m = try message(n)
            let header = try #require(m["header"]?.objectValue)
            let typeName = header["type"]?.stringValue ?? ""
            let type = try #require(P2PMessageType(rawValue: typeName))
            let plaintext = try #require(m["plaintext"]?.stringValue)
            let body = try #require(JSONParser.parse(plaintext).objectValue)
            let fromJoiner = m["key"]?.stringValue == "k_ab"
            var sender = fromJoiner ? joiner : authoriser
            var receiver = fromJoiner ? authoriser : joiner
            let sealed = try sender.seal(type, body)
            #expect(sealed.content == (try content(n)), "message \(n)")
            #expect(try CanonicalJSON.encode(.object(body)) == Array(plaintext.utf8))
            let opened = try receiver.open(try P2PMessage.parse(try content(n)), now: now)
            #expect(opened == body)
            #expect(receiver.isClosed == (type == .abort))
        }

        // The grant carries the vector's cross-signing seeds, whose public keys match.
        _ = try authoriser.open(try P2PMessage.parse(try content(3)), now: now)
        let grant = try P2PSecrets(body: try joiner.open(try P2PMessage.parse(try content(4)), now: now))
        let cs = try #require(vector["cross_signing"]?.objectValue)
        func pub(_ key: String) throws -> Ed25519PublicKey { try Ed25519PublicKey(base64: cs[key]?.stringValue ?? "") }
        try grant.check(master: try pub("master_public"), selfSigning: try pub("self_signing_public"),
                        userSigning: try pub("user_signing_public"))
        #expect(grant.master.unsafeExportSecret().hex == cs["master_seed"]?.stringValue)
    }

    @Test func failResponseMatches() throws {
        let remote = try record(responder)
        let entry = try #require(remote.keys.first { $0.id == responder.keyID })
        var pool = P2PKeyPool()  // empty: the nominated key is unknown
        let parsed = try P2PSessionRequest.parse(try P2PMessage.parse(try content(0)))
        let (session, response) = try P2PResponder.respond(to: parsed, verifiedRecord: try record(initiator),
                                                            local: local(responder), pool: &pool, now: now)
        #expect(session == nil)
        #expect(response.content == (try content(2)))
        let (start, _) = try P2PInitiator.start(local: local(initiator), remote: remote, entry: entry, purpose: .join,
                                                now: now, ephemeral: initiator.ephemeral, keyID: initiator.keyID)
        guard case .mismatch = try start.receive(response, local: local(initiator), remote: remote) else {
            Issue.record("a fail response must give .mismatch"); return
        }
        #expect(start.state == .finished)
    }
}
