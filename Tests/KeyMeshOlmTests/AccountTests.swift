// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@testable import KeyMeshOlm

@Suite("Olm accounts")
struct AccountTests {
    @Test("one-time key ids are vodozemac's 8-byte big-endian counters, never reused")
    func keyIDs() {
        let account = OlmAccount(random: SeededRandom(seed: 1))
        account.generateOneTimeKeys(count: 2)
        #expect(Set(account.oneTimeKeys.keys) == ["AAAAAAAAAAA", "AAAAAAAAAAE"])
        account.markKeysAsPublished()
        #expect(account.oneTimeKeys.isEmpty)
        account.generateFallbackKey()
        #expect(Array(account.fallbackKey.keys) == ["AAAAAAAAAAI"])
        account.generateOneTimeKeys(count: 1)
        #expect(Array(account.oneTimeKeys.keys) == ["AAAAAAAAAAM"])
    }

    @Test("storage is capped at 5000 one-time keys, evicting the oldest")
    func eviction() throws {
        let account = OlmAccount(random: SeededRandom(seed: 2))
        let first = account.generateOneTimeKeys(count: 10)
        account.generateOneTimeKeys(count: OlmLimits.maxStoredOneTimeKeys - 5)
        #expect(account.storedOneTimeKeyCount == OlmLimits.maxStoredOneTimeKeys)
        // the five oldest are gone: a pre-key message on one of them has no key to find
        let alice = OlmAccount()
        var evicted = try alice.outboundSession(identityKey: account.curve25519Key, oneTimeKey: first[0])
        #expect(throws: SessionCreationError.missingOneTimeKey(first[0])) {
            try account.inboundSession(identityKey: alice.curve25519Key, message: try evicted.encrypt([1]))
        }
        var kept = try alice.outboundSession(identityKey: account.curve25519Key, oneTimeKey: first[5])
        _ = try account.inboundSession(identityKey: alice.curve25519Key, message: try kept.encrypt([1]))
        #expect(account.maxNumberOfOneTimeKeys == 50)
    }

    @Test("fallback keys rotate: the previous one still works until forgotten")
    func fallbackRotation() throws {
        let bob = OlmAccount(), alice = OlmAccount()
        let old = bob.generateFallbackKey()
        bob.markKeysAsPublished()
        #expect(bob.fallbackKey.isEmpty)
        let new = bob.generateFallbackKey()
        #expect(Array(bob.fallbackKey.values) == [new])
        for key in [old, new] {
            var session = try alice.outboundSession(identityKey: bob.curve25519Key, oneTimeKey: key)
            let message = try session.encrypt(Array("via fallback".utf8))
            #expect(try bob.inboundSession(identityKey: alice.curve25519Key, message: message).1 == Array("via fallback".utf8))
        }
        #expect(bob.forgetPreviousFallbackKey())
        #expect(!bob.forgetPreviousFallbackKey())
        var late = try alice.outboundSession(identityKey: bob.curve25519Key, oneTimeKey: old)
        #expect(throws: SessionCreationError.missingOneTimeKey(old)) {
            try bob.inboundSession(identityKey: alice.curve25519Key, message: try late.encrypt([1]))
        }
    }

    @Test("device keys are self-signed and carry both identity keys")
    func deviceKeys() throws {
        let account = OlmAccount()
        let keys = account.deviceKeys(userID: "@a:hs", deviceID: "DEV")
        #expect(keys["user_id"] == "@a:hs")
        #expect(keys["device_id"] == "DEV")
        #expect(keys["keys"]?.objectValue?["curve25519:DEV"] == .string(account.curve25519Key.base64))
        #expect(keys["keys"]?.objectValue?["ed25519:DEV"] == .string(account.ed25519Key.base64))
        #expect(keys["algorithms"] == ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"])
        try JSONSigner.verify(keys, entity: "@a:hs", keyID: .ed25519("DEV"), publicKey: account.ed25519Key)
        let signature = account.sign(Array("message".utf8))
        #expect(account.ed25519Key.isValidSignature(signature, for: Array("message".utf8)))
        #expect(!account.ed25519Key.isValidSignature(signature, for: Array("massage".utf8)))
        #expect(throws: SignatureError.invalidSignature) {
            try JSONSigner.verify(keys, entity: "@a:hs", keyID: .ed25519("DEV"), publicKey: OlmAccount().ed25519Key)
        }
    }

    @Test("signed one-time and fallback keys verify, and the fallback flag is covered by the signature")
    func signedKeys() throws {
        let account = OlmAccount()
        account.generateOneTimeKeys(count: 3)
        account.generateFallbackKey()
        let otks = account.signedOneTimeKeys(userID: "@a:hs", deviceID: "DEV")
        #expect(otks.count == 3)
        for (name, value) in otks {
            #expect(name.hasPrefix("signed_curve25519:"))
            try JSONSigner.verify(try #require(value.objectValue), entity: "@a:hs", keyID: .ed25519("DEV"),
                                  publicKey: account.ed25519Key)
        }
        var fallback = try #require(account.signedFallbackKeys(userID: "@a:hs", deviceID: "DEV").sortedEntries.first?.value.objectValue)
        try JSONSigner.verify(fallback, entity: "@a:hs", keyID: .ed25519("DEV"), publicKey: account.ed25519Key)
        fallback["fallback"] = false
        #expect(throws: SignatureError.invalidSignature) {
            try JSONSigner.verify(fallback, entity: "@a:hs", keyID: .ed25519("DEV"), publicKey: account.ed25519Key)
        }
    }
}
