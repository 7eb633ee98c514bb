// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshOlm
import Testing

/// The README's first lines (STYLE.md §8), compiled and run so they stay true.
@Suite("README example")
struct ReadmeExampleTests {
    @Test("the README's first lines open a session and deliver a message")
    func firstLines() throws {
        let alice = OlmAccount(), bob = OlmAccount()
        let otk = bob.generateOneTimeKeys(count: 1)[0]
        var aliceSession = try alice.outboundSession(identityKey: bob.curve25519Key, oneTimeKey: otk)
        let message = try aliceSession.encrypt(Array("hi".utf8))        // .preKey until a reply
        let (bobSession, plaintext) = try bob.inboundSession(identityKey: alice.curve25519Key, message: message)

        #expect(plaintext == Array("hi".utf8))
        #expect(message.messageType == 0)
        #expect(bobSession.sessionID == aliceSession.sessionID)
    }
}
