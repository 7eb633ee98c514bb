// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@Suite("NaCl box and secret box")
struct NaClTests {
    let alice = ChannelTestKeys.seeded(11)
    let bob = ChannelTestKeys.seeded(12)
    let nonce = NaClNonce(prefix: Array("NaClTests-prefix".utf8), counter: 7)
    let message = Array("attack at dawn".utf8)

    @Test("NaClBox: Bob opens what Alice sealed; the box is 16 bytes longer")
    func boxRoundTrip() throws {
        let box = try NaClBox.seal(message, nonce: nonce, to: bob.publicKey, from: alice)
        #expect(box.count == message.count + 16)
        #expect(Array(box.suffix(message.count)) != message)  // encrypted, not copied
        #expect(try NaClBox.open(box, nonce: nonce, from: alice.publicKey, to: bob) == message)
        // the same shared key: Alice can open it too, from Bob's side
        #expect(try NaClBox.open(box, nonce: nonce, from: bob.publicKey, to: alice) == message)
    }

    @Test("NaClBoxKey: one precomputed key seals and opens, and agrees with NaClBox")
    func boxKeyRoundTrip() throws {
        let aliceKey = try NaClBoxKey(publicKey: bob.publicKey, secretKey: alice)
        let bobKey = try NaClBoxKey(publicKey: alice.publicKey, secretKey: bob)
        let box = aliceKey.seal(message, nonce: nonce)
        #expect(box == (try NaClBox.seal(message, nonce: nonce, to: bob.publicKey, from: alice)))
        #expect(try bobKey.open(box, nonce: nonce) == message)
        let empty = bobKey.seal([], nonce: nonce)
        #expect(empty.count == 16)
        #expect(try aliceKey.open(empty, nonce: nonce) == [])
    }

