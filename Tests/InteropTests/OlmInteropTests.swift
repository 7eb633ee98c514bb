// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm
import KeyMeshTestSupport
import Testing

/// Live sessions between KeyMesh and the real vodozemac and libolm (python-olm) from PyPI.
@Suite("Olm interop with vodozemac and libolm")
struct OlmInteropTests {
    static let peerUser = "@peer:localhost", peerDevice = "PEERDEV"
    static let ourUser = "@km:localhost", ourDevice = "KMDEV"

    @Test("KeyMesh opens the session on the peer's signed one-time key; 200 messages alternate and burst",
          arguments: OlmBackend.allCases)
    func weStart(backend: OlmBackend) throws {
        guard let peer = try backend.start() else { return }
        let us = OlmAccount()
        let (peerCurve, peerEd) = try peer.identity()
        let (keyID, keyText) = try #require(try peer.generateOneTimeKeys(1).first)
        // the peer's signature on its one-time key verifies with our signer (and a forgery does not)
        let signed = try peer.signedKeyObject(keyText, fallback: false, userID: Self.peerUser, deviceID: Self.peerDevice)
        try JSONSigner.verify(signed, entity: Self.peerUser, keyID: .ed25519(Self.peerDevice), publicKey: peerEd)
        var forged = signed
        forged["key"] = .string(us.curve25519Key.base64)
        #expect(throws: SignatureError.invalidSignature) {
            try JSONSigner.verify(forged, entity: Self.peerUser, keyID: .ed25519(Self.peerDevice), publicKey: peerEd)
        }
        #expect(!keyID.isEmpty)

        var session = try us.outboundSession(identityKey: peerCurve, oneTimeKey: try Curve25519PublicKey(base64: keyText))
        let first = try session.encrypt(Array("hello from KeyMesh ✓".utf8))
        #expect(first.messageType == 0)
        let (peerSession, plaintext) = try peer.inbound(identityKey: us.curve25519Key, message: first)
        #expect(plaintext == Array("hello from KeyMesh ✓".utf8))
        #expect(peerSession == session.sessionID)
        try Traffic(seed: 0x5EED_0001).run(count: 200, ours: &session, peer: peer, peerSession: peerSession)
    }

    @Test("the peer opens the session on our signed one-time key; 200 messages, out of order within bursts",
          arguments: OlmBackend.allCases)
    func peerStarts(backend: OlmBackend) throws {
        guard let peer = try backend.start() else { return }
        let us = OlmAccount()
        let (peerCurve, _) = try peer.identity()
        us.generateOneTimeKeys(count: 3)
        let signedKeys = us.signedOneTimeKeys(userID: Self.ourUser, deviceID: Self.ourDevice)
        us.markKeysAsPublished()
        let (_, value) = try #require(signedKeys.sortedEntries.first)
        let object = try #require(value.objectValue)
        // the peer verifies our one-time-key signature over the canonical JSON, and refuses a forgery
        let signature = try #require(object["signatures"]?.objectValue?[Self.ourUser]?.objectValue?["ed25519:\(Self.ourDevice)"]?.stringValue)
        let canonical = try JSONSigner.signedBytes(of: object)
        #expect(try peer.verify(key: us.ed25519Key, message: canonical, signature: signature))
        var tampered = canonical
        tampered[9] ^= 0x01
        #expect(try !peer.verify(key: us.ed25519Key, message: tampered, signature: signature))

        let otk = try #require(object["key"]?.stringValue)
        let peerSession = try peer.outbound(identityKey: us.curve25519Key, oneTimeKey: otk)
        let first = try peer.encrypt(session: peerSession, Array("hello from \(backend.rawValue)".utf8))
        let (created, plaintext) = try us.inboundSession(identityKey: peerCurve, message: first)
        var session = created
        #expect(plaintext == Array("hello from \(backend.rawValue)".utf8))
        #expect(session.sessionID == peerSession)
        #expect(us.storedOneTimeKeyCount == 2)  // the used key is gone, the others stay
        try Traffic(seed: 0x5EED_0002, shuffleBursts: true)
            .run(count: 200, ours: &session, peer: peer, peerSession: peerSession)
    }

    @Test("sessions on fallback keys work both ways, and our fallback key survives its use",
          arguments: OlmBackend.allCases)
    func fallbackKeys(backend: OlmBackend) throws {
        guard let peer = try backend.start() else { return }
        let us = OlmAccount()
        let (peerCurve, peerEd) = try peer.identity()

        // to the peer's fallback key
        let (_, peerFallback) = try #require(try peer.generateFallbackKey().first)
        let signed = try peer.signedKeyObject(peerFallback, fallback: true, userID: Self.peerUser, deviceID: Self.peerDevice)
        try JSONSigner.verify(signed, entity: Self.peerUser, keyID: .ed25519(Self.peerDevice), publicKey: peerEd)
        var outbound = try us.outboundSession(identityKey: peerCurve, oneTimeKey: try Curve25519PublicKey(base64: peerFallback))
        let hello = try outbound.encrypt(Array("to your fallback key".utf8))
        let (peerInbound, text) = try peer.inbound(identityKey: us.curve25519Key, message: hello)
        #expect(text == Array("to your fallback key".utf8))
        try Traffic(seed: 0x5EED_0003).run(count: 40, ours: &outbound, peer: peer, peerSession: peerInbound)

        // from the peer, on our fallback key, twice: the fallback key is not consumed
        let ourFallback = us.generateFallbackKey()
        let fallbackObject = try #require(us.signedFallbackKeys(userID: Self.ourUser, deviceID: Self.ourDevice).sortedEntries.first?.value.objectValue)
        #expect(fallbackObject["fallback"] == .bool(true))
        try JSONSigner.verify(fallbackObject, entity: Self.ourUser, keyID: .ed25519(Self.ourDevice), publicKey: us.ed25519Key)
        for round in 0..<2 {
            let peerSession = try peer.outbound(identityKey: us.curve25519Key, oneTimeKey: ourFallback.base64)
            let first = try peer.encrypt(session: peerSession, Array("fallback round \(round)".utf8))
            var (session, plaintext) = try us.inboundSession(identityKey: peerCurve, message: first)
            #expect(plaintext == Array("fallback round \(round)".utf8))
            try Traffic(seed: 0x5EED_0010 + UInt64(round)).run(count: 20, ours: &session, peer: peer, peerSession: peerSession)
        }
    }
}
