// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshOlm

@Suite("Secrets never print")
struct RedactionTests {
    static func renderings(_ value: Any) -> String { Redaction.renderings(value) }

    static func expectAbsent(_ secret: [UInt8], in text: String, _ what: String) {
        #expect(Redaction.leaks(of: secret, in: text).isEmpty, "\(what) printed a secret")
    }

    @Test("accounts print only public keys")
    func account() {
        let account = OlmAccount()
        account.generateOneTimeKeys(count: 1)
        let text = Self.renderings(account)
        Self.expectAbsent(account.identityKey.unsafeExportSecret().unsafeExportSecret(), in: text, "OlmAccount")
        Self.expectAbsent(account.signingKey.unsafeExportSecret().unsafeExportSecret(), in: text, "OlmAccount")
        #expect(text.contains(account.curve25519Key.base64))
    }

    @Test("sessions print only their id")
    func session() throws {
        let pair = try SessionPair(seed: 40)
        // Bob sent last, so his ratchet holds a sending chain
        guard case .active(let ratchet) = pair.bobSession.ratchet else {
            Issue.record("expected an active ratchet")
            return
        }
        let text = Self.renderings(pair.bobSession) + Self.renderings(pair.aliceSession)
        Self.expectAbsent(ratchet.root.secret.unsafeExportSecret(), in: text, "OlmSession root key")
        Self.expectAbsent(ratchet.chainKey.secret.unsafeExportSecret(), in: text, "OlmSession chain key")
        Self.expectAbsent(ratchet.ratchetKey.unsafeExportSecret().unsafeExportSecret(), in: text, "OlmSession ratchet key")
        #expect(text.contains(pair.aliceSession.sessionID))
        for chain in pair.aliceSession.receivingChains {
            Self.expectAbsent(chain.chainKey.secret.unsafeExportSecret(), in: text, "receiving chain key")
        }
    }
}
