// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@Suite("Curve25519 keys")
struct X25519Tests {
    // Low-order points on Curve25519 (Bernstein's list; also in wireguard and vodozemac tests).
    static let lowOrder: [String] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ]

    @Test("an all-zero agreement with a low-order point is refused as non-contributory")
    func nonContributory() throws {
        let key = Curve25519SecretKey()
        for point in Self.lowOrder {
            #expect(throws: KeyError.nonContributoryKey, "\(point)") {
                try key.diffieHellman(with: try Curve25519PublicKey(rawRepresentation: [UInt8](hex: point)))
            }
        }
    }

    @Test("RFC 7748 §5.2 iterated X25519: 1 and 1,000 iterations from k = u = 9")
    func iterated() throws {
        var k = [UInt8](repeating: 0, count: 32), u = k
        k[0] = 9
        u[0] = 9
        for iteration in 1...1000 {
            let result = try Curve25519SecretKey(secret: SecretBytes(k))
                .diffieHellman(with: try Curve25519PublicKey(rawRepresentation: u)).unsafeExportSecret()
            (k, u) = (result, k)
            if iteration == 1 { #expect(k.hex == "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079") }
        }
        #expect(k.hex == "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")
    }

    @Test("both sides agree for random keys")
    func agreement() throws {
        let random = SeededRandom(seed: 77)
        for _ in 0..<50 {
            let a = Curve25519SecretKey(using: random), b = Curve25519SecretKey(using: random)
            #expect(try a.diffieHellman(with: b.publicKey) == b.diffieHellman(with: a.publicKey))
        }
    }

    @Test("keys round-trip through their secret and base64, and wrong lengths are typed errors")
    func encodings() throws {
        let key = Curve25519SecretKey()
        let restored = try Curve25519SecretKey(secret: key.unsafeExportSecret())
        #expect(restored.publicKey == key.publicKey)
        #expect(try Curve25519PublicKey(base64: key.publicKey.base64) == key.publicKey)
        #expect(key.publicKey.base64.count == 43)
        #expect(key.publicKey.description == "curve25519:\(key.publicKey.base64)")
        #expect(throws: KeyError.invalidLength(expected: 32, got: 31)) { try Curve25519PublicKey(rawRepresentation: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: KeyError.invalidLength(expected: 32, got: 33)) { try Curve25519SecretKey(secret: SecretBytes([UInt8](repeating: 1, count: 33))) }
        #expect(throws: KeyError.invalidBase64) { try Curve25519PublicKey(base64: "!!") }
        #expect(throws: KeyError.invalidLength(expected: 64, got: 32)) { try Ed25519Signature(rawRepresentation: [UInt8](repeating: 1, count: 32)) }
        #expect(throws: KeyError.invalidLength(expected: 32, got: 0)) { try Ed25519PublicKey(base64: "") }
        let signer = Ed25519SecretKey()
        #expect(try Ed25519SecretKey(seed: signer.unsafeExportSecret()).publicKey == signer.publicKey)
        #expect(try Ed25519PublicKey(base64: signer.publicKey.base64) == signer.publicKey)
        let signature = signer.signature(for: [1, 2, 3])
        #expect(try Ed25519Signature(base64: signature.base64) == signature)
        #expect(signature.base64.count == 86)
    }
}