    @Test("NaClSecretBox round trip, and a different key fails")
    func secretBoxRoundTrip() throws {
        let key = NaClSecretBox(using: SeededRandom(seed: 13))
        let box = key.seal(message, nonce: nonce)
        #expect(box.count == message.count + 16)
        #expect(try key.open(box, nonce: nonce) == message)
        #expect(throws: NaClError.authenticationFailed) {
            try NaClSecretBox(using: SeededRandom(seed: 14)).open(box, nonce: nonce)
        }
    }

    @Test("a flipped bit anywhere in the tag or ciphertext fails with .authenticationFailed")
    func tampered() throws {
        let box = try NaClBox.seal(message, nonce: nonce, to: bob.publicKey, from: alice)
        let bobKey = try NaClBoxKey(publicKey: alice.publicKey, secretKey: bob)
        let secret = NaClSecretBox(using: SeededRandom(seed: 15))
        let secretBox = secret.seal(message, nonce: nonce)
        for index in [0, 15, 16, box.count - 1] {
            let forged = ChannelTestKeys.flipped(box, at: index)
            #expect(throws: NaClError.authenticationFailed) {
                try NaClBox.open(forged, nonce: nonce, from: alice.publicKey, to: bob)
            }
            #expect(throws: NaClError.authenticationFailed) { try bobKey.open(forged, nonce: nonce) }
            #expect(throws: NaClError.authenticationFailed) {
                try secret.open(ChannelTestKeys.flipped(secretBox, at: index), nonce: nonce)
            }
        }
    }

    @Test("the wrong nonce fails with .authenticationFailed")
    func wrongNonce() throws {
        let other = NaClNonce(prefix: Array("NaClTests-prefix".utf8), counter: 8)
        let box = try NaClBox.seal(message, nonce: nonce, to: bob.publicKey, from: alice)
        #expect(throws: NaClError.authenticationFailed) {
            try NaClBox.open(box, nonce: other, from: alice.publicKey, to: bob)
        }
        let bobKey = try NaClBoxKey(publicKey: alice.publicKey, secretKey: bob)
        #expect(throws: NaClError.authenticationFailed) { try bobKey.open(box, nonce: other) }
        let secret = NaClSecretBox(using: SeededRandom(seed: 16))
        #expect(throws: NaClError.authenticationFailed) { try secret.open(secret.seal(message, nonce: nonce), nonce: other) }
    }

    @Test("the wrong key pair fails with .authenticationFailed")
    func wrongKey() throws {
        let box = try NaClBox.seal(message, nonce: nonce, to: bob.publicKey, from: alice)
        let eve = ChannelTestKeys.seeded(17)
        #expect(throws: NaClError.authenticationFailed) {
            try NaClBox.open(box, nonce: nonce, from: alice.publicKey, to: eve)
        }
        #expect(throws: NaClError.authenticationFailed) {
            try NaClBoxKey(publicKey: eve.publicKey, secretKey: bob).open(box, nonce: nonce)
        }
    }

    @Test("fewer than 16 bytes is .tooShort for every opener; exactly 16 is a (failing) box", arguments: [0, 1, 15])
    func tooShort(length: Int) throws {
        let short = [UInt8](repeating: 0, count: length)
        let bobKey = try NaClBoxKey(publicKey: alice.publicKey, secretKey: bob)
        #expect(throws: NaClError.tooShort) { try NaClBox.open(short, nonce: nonce, from: alice.publicKey, to: bob) }
        #expect(throws: NaClError.tooShort) { try bobKey.open(short, nonce: nonce) }
        #expect(throws: NaClError.tooShort) { try NaClSecretBox(using: SeededRandom(seed: 18)).open(short, nonce: nonce) }
        let sixteen = [UInt8](repeating: 0, count: 16)
        #expect(throws: NaClError.authenticationFailed) { try bobKey.open(sixteen, nonce: nonce) }
    }

    @Test("a low-order public key is refused with .weakKey", arguments: [
        [UInt8](repeating: 0, count: 32),        // all zeros
        [1] + [UInt8](repeating: 0, count: 31),  // u = 1, order 1
    ])
    func weakKey(raw: [UInt8]) throws {
        let weak = try ChannelTestKeys.publicKey(raw)
        #expect(throws: NaClError.weakKey) { try NaClBoxKey(publicKey: weak, secretKey: alice) }
        #expect(throws: NaClError.weakKey) { try NaClBox.seal(message, nonce: nonce, to: weak, from: alice) }
        // an opener cannot tell a weak key from a bad tag
        let box = try NaClBox.seal(message, nonce: nonce, to: bob.publicKey, from: alice)
        #expect(throws: NaClError.authenticationFailed) { try NaClBox.open(box, nonce: nonce, from: weak, to: bob) }
    }

    @Test("sealInPlace produces exactly what seal does", arguments: [0, 1, 31, 32, 33, 1000])
    func sealInPlace(length: Int) throws {
        let key = try NaClBoxKey(publicKey: bob.publicKey, secretKey: alice)
        let plain = ChannelTestKeys.pattern(length)
        var buffer = [UInt8](repeating: 0xEE, count: 16) + plain  // scratch, then plaintext
        buffer.withUnsafeMutableBytes { key.sealInPlace($0, nonce: nonce) }
        #expect(buffer == key.seal(plain, nonce: nonce))
        #expect(try key.open(buffer, nonce: nonce) == plain)
    }

    @Test("NaClNonce: 24 bytes only; prefix ‖ u64be(counter)")
    func nonces() throws {
        #expect(NaClNonce([UInt8](repeating: 1, count: 23)) == nil)
        #expect(NaClNonce([UInt8](repeating: 1, count: 25)) == nil)
        #expect(NaClNonce([UInt8](repeating: 1, count: 24))?.bytes == [UInt8](repeating: 1, count: 24))
        let n = NaClNonce(prefix: Array("0123456789abcdef".utf8), counter: 0x0102_0304_0506_0708)
        #expect(n.bytes == Array("0123456789abcdef".utf8) + [1, 2, 3, 4, 5, 6, 7, 8])
        let lt = NaClNonce(prefix8: Array("CurveCPK".utf8), tail: [UInt8](repeating: 9, count: 16))
        #expect(lt.bytes == Array("CurveCPK".utf8) + [UInt8](repeating: 9, count: 16))
        #expect(NaClSecretBox(key: SecretBytes([UInt8](repeating: 0, count: 31))) == nil)
        #expect(NaClSecretBox(key: SecretBytes([UInt8](repeating: 0, count: 33))) == nil)
    }

    @Test("known answer: NaClBox.seal reproduces the curve_tun Hello box (ECs -> S, CurveCP-client-H ‖ 0)")
    func helloBoxKnownAnswer() throws {
        let vectors = try CurveTunVectorFile.load()
        let hello = [UInt8](hex: vectors.hello)
        try #require(hello.count == 128)
        let ecs = try vectors.secretKey("ECs")
        let s = try vectors.publicKey("S")
        #expect(ecs.publicKey == (try vectors.publicKey("EC")))
        let nonce = NaClNonce(prefix: Array("CurveCP-client-H".utf8), counter: 0)
        let expected = Array(hello[48...])
        #expect(try NaClBox.seal([UInt8](repeating: 0, count: 64), nonce: nonce, to: s, from: ecs) == expected)
        #expect(try NaClBoxKey(publicKey: s, secretKey: ecs).seal([UInt8](repeating: 0, count: 64), nonce: nonce) == expected)
        // and the server opens it with Ss
        let opened = try NaClBox.open(expected, nonce: nonce, from: ecs.publicKey, to: vectors.secretKey("Ss"))
        #expect(opened == [UInt8](repeating: 0, count: 64))
    }

    @Test("known answer: NaClSecretBox reproduces the curve_tun cookie K under the minute key Ts")
    func cookieSecretBoxKnownAnswer() throws {
        let vectors = try CurveTunVectorFile.load()
        let key = try #require(NaClSecretBox(key: SecretBytes(try vectors.input("Ts"))))
        let safeNonce = try vectors.input("safeNonce")
        let nonce = NaClNonce(prefix8: Array("minute-k".utf8), tail: safeNonce)
        let cookie = [UInt8](hex: vectors.cookieK)
        let plain = try vectors.input("EC") + vectors.input("ESs")
        #expect(safeNonce + key.seal(plain, nonce: nonce) == cookie)
        #expect(try key.open(cookie.dropFirst(16), nonce: nonce) == plain)
    }
}
