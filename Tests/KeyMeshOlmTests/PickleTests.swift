// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshOlm

@Suite("Sealed pickles")
struct PickleTests {
    @Test("an account round-trips with its keys, counters and fallback keys")
    func accountRoundTrip() throws {
        let key = SealingKey()
        let account = OlmAccount()
        account.generateOneTimeKeys(count: 5)
        account.markKeysAsPublished()
        account.generateOneTimeKeys(count: 2)
        account.generateFallbackKey()
        account.generateFallbackKey()
        let restored = try OlmAccount(pickle: try Pickle(base64: account.pickle(with: key).base64), key: key)
        #expect(restored.curve25519Key == account.curve25519Key)
        #expect(restored.ed25519Key == account.ed25519Key)
        #expect(restored.oneTimeKeys == account.oneTimeKeys)
        #expect(restored.fallbackKey == account.fallbackKey)
        #expect(restored.storedOneTimeKeyCount == 7)
        #expect(Fingerprint.of(restored) == Fingerprint.of(account))
        // the counter survives: new ids never repeat old ones
        let next = restored.generateOneTimeKeys(count: 1)
        #expect(!account.oneTimeKeys.values.contains(next[0]))
        #expect(restored.oneTimeKeys.keys.contains("AAAAAAAAAAk"))
    }

    @Test("a session round-trips mid-conversation and keeps decrypting")
    func sessionRoundTrip() throws {
        let key = SealingKey()
        var pair = try SessionPair(seed: 30)
        let pending = try (0..<3).map { try pair.aliceSession.encrypt(Array("pending \($0)".utf8)) }
        _ = try pair.bobSession.decrypt(pending[2])  // leaves two skipped keys
        var restored = try OlmSession(pickle: pair.bobSession.pickle(with: key), key: key)
        #expect(restored.sessionID == pair.bobSession.sessionID)
        #expect(Fingerprint.of(restored) == Fingerprint.of(pair.bobSession))
        #expect(try restored.decrypt(pending[0]) == Array("pending 0".utf8))
        #expect(try restored.decrypt(pending[1]) == Array("pending 1".utf8))
        let reply = try restored.encrypt(Array("after restore".utf8))
        #expect(try pair.aliceSession.decrypt(reply) == Array("after restore".utf8))
    }

    @Test("a wrong key, another kind of object, or any corruption is a typed error")
    func failures() throws {
        let key = SealingKey(), other = SealingKey()
        let account = OlmAccount()
        let pickle = account.pickle(with: key)
        #expect(throws: PickleError.authenticationFailure) { try OlmAccount(pickle: pickle, key: other) }
        #expect(throws: PickleError.authenticationFailure) { try OlmSession(pickle: pickle, key: key) }
        for index in stride(from: 0, to: pickle.bytes.count, by: 7) {
            var bytes = pickle.bytes
            bytes[index] ^= 0x01
            #expect(throws: PickleError.authenticationFailure) { try OlmAccount(pickle: Pickle(bytes: bytes), key: key) }
        }
        #expect(throws: PickleError.authenticationFailure) { try OlmAccount(pickle: Pickle(bytes: Array(pickle.bytes.prefix(20))), key: key) }
        #expect(throws: PickleError.invalidBase64) { try Pickle(base64: "***") }
    }

    @Test("a pickle is never plaintext: no identity secret appears in it")
    func sealed() throws {
        let account = OlmAccount()
        let pickle = account.pickle(with: SealingKey())
        let secret = account.identityKey.unsafeExportSecret().unsafeExportSecret()
        #expect(!pickle.bytes.contains(subsequence: secret))
        #expect(!pickle.bytes.contains(subsequence: account.curve25519Key.rawRepresentation))
    }

    @Test("a correctly sealed but unknown version or inconsistent body is refused")
    func versions() throws {
        let key = SealingKey()
        let badVersion = key.seal([9, 1, 2, 3], associatedData: PickleKind.account.associatedData)
        #expect(throws: PickleError.unsupportedVersion(9)) { try OlmAccount(pickle: Pickle(bytes: badVersion), key: key) }
        let truncated = key.seal([1, 1, 2, 3], associatedData: PickleKind.session.associatedData)
        #expect(throws: PickleError.malformed) { try OlmSession(pickle: Pickle(bytes: truncated), key: key) }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
