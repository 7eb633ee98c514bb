// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshOlm
import KeyMeshTestSupport

/// A fixed sealing key and nonce source, so equal states pickle to equal bytes: the tests'
/// way to prove "the session is exactly as it was".
enum Fingerprint {
    static let key = SealingKey(using: SeededRandom(seed: 42))

    static func of(_ session: OlmSession) -> [UInt8] {
        session.pickle(with: key, using: SeededRandom(seed: 7)).bytes
    }

    static func of(_ account: OlmAccount) -> [UInt8] {
        account.pickle(with: key, using: SeededRandom(seed: 7)).bytes
    }
}

/// A connected pair: Alice's outbound session and Bob's inbound one, after one round trip
/// when `established` (so both send normal messages).
struct SessionPair {
    let alice: OlmAccount
    let bob: OlmAccount
    var aliceSession: OlmSession
    var bobSession: OlmSession

    init(seed: UInt64, established: Bool = true) throws {
        let random = SeededRandom(seed: seed)
        alice = OlmAccount(random: random)
        bob = OlmAccount(random: random)
        let otk = bob.generateOneTimeKeys(count: 1)[0]
        aliceSession = try alice.outboundSession(identityKey: bob.curve25519Key, oneTimeKey: otk)
        let first = try aliceSession.encrypt(Array("setup".utf8), using: random)
        (bobSession, _) = try bob.inboundSession(identityKey: alice.curve25519Key, message: first)
        if established {
            let reply = try bobSession.encrypt(Array("ack".utf8), using: random)
            _ = try aliceSession.decrypt(reply)
        }
    }
}
