// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@Suite("Unpadded base64")
struct Base64Tests {
    // RFC 4648 §10, without the padding Matrix drops
    static let rfc: [(String, String)] = [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"),
                                          ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")]

    @Test("encodes RFC 4648 §10 without padding and decodes both forms")
    func rfcVectors() throws {
        for (plain, encoded) in Self.rfc {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(try Base64.decode(encoded) == Array(plain.utf8))
            let padded = encoded + String(repeating: "=", count: (4 - encoded.count % 4) % 4)
            #expect(try Base64.decode(padded) == Array(plain.utf8))
        }
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8")
    }

    @Test("refuses characters outside the standard alphabet, bad lengths and misplaced padding")
    func invalid() {
        for bad in ["Zg=", "Z", "Zm9vY", "Zm9v!", "-_8", "Zm 9v", "=Zm9", "Zg==Zg==", "Zg===", "Zm9\n"] {
            #expect(throws: Base64Error.invalid, "\(bad)") { try Base64.decode(bad) }
        }
    }

    @Test("non-zero unused trailing bits decode (the spec's own seed has them); encoding is canonical")
    func trailingBits() throws {
        #expect(try Base64.decode("Zh") == [0x66])
        #expect(try Base64.decode("Zh==") == [0x66])
        #expect(try Base64.decode("/x") == [0xFF])
        #expect(Base64.encode(try Base64.decode("Zh")) == "Zg")
        let specSeed = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"
        #expect(try Base64.decode(specSeed).count == 32)
        #expect(Base64.encode(try Base64.decode(specSeed)) == "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0")
    }

    @Test("1000 random byte strings round-trip (seed 0xB64)")
    func property() throws {
        let random = SeededRandom(seed: 0xB64)
        for _ in 0..<1000 {
            let bytes = random.bytes(count: random.next(below: 100))
            let encoded = Base64.encode(bytes)
            #expect(!encoded.contains("="))
            #expect(try Base64.decode(encoded) == bytes)
        }
    }

    @Test("100,000 random strings decode or throw, never trap (seed 0xB65)")
    func fuzz() {
        let random = SeededRandom(seed: 0xB65)
        let alphabet = Array("ABCxyz019+/=-_ \n!".utf8)
        var decoded = 0
        for _ in 0..<100_000 {
            let text = String(decoding: (0..<random.next(below: 12)).map { _ in alphabet[random.next(below: alphabet.count)] },
                              as: UTF8.self)
            if (try? Base64.decode(text)) != nil { decoded += 1 }
        }
        #expect(decoded > 0)
    }
}
