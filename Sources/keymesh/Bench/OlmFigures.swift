// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshOlm

/// The primitive costs that bound Olm from below on this machine.
struct PrimitiveFloor {
    let x25519: Double
    let x25519KeyGen: Double
    let ed25519Sign: Double
    let ed25519Verify: Double
    let hmac: Double
    let hkdf: Double

    init(measure: Measure) throws {
        let a = Curve25519SecretKey(), b = Curve25519SecretKey()
        x25519 = try measure.rate { _ = try a.diffieHellman(with: b.publicKey) }
        x25519KeyGen = measure.rate { _ = Curve25519SecretKey() }
        let signer = Ed25519SecretKey()
        let message = [UInt8](repeating: 0x42, count: 200)  // about a signed device-keys object
        ed25519Sign = measure.rate { _ = signer.signature(for: message) }
        let signature = signer.signature(for: message)
        ed25519Verify = measure.rate { _ = signer.publicKey.isValidSignature(signature, for: message) }
        let secret = SecretBytes([UInt8](repeating: 7, count: 32))
        hmac = measure.rate { _ = HMACSHA256.secretMAC(key: secret, message: [0x01]) }
        hkdf = measure.rate { _ = HKDFSHA256.derive(secret: secret, info: Array("OLM_KEYS".utf8), count: 80) }
    }

    private func perSecond(agreements: Double, keyGenerations: Double) -> Double {
        1 / (agreements / x25519 + keyGenerations / x25519KeyGen)
    }

    /// Outbound creation must do 3 agreements and generate the base key and first ratchet key.
    var outboundFloor: Double { perSecond(agreements: 3, keyGenerations: 2) }
    /// Inbound creation must do 3 agreements.
    var inboundFloor: Double { perSecond(agreements: 3, keyGenerations: 0) }
    /// A ratchet turn (both sides ratchet once): per side a new ratchet key and its agreement on
    /// send, and one agreement on receipt.
    var ratchetFloor: Double { perSecond(agreements: 4, keyGenerations: 2) }
}

/// Olm operation rates.
struct OlmFigures {
    let outbound: Double
    let inbound: Double
    let message: Double
    let ratchetTurn: Double

    init(measure: Measure) throws {
        let alice = OlmAccount(), bob = OlmAccount()
        let otk = bob.generateFallbackKey()  // a fallback key survives every inbound creation
        outbound = try measure.rate { _ = try alice.outboundSession(identityKey: bob.curve25519Key, oneTimeKey: otk) }

        var template = try alice.outboundSession(identityKey: bob.curve25519Key, oneTimeKey: otk)
        let preKey = try template.encrypt(Array("first".utf8))
        inbound = try measure.rate { _ = try bob.inboundSession(identityKey: alice.curve25519Key, message: preKey) }

        var sender = template
        var (receiver, _) = try bob.inboundSession(identityKey: alice.curve25519Key, message: preKey)
        let payload = [UInt8](repeating: 0x61, count: 1024)
        message = try measure.rate {
            let m = try sender.encrypt(payload)
            _ = try receiver.decrypt(m)
        }
        ratchetTurn = try measure.rate {
            let ping = try receiver.encrypt(Array("p".utf8))
            _ = try sender.decrypt(ping)
            let pong = try sender.encrypt(Array("q".utf8))
            _ = try receiver.decrypt(pong)
        }
    }
}
