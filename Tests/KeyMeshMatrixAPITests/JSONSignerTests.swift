// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

struct SigningVectors: Decodable {
    struct Case: Decodable {
        let name: String
        let seed_base64: String?
        let seed_hex: String?
        let public_key: String
        let entity: String
        let key_id: String
        let object: String
        let signature: String
    }
    let cases: [Case]
}

@Suite("JSON signing")
struct JSONSignerTests {
    static func key(_ vector: SigningVectors.Case) throws -> Ed25519SecretKey {
        let seed = try vector.seed_base64.map { try Base64.decode($0) } ?? [UInt8](hex: vector.seed_hex ?? "")
        return try Ed25519SecretKey(seed: SecretBytes(seed))
    }

    @Test("the spec's and KeyMesh's signing vectors sign and verify")
    func vectors() throws {
        let vectors = try VectorLoader.load(SigningVectors.self, "signing.json")
        #expect(vectors.cases.count == 5)
        for vector in vectors.cases {
            let key = try Self.key(vector)
            #expect(key.publicKey.base64 == vector.public_key, "\(vector.name)")
            let keyID = try #require(KeyID(vector.key_id))
            let object = try #require(try JSONParser.parse(vector.object).objectValue)
            let signed = try JSONSigner.sign(object, entity: vector.entity, keyID: keyID, key: key)
            try JSONSigner.verify(signed, entity: vector.entity, keyID: keyID, publicKey: key.publicKey)
            // the published signature verifies too
            var published = object
            published["signatures"] = [vector.entity: [vector.key_id: .string(vector.signature)]]
            try JSONSigner.verify(published, entity: vector.entity, keyID: keyID, publicKey: key.publicKey)
            #if os(Linux)
            // BoringSSL's Ed25519 is deterministic: the bytes must match too
            #expect(signed["signatures"]?.objectValue?[vector.entity]?.objectValue?[vector.key_id] == .string(vector.signature),
                    "\(vector.name)")
            #endif
        }
    }

    static let alice = Ed25519SecretKey(), bob = Ed25519SecretKey()

    @Test("signing keeps existing signatures and restores unsigned")
    func multipleSignatures() throws {
        let object: JSONObject = ["key": "abc", "unsigned": ["age": 5]]
        let once = try JSONSigner.sign(object, entity: "@a:hs", keyID: .ed25519("A"), key: Self.alice)
        let twice = try JSONSigner.sign(once, entity: "@b:hs", keyID: .ed25519("B"), key: Self.bob)
        let thrice = try JSONSigner.sign(twice, entity: "@a:hs", keyID: .ed25519("A2"), key: Self.bob)
        try JSONSigner.verify(thrice, entity: "@a:hs", keyID: .ed25519("A"), publicKey: Self.alice.publicKey)
        try JSONSigner.verify(thrice, entity: "@b:hs", keyID: .ed25519("B"), publicKey: Self.bob.publicKey)
        try JSONSigner.verify(thrice, entity: "@a:hs", keyID: .ed25519("A2"), publicKey: Self.bob.publicKey)
        #expect(thrice["unsigned"] == ["age": 5])
    }

    @Test("unsigned is not covered; every other member is")
    func coverage() throws {
        let object: JSONObject = ["key": "abc", "fallback": true]
        var signed = try JSONSigner.sign(object, entity: "@a:hs", keyID: .ed25519("A"), key: Self.alice)
        signed["unsigned"] = ["device_display_name": "Phone"]
        try JSONSigner.verify(signed, entity: "@a:hs", keyID: .ed25519("A"), publicKey: Self.alice.publicKey)
        for (member, value) in [("fallback", JSONValue.bool(false)), ("key", "abd"), ("extra", 1)] {
            var changed = signed
            changed[member] = value
            #expect(throws: SignatureError.invalidSignature, "\(member)") {
                try JSONSigner.verify(changed, entity: "@a:hs", keyID: .ed25519("A"), publicKey: Self.alice.publicKey)
            }
        }
    }

    @Test("missing, foreign-algorithm, malformed and wrong-key signatures are refused with typed errors")
    func failures() throws {
        let signed = try JSONSigner.sign(["a": 1], entity: "@a:hs", keyID: .ed25519("A"), key: Self.alice)
        let verify = { (object: JSONObject, keyID: KeyID, key: Ed25519PublicKey) throws(SignatureError) in
            try JSONSigner.verify(object, entity: "@a:hs", keyID: keyID, publicKey: key)
        }
        #expect(throws: SignatureError.missingSignature) { try verify(signed, .ed25519("B"), Self.alice.publicKey) }
        #expect(throws: SignatureError.missingSignature) {
            try JSONSigner.verify(signed, entity: "@b:hs", keyID: .ed25519("A"), publicKey: Self.alice.publicKey)
        }
        #expect(throws: SignatureError.unsupportedAlgorithm("curve25519")) { try verify(signed, .curve25519("A"), Self.alice.publicKey) }
        #expect(throws: SignatureError.invalidSignature) { try verify(signed, .ed25519("A"), Self.bob.publicKey) }
        for bad in ["not base64!", "AAAA", String(repeating: "A", count: 86)] {
            var tampered = signed
            tampered["signatures"] = ["@a:hs": ["ed25519:A": .string(bad)]]
            #expect(throws: SignatureError.invalidSignature) { try verify(tampered, .ed25519("A"), Self.alice.publicKey) }
        }
        var notString = signed
        notString["signatures"] = ["@a:hs": ["ed25519:A": 5]]
        #expect(throws: SignatureError.invalidSignature) { try verify(notString, .ed25519("A"), Self.alice.publicKey) }
    }

    @Test("unencodable objects and malformed signature maps cannot be signed")
    func signingErrors() {
        #expect(throws: SignatureError.notCanonical(.integerOutOfRange(Int64.max))) {
            try JSONSigner.sign(["n": .int(Int64.max)], entity: "@a:hs", keyID: .ed25519("A"), key: Self.alice)
        }
        #expect(throws: SignatureError.malformedSignatures) {
            try JSONSigner.sign(["signatures": "x"], entity: "@a:hs", keyID: .ed25519("A"), key: Self.alice)
        }
        #expect(throws: SignatureError.malformedSignatures) {
            try JSONSigner.sign(["signatures": ["@a:hs": 1]], entity: "@a:hs", keyID: .ed25519("A"), key: Self.alice)
        }
    }
}

@Suite("Key identifiers")
struct KeyIDTests {
    @Test("parse algorithm:id at the first colon and print it back")
    func parsing() throws {
        let device = try #require(KeyID("ed25519:DEV"))
        #expect(device.algorithm == "ed25519" && device.id == "DEV")
        let otk = try #require(KeyID("signed_curve25519:AAAAAQ"))
        #expect(otk == .signedCurve25519("AAAAAQ"))
        #expect(otk.description == "signed_curve25519:AAAAAQ")
        #expect(KeyID("ed25519:a:b")?.id == "a:b")
        #expect(KeyID("nocolon") == nil)
        #expect(KeyID(":id") == nil)
        #expect(KeyID("ed25519:") == nil)
    }
}
