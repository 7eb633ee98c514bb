// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// `Vectors/signing.json`: an Ed25519 seed, an object, and the signature the spec or the
/// matrix-e2e.md §4.10 vectors give for it.
struct SigningVectors: Decodable {
    struct Case: Decodable {
        let name: String
        let seed_hex: String
        let seed_base64_as_published: String?
        let public_key: String
        let entity: String
        let key_id: String
        let object: String
        let signature: String

        func secretKey() throws -> Ed25519SecretKey {
            try Ed25519SecretKey(seed: SecretBytes([UInt8](hex: seed_hex)))
        }
    }
    let source: String
    let cases: [Case]

    static func load() throws -> [Case] { try VectorLoader.load(SigningVectors.self, "signing.json").cases }
}

@Suite("JSON signing known answers")
struct JSONSigningVectorTests {
    @Test("the seeds give the published public keys")
    func publicKeys() throws {
        let cases = try SigningVectors.load()
        #expect(cases.count == 6)
        for vector in cases {
            #expect(try vector.secretKey().publicKey.base64 == vector.public_key, "\(vector.name)")
        }
    }

    @Test("the spec's seed spelling differs from the stored seed only in the unused low bits of its last character")
    func specSeedSpelling() throws {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let spec = try SigningVectors.load().filter { $0.seed_base64_as_published != nil }
        #expect(spec.count == 2)
        for vector in spec {
            let text = try #require(vector.seed_base64_as_published)
            let canonical = Base64.encode([UInt8](hex: vector.seed_hex))
            #expect(canonical.count == 43 && text.count == 43)
            #expect(canonical.dropLast() == text.dropLast())
            let a = try #require(canonical.last.flatMap { alphabet.firstIndex(of: $0) })
            let b = try #require(text.last.flatMap { alphabet.firstIndex(of: $0) })
            // 43 characters carry 258 bits for 256: the last character's low 2 bits are unused
            #expect(a >> 2 == b >> 2)
        }
    }

    @Test("the published signatures verify against the published public keys")
    func publishedSignaturesVerify() throws {
        for vector in try SigningVectors.load() {
            let keyID = try #require(KeyID(vector.key_id))
            var object = try #require(try JSONParser.parse(vector.object).objectValue)
            object["signatures"] = [vector.entity: [vector.key_id: .string(vector.signature)]]
            let publicKey = try Ed25519PublicKey(base64: vector.public_key)
            #expect(throws: Never.self, "\(vector.name)") {
                try JSONSigner.verify(object, entity: vector.entity, keyID: keyID, publicKey: publicKey)
            }
            // the signed bytes are the object's canonical form, which the vectors store
            #expect(try JSONSigner.signedBytes(of: object) == Array(vector.object.utf8), "\(vector.name)")
        }
    }

    @Test("signing each vector object produces a signature that verifies (and on Linux, the same bytes)")
    func signingReproduces() throws {
        for vector in try SigningVectors.load() {
            let key = try vector.secretKey()
            let keyID = try #require(KeyID(vector.key_id))
            let object = try #require(try JSONParser.parse(vector.object).objectValue)
            let signed = try JSONSigner.sign(object, entity: vector.entity, keyID: keyID, key: key)
            #expect(throws: Never.self, "\(vector.name)") {
                try JSONSigner.verify(signed, entity: vector.entity, keyID: keyID, publicKey: key.publicKey)
            }
            let signatures = try #require(signed["signatures"]?.objectValue)
            #expect(signatures.keys == [vector.entity])
            #expect(signatures[vector.entity]?.objectValue?.keys == [vector.key_id])
            var withoutSignatures = signed
            withoutSignatures["signatures"] = nil
            #expect(withoutSignatures == object, "\(vector.name): signing changed the object")
            #if os(Linux)
            // BoringSSL's Ed25519 is the deterministic RFC 8032 scheme, so the bytes must match too.
            #expect(signatures[vector.entity]?.objectValue?[vector.key_id] == .string(vector.signature), "\(vector.name)")
            #endif
        }
    }

    @Test("the spec's signed outputs match, members and all")
    func specSignedOutput() throws {
        let cases = try SigningVectors.load().filter { $0.name.hasPrefix("spec:") }
        #expect(cases.count == 2)
        let expected = [
            #"{"signatures":{"domain":{"ed25519:1":"K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ"}}}"#,
            #"{"one":1,"signatures":{"domain":{"ed25519:1":"KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw"}},"two":"Two"}"#,
        ]
        for (vector, text) in zip(cases, expected) {
            let keyID = try #require(KeyID(vector.key_id))
            let published = try #require(try JSONParser.parse(text).objectValue)
            try JSONSigner.verify(published, entity: "domain", keyID: keyID, publicKey: try vector.secretKey().publicKey)
            #if os(Linux)
            let object = try #require(try JSONParser.parse(vector.object).objectValue)
            let signed = try JSONSigner.sign(object, entity: "domain", keyID: keyID, key: try vector.secretKey())
            #expect(try CanonicalJSON.string(.object(signed)) == text)
            #endif
        }
    }

    @Test("each vector signature fails under another vector's key or object")
    func vectorsAreNotInterchangeable() throws {
        let cases = try SigningVectors.load()
        for (a, b) in zip(cases, cases.dropFirst()) {
            let keyID = try #require(KeyID(a.key_id))
            var object = try #require(try JSONParser.parse(a.object).objectValue)
            object["signatures"] = [a.entity: [a.key_id: .string(a.signature)]]
            let otherKey = try Ed25519PublicKey(base64: b.public_key)
            if b.public_key != a.public_key {
                #expect(throws: SignatureError.invalidSignature, "\(a.name)") {
                    try JSONSigner.verify(object, entity: a.entity, keyID: keyID, publicKey: otherKey)
                }
            }
            if b.object != a.object {
                var swapped = try #require(try JSONParser.parse(b.object).objectValue)
                swapped["signatures"] = object["signatures"]
                let ownKey = try Ed25519PublicKey(base64: a.public_key)
                #expect(throws: SignatureError.invalidSignature, "\(a.name)") {
                    try JSONSigner.verify(swapped, entity: a.entity, keyID: keyID, publicKey: ownKey)
                }
            }
        }
    }
}
