// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

struct RFCVectors: Decodable {
    struct HKDFCase: Decodable { let name, ikm, salt, info: String; let length: Int; let okm: String }
    struct HMACCase: Decodable { let name, key, data, mac: String }
    struct X25519Case: Decodable { let name, scalar, u, shared: String }
    struct X25519Public: Decodable { let name, scalar, `public`: String }
    struct Ed25519Case: Decodable { let name, seed, `public`, message, signature: String }
    let hkdf: [HKDFCase]
    let hmac: [HMACCase]
    let x25519: [X25519Case]
    let x25519_public: [X25519Public]
    let ed25519: [Ed25519Case]
}

@Suite("RFC known-answer vectors")
struct RFCVectorTests {
    let vectors: RFCVectors
    init() throws { vectors = try VectorLoader.load(RFCVectors.self, "rfc-vectors.json") }

    @Test("HKDF-SHA-256 matches RFC 5869 A.1–A.3")
    func hkdf() {
        #expect(vectors.hkdf.count == 3)
        for v in vectors.hkdf {
            let okm = HKDFSHA256.derive(secret: SecretBytes([UInt8](hex: v.ikm)), salt: [UInt8](hex: v.salt),
                                        info: [UInt8](hex: v.info), count: v.length)
            #expect(okm.unsafeExportSecret().hex == v.okm, "\(v.name)")
            // a secret salt gives the same result
            let secretSalt = HKDFSHA256.derive(secret: SecretBytes([UInt8](hex: v.ikm)), salt: SecretBytes([UInt8](hex: v.salt)),
                                               info: [UInt8](hex: v.info), count: v.length)
            #expect(secretSalt == okm, "\(v.name)")
        }
    }

    @Test("HMAC-SHA-256 matches RFC 4231; tags verify, truncated or flipped")
    func hmac() {
        #expect(vectors.hmac.count == 6)
        for v in vectors.hmac {
            let key = SecretBytes([UInt8](hex: v.key)), data = [UInt8](hex: v.data)
            #expect(HMACSHA256.mac(key: key, message: data).hex == v.mac, "\(v.name)")
            #expect(HMACSHA256.secretMAC(key: key, message: data).unsafeExportSecret().hex == v.mac, "\(v.name)")
            let tag = [UInt8](hex: v.mac)
            #expect(HMACSHA256.isValid(tag: tag, key: key, message: data))
            #expect(HMACSHA256.isValid(tag: tag.prefix(8), key: key, message: data))
            var flipped = tag
            flipped[0] ^= 1
            #expect(!HMACSHA256.isValid(tag: flipped.prefix(8), key: key, message: data))
            #expect(!HMACSHA256.isValid(tag: tag.prefix(7), key: key, message: data))  // under 8 bytes: refused
        }
        // RFC 4231 case 5: truncation to 128 bits
        let key = SecretBytes([UInt8](repeating: 0x0C, count: 20))
        #expect(HMACSHA256.isValid(tag: [UInt8](hex: "a3b6167473100ee06e0c796c2955552b"), key: key,
                                   message: Array("Test With Truncation".utf8)))
    }

    @Test("keying HMAC once for several messages gives the same MACs")
    func keyedOnce() {
        let key = SecretBytes([UInt8](repeating: 9, count: 32))
        let both = HMACSHA256.secretMACs(key: key, bytes: [1, 2])
        #expect(both[0] == HMACSHA256.secretMAC(key: key, message: [1]))
        #expect(both[1] == HMACSHA256.secretMAC(key: key, message: [2]))
    }

    @Test("X25519 matches RFC 7748 §5.2 and §6.1, public keys included")
    func x25519() throws {
        #expect(vectors.x25519.count == 4)
        for v in vectors.x25519 {
            let key = try Curve25519SecretKey(secret: SecretBytes([UInt8](hex: v.scalar)))
            let shared = try key.diffieHellman(with: try Curve25519PublicKey(rawRepresentation: [UInt8](hex: v.u)))
            #expect(shared.unsafeExportSecret().hex == v.shared, "\(v.name)")
        }
        for v in vectors.x25519_public {
            let key = try Curve25519SecretKey(secret: SecretBytes([UInt8](hex: v.scalar)))
            #expect(key.publicKey.rawRepresentation.hex == v.public, "\(v.name)")
        }
    }

    @Test("Ed25519 matches RFC 8032 §7.1: public keys, verifying signatures, forgeries refused")
    func ed25519() throws {
        #expect(vectors.ed25519.count == 3)
        for v in vectors.ed25519 {
            let key = try Ed25519SecretKey(seed: SecretBytes([UInt8](hex: v.seed)))
            #expect(key.publicKey.rawRepresentation.hex == v.public, "\(v.name)")
            let message = [UInt8](hex: v.message)
            let published = try Ed25519Signature(rawRepresentation: [UInt8](hex: v.signature))
            #expect(key.publicKey.isValidSignature(published, for: message), "\(v.name)")
            let ours = key.signature(for: message)
            #expect(key.publicKey.isValidSignature(ours, for: message))
            #if os(Linux)
            #expect(ours == published, "\(v.name): BoringSSL's Ed25519 is deterministic")  // CryptoKit may randomise
            #endif
            var forged = published.rawRepresentation
            forged[10] ^= 0x04
            #expect(!key.publicKey.isValidSignature(try Ed25519Signature(rawRepresentation: forged), for: message))
            #expect(!key.publicKey.isValidSignature(published, for: message + [0]))
            // malleability: S + L (the group order) is the same scalar, and must still be refused
            #expect(!key.publicKey.isValidSignature(try Ed25519Signature(rawRepresentation: Self.addOrder(published)),
                                                    for: message), "\(v.name): S + L accepted")
        }
    }

    /// The signature with L = 2^252 + 27742317777372353535851937790883648493 added to S (little-endian).
    static func addOrder(_ signature: Ed25519Signature) -> [UInt8] {
        let order = [UInt8](hex: "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
        var bytes = signature.rawRepresentation
        var carry = 0
        for i in 0..<32 {
            let sum = Int(bytes[32 + i]) + Int(order[i]) + carry
            bytes[32 + i] = UInt8(sum & 0xFF)
            carry = sum >> 8
        }
        return bytes
    }
}
