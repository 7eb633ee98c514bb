// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshOlm

/// The operations `keymesh bench olm` measures, with their fixtures.
struct OlmOperations {
    let operations: [(String, () throws -> Void)]

    init() throws {
        let a = Curve25519SecretKey(), b = Curve25519SecretKey()
        let signer = Ed25519SecretKey()
        let signed = [UInt8](repeating: 0x42, count: 200)  // about a signed device-keys object
        let signature = signer.signature(for: signed)
        let secret = SecretBytes([UInt8](repeating: 7, count: 32))

        let alice = OlmAccount(), bob = OlmAccount()
        let otk = bob.generateFallbackKey()  // a fallback key survives every inbound creation
        var template = try alice.outboundSession(identityKey: bob.curve25519Key, oneTimeKey: otk)
        let preKey = try template.encrypt(Array("first".utf8))
        var sender = template
        var (receiver, _) = try bob.inboundSession(identityKey: alice.curve25519Key, message: preKey)
        let payload = [UInt8](repeating: 0x61, count: 1024)

        operations = [
            ("x25519", { _ = try a.diffieHellman(with: b.publicKey) }),
            ("keygen", { _ = Curve25519SecretKey() }),
            ("sign", { _ = signer.signature(for: signed) }),
            ("verify", { _ = signer.publicKey.isValidSignature(signature, for: signed) }),
            ("hmac", { _ = HMACSHA256.secretMAC(key: secret, message: [0x01]) }),
            ("hkdf", { _ = HKDFSHA256.derive(secret: secret, info: Array("OLM_KEYS".utf8), count: 80) }),
            ("outbound", { _ = try alice.outboundSession(identityKey: bob.curve25519Key, oneTimeKey: otk) }),
            ("inbound", { _ = try bob.inboundSession(identityKey: alice.curve25519Key, message: preKey) }),
            ("message", {
                let m = try sender.encrypt(payload)
                _ = try receiver.decrypt(m)
            }),
            ("ratchet", {
                _ = try sender.decrypt(try receiver.encrypt(Array("p".utf8)))
                _ = try receiver.decrypt(try sender.encrypt(Array("q".utf8)))
            }),
        ]
    }
}

/// The X25519 work an operation cannot avoid, as a rate, from the same round's primitive rates.
struct Floor {
    let x25519: Double
    let keygen: Double

    func perSecond(agreements: Double, keyGenerations: Double) -> Double {
        1 / (agreements / x25519 + keyGenerations / keygen)
    }

    /// Outbound: 3 agreements, and generating the base key and the first ratchet key.
    var outbound: Double { perSecond(agreements: 3, keyGenerations: 2) }
    /// Inbound: 3 agreements.
    var inbound: Double { perSecond(agreements: 3, keyGenerations: 0) }
    /// A ratchet turn (both sides ratchet once): per side one key generation and two agreements.
    var ratchet: Double { perSecond(agreements: 4, keyGenerations: 2) }
}
