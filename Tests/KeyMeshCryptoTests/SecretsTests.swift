// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@Suite("Secrets: constant-time comparison, redaction and sealing")
struct SecretsTests {
    static func expectRedacted(_ value: Any, secret: [UInt8], _ what: String) {
        #expect(Redaction.leaks(of: secret, in: Redaction.renderings(value)).isEmpty, "\(what) printed its secret")
    }

    @Test("SecretBytes, private keys and sealing keys never print their secret")
    func redaction() {
        let secret = SeededRandom(seed: 3).bytes(count: 32)
        Self.expectRedacted(SecretBytes(secret), secret: secret, "SecretBytes")
        let curve = Curve25519SecretKey(using: SeededRandom(seed: 4))
        Self.expectRedacted(curve, secret: curve.unsafeExportSecret().unsafeExportSecret(), "Curve25519SecretKey")
        let ed = Ed25519SecretKey(using: SeededRandom(seed: 5))
        Self.expectRedacted(ed, secret: ed.unsafeExportSecret().unsafeExportSecret(), "Ed25519SecretKey")
        let sealing = SealingKey(using: SeededRandom(seed: 6))
        Self.expectRedacted(sealing, secret: SeededRandom(seed: 6).bytes(count: 32), "SealingKey")
        #expect(Redaction.renderings(curve).contains(curve.publicKey.base64))  // public halves may print
    }

    @Test("equality is by content; lengths differ means unequal; split and slice cover the bytes")
    func secretBytes() {
        let bytes = Array(0..<64).map(UInt8.init)
        let secret = SecretBytes(bytes)
        #expect(secret == SecretBytes(bytes))
        #expect(secret != SecretBytes(bytes.dropLast()))
        var other = bytes
        other[63] ^= 1
        #expect(secret != SecretBytes(other))
        let halves = secret.split([32, 32])
        #expect(halves[0].unsafeExportSecret() == Array(bytes[0..<32]))
        #expect(halves[1].unsafeExportSecret() == Array(bytes[32..<64]))
        #expect(secret.slice(10..<12).unsafeExportSecret() == [10, 11])
        #expect(SecretBytes([0, 0, 0]).isAllZero)
        #expect(!SecretBytes([0, 1, 0]).isAllZero)
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
    }

    @Test("sealing round-trips; a wrong key, wrong label, flipped bit or truncation fails")
    func sealing() throws {
        let random = SeededRandom(seed: 8)
        let key = SealingKey(using: random), other = SealingKey(using: random)
        let sealed = key.seal(Array("state".utf8), associatedData: Array("label".utf8), using: random)
        #expect(try key.open(sealed, associatedData: Array("label".utf8)) == Array("state".utf8))
        #expect(throws: CipherError.authenticationFailure) { try other.open(sealed, associatedData: Array("label".utf8)) }
        #expect(throws: CipherError.authenticationFailure) { try key.open(sealed, associatedData: Array("other".utf8)) }
        for index in sealed.indices {
            var flipped = sealed
            flipped[index] ^= 0x20
            #expect(throws: CipherError.authenticationFailure) { try key.open(flipped, associatedData: Array("label".utf8)) }
        }
        for length in 0..<sealed.count {
            #expect(throws: CipherError.authenticationFailure) {
                try key.open(Array(sealed.prefix(length)), associatedData: Array("label".utf8))
            }
        }
        #expect(throws: KeyError.invalidLength(expected: 32, got: 16)) { try SealingKey(SecretBytes([UInt8](repeating: 0, count: 16))) }
        // two seals of the same state differ (fresh nonce)
        #expect(key.seal([1], associatedData: []) != key.seal([1], associatedData: []))
    }

    @Test("the system random source fills buffers with fresh bytes")
    func systemRandom() {
        let random = SystemRandom()
        #expect(random.bytes(count: 32) != random.bytes(count: 32))
        #expect(!random.secret(count: 32).isAllZero)
    }

    @Test("wipe zeroes a plain array in place, whatever its length")
    func wipe() {
        var bytes: [UInt8] = [1, 2, 3, 0xFF]
        SecretBytes.wipe(&bytes)
        #expect(bytes == [0, 0, 0, 0])
        var empty: [UInt8] = []
        SecretBytes.wipe(&empty)
        #expect(empty.isEmpty)
    }
}
