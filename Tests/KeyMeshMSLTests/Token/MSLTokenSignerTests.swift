// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

/// The keyed token HMAC (docs/MSL.md §6) against RFC 4231 and the one-shot HMAC.
@Suite("MSLTokenSigner: keyed-once HMAC-SHA256")
struct MSLTokenSignerTests {
    static func hex(_ text: String) -> [UInt8] { Hex.decode(text) ?? [] }

    /// RFC 4231 test cases 1, 2, 3, 4 and 6 (key longer than a block): key, data, HMAC-SHA-256.
    static let rfc4231: [([UInt8], [UInt8], String)] = [
        ([UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xAA, count: 20), [UInt8](repeating: 0xDD, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), [UInt8](repeating: 0xCD, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0xAA, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ]

    @Test("RFC 4231 vectors, each signed twice from the same keyed state")
    func rfc4231Vectors() {
        for (key, data, expected) in Self.rfc4231 {
            let signer = MSLTokenSigner(key: SecretBytes(key))
            #expect(Hex.encode(signer.mac(data)) == expected)
            #expect(Hex.encode(signer.mac(data)) == expected, "the keyed state is reused, not consumed")
        }
    }

    @Test("equals the one-shot HMAC for many lengths; concurrent use agrees")
    func matchesOneShot() async {
        let keys = TokenFixtures.issuerKeys()
        let random = SeededRandom(seed: 21)
        let messages = (0..<200).map { random.bytes(count: $0 * 7) }
        for message in messages {
            #expect(MSLSignatureEnvelope.sign(message, keys: keys) == MSLSignatureEnvelope.sign(message, key: keys.hmacKey))
        }
        let agreed = await withTaskGroup(of: Bool.self) { group in
            for part in 0..<4 {
                group.addTask {
                    messages[(part * 50)..<(part * 50 + 50)].allSatisfy {
                        keys.signer.mac($0) == HMACSHA256.mac(key: keys.hmacKey, message: $0)
                    }
                }
            }
            var all = true
            for await ok in group { all = all && ok }
            return all
        }
        #expect(agreed)
        #expect(!MSLSignatureEnvelope.verify(MSLSignatureEnvelope.sign([1], keys: keys), data: [2], keys: keys))
        #expect(MSLSignatureEnvelope.verify(MSLSignatureEnvelope.sign([1], keys: keys), data: [1], keys: keys))
    }

    @Test("prints and reflects nothing of the key")
    func redacted() {
        let key = [UInt8](repeating: 0x5A, count: 32)
        let signer = MSLTokenSigner(key: SecretBytes(key))
        #expect(Redaction.leaks(of: key, in: Redaction.renderings(signer)).isEmpty)
        let keys = TokenFixtures.issuerKeys()
        #expect(Redaction.leaks(of: keys.hmacKey.unsafeExportSecret(), in: Redaction.renderings(keys)).isEmpty)
    }
}
