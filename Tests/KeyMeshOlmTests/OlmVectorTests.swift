// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@testable import KeyMeshOlm

struct OlmTranscript: Decodable {
    struct Party: Decodable {
        let ed25519_seed_start: UInt8
        let curve25519_start: UInt8
        let one_time_key_start: UInt8?
        let ed25519: String
        let curve25519: String
        let one_time_key: String?
        let one_time_key_signature: String?
    }
    struct Outbound: Decodable {
        let base_key_start: UInt8
        let ratchet_key_start: UInt8
        let session_id: String
    }
    struct Message: Decodable {
        let from: String
        let type: Int
        let plaintext: String
        let body: String
        let ratchet_key_start: UInt8?
    }
    let alice: Party
    let bob: Party
    let outbound: Outbound
    let messages: [Message]
}

@Suite("Olm known-answer vector (libolm 3.1.4)")
struct OlmVectorTests {
    let vector: OlmTranscript

    init() throws { vector = try VectorLoader.load(OlmTranscript.self, "olm-libolm-3.1.4.json") }

    private func account(_ party: OlmTranscript.Party, extra: [[UInt8]] = []) -> OlmAccount {
        OlmAccount(random: ScriptedRandom([ScriptedRandom.run(from: party.ed25519_seed_start),
                                           ScriptedRandom.run(from: party.curve25519_start)] + extra))
    }

    @Test("identity keys, one-time key and its signature match libolm")
    func identityKeys() throws {
        let alice = account(vector.alice)
        #expect(alice.ed25519Key.base64 == vector.alice.ed25519)
        #expect(alice.curve25519Key.base64 == vector.alice.curve25519)
        let bobRandom = ScriptedRandom([ScriptedRandom.run(from: vector.bob.ed25519_seed_start),
                                        ScriptedRandom.run(from: vector.bob.curve25519_start),
                                        ScriptedRandom.run(from: try #require(vector.bob.one_time_key_start))])
        let bob = OlmAccount(random: bobRandom)
        #expect(bob.ed25519Key.base64 == vector.bob.ed25519)
        let otk = bob.generateOneTimeKeys(count: 1)[0]
        #expect(otk.base64 == vector.bob.one_time_key)
        let object = try #require(bob.signedOneTimeKeys(userID: "@bob:hs", deviceID: "BOB").sortedEntries.first?.value.objectValue)
        let signature = try #require(object["signatures"]?.objectValue?["@bob:hs"]?.objectValue?["ed25519:BOB"]?.stringValue)
        try JSONSigner.verify(object, entity: "@bob:hs", keyID: .ed25519("BOB"), publicKey: bob.ed25519Key)
        #if os(Linux)
        // BoringSSL's Ed25519 is deterministic, so on Linux the bytes must match libolm's too.
        #expect(signature == vector.bob.one_time_key_signature)
        #endif
    }

    @Test("the whole transcript reproduces libolm's bytes and decrypts on both sides")
    func transcript() throws {
        let alice = account(vector.alice, extra: [ScriptedRandom.run(from: vector.outbound.base_key_start),
                                                  ScriptedRandom.run(from: vector.outbound.ratchet_key_start)])
        let bob = account(vector.bob, extra: [ScriptedRandom.run(from: try #require(vector.bob.one_time_key_start))])
        let otk = bob.generateOneTimeKeys(count: 1)[0]
        var aliceSession = try alice.outboundSession(identityKey: bob.curve25519Key, oneTimeKey: otk)
        #expect(aliceSession.sessionID == vector.outbound.session_id)

        var bobSession: OlmSession?
        for step in vector.messages {
            let random = ScriptedRandom(step.ratchet_key_start.map { [ScriptedRandom.run(from: $0)] } ?? [])
            let expected = try OlmMessage(type: step.type, body: step.body)
            if step.from == "alice" {
                let message = try aliceSession.encrypt(Array(step.plaintext.utf8), using: random)
                #expect(message.messageType == step.type)
                #expect(message.body == step.body)
                if var session = bobSession {
                    #expect(try session.decrypt(expected) == Array(step.plaintext.utf8))
                    bobSession = session
                } else {
                    let (session, plaintext) = try bob.inboundSession(identityKey: alice.curve25519Key, message: expected)
                    #expect(plaintext == Array(step.plaintext.utf8))
                    #expect(session.sessionID == vector.outbound.session_id)
                    bobSession = session
                }
            } else {
                var session = try #require(bobSession)
                let message = try session.encrypt(Array(step.plaintext.utf8), using: random)
                bobSession = session
                #expect(message.messageType == step.type)
                #expect(message.body == step.body)
                #expect(try aliceSession.decrypt(expected) == Array(step.plaintext.utf8))
            }
            #expect(random.isExhausted)
        }
        // the one-time key is gone once the first pre-key message authenticated
        #expect(bob.storedOneTimeKeyCount == 0)
    }
}
