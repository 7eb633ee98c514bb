// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

struct CipherVectors: Decodable {
    struct Case: Decodable { let secret, info, plaintext, ciphertext, mac_of_ciphertext: String }
    let cases: [Case]
}

@Suite("Olm's AES-256-CBC + HMAC cipher")
struct AESCBCHMACTests {
    @Test("matches Python cryptography for 9 lengths (HKDF expansion, PKCS#7, CBC and HMAC)")
    func knownAnswers() throws {
        let vectors = try VectorLoader.load(CipherVectors.self, "aes-cbc-hmac.json")
        #expect(vectors.cases.count == 9)
        for v in vectors.cases {
            let cipher = AESCBCHMAC(secret: SecretBytes([UInt8](hex: v.secret)), info: Array(v.info.utf8))
            let ciphertext = cipher.encrypt([UInt8](hex: v.plaintext))
            #expect(ciphertext.hex == v.ciphertext)
            #expect(cipher.mac(ciphertext).hex == v.mac_of_ciphertext)
            #expect(try cipher.decrypt(ciphertext) == [UInt8](hex: v.plaintext))
        }
    }

    @Test("round-trips every length from 0 to 100")
    func roundTrip() throws {
        let random = SeededRandom(seed: 5)
        let cipher = AESCBCHMAC(secret: random.secret(count: 32), info: Array("OLM_KEYS".utf8))
        for length in 0...100 {
            let plaintext = random.bytes(count: length)
            let ciphertext = cipher.encrypt(plaintext)
            #expect(ciphertext.count == (length / 16 + 1) * 16)
            #expect(try cipher.decrypt(ciphertext) == plaintext)
        }
    }

    @Test("bad lengths, bad padding and a wrong key are one coarse failure")
    func failures() {
        let random = SeededRandom(seed: 6)
        let cipher = AESCBCHMAC(secret: random.secret(count: 32), info: Array("OLM_KEYS".utf8))
        let other = AESCBCHMAC(secret: random.secret(count: 32), info: Array("OLM_KEYS".utf8))
        let ciphertext = cipher.encrypt(Array("sixteen bytes!!!".utf8))
        #expect(throws: CipherError.authenticationFailure) { try cipher.decrypt([]) }
        #expect(throws: CipherError.authenticationFailure) { try cipher.decrypt(ciphertext.dropLast()) }
        // the last block is all padding here (16 × 0x10); damaging it breaks the padding
        var damaged = ciphertext
        damaged[damaged.count - 1] ^= 0xFF
        #expect(throws: CipherError.authenticationFailure) { try cipher.decrypt(damaged) }
        var lostPadding = 0
        for _ in 0..<20 {
            if (try? other.decrypt(cipher.encrypt(random.bytes(count: 31)))) == nil { lostPadding += 1 }
        }
        #expect(lostPadding > 10)  // a wrong key almost always breaks the padding
        let mac = cipher.mac(ciphertext)
        #expect(cipher.isValidMAC(mac.prefix(8), for: ciphertext))
        #expect(!other.isValidMAC(mac.prefix(8), for: ciphertext))
        #expect(!cipher.isValidMAC(mac.prefix(8), for: ciphertext + [0]))
    }
}
