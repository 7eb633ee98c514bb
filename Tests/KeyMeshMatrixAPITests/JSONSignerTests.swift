// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@Suite("JSON signing and verification")
struct JSONSignerTests {
    static func key(_ start: UInt8) -> Ed25519SecretKey {
        do { return try Ed25519SecretKey(seed: SecretBytes(ScriptedRandom.run(from: start))) } catch {
            preconditionFailure("a 32-byte seed was refused") // test set-up
        }
    }

    static let alice = key(0x00), bob = key(0x40), master = key(0xA0)
    static let aliceID = KeyID.ed25519("ALICEDEV"), bobID = KeyID.ed25519("BOBDEV")

    /// A signed fallback key as `/keys/upload` carries it.
    static let fallbackKey: JSONObject = ["key": "ST6C/HRGSlkmiBdiPSBTxeuOLMSpiLT+4XnsawENUx0", "fallback": true]

    static func verify(_ object: JSONObject, _ entity: String = "@alice:hs", _ keyID: KeyID = aliceID,
                       _ key: Ed25519PublicKey = alice.publicKey) throws(SignatureError) {
        try JSONSigner.verify(object, entity: entity, keyID: keyID, publicKey: key)
    }

    @Test("signing keeps existing signatures: several entities and keys all verify afterwards")
    func keepsExistingSignatures() throws {
        let once = try JSONSigner.sign(Self.fallbackKey, entity: "@alice:hs", keyID: Self.aliceID, key: Self.alice)
        let twice = try JSONSigner.sign(once, entity: "@bob:hs", keyID: Self.bobID, key: Self.bob)
        let masterID = KeyID.ed25519(Self.master.publicKey.base64)
        let thrice = try JSONSigner.sign(twice, entity: "@alice:hs", keyID: masterID, key: Self.master)
        try Self.verify(thrice)
        try Self.verify(thrice, "@bob:hs", Self.bobID, Self.bob.publicKey)
        try Self.verify(thrice, "@alice:hs", masterID, Self.master.publicKey)
        let signatures = try #require(thrice["signatures"]?.objectValue)
        #expect(signatures.keys == ["@alice:hs", "@bob:hs"])
        #expect(signatures["@alice:hs"]?.objectValue?.keys == ["ed25519:ALICEDEV", masterID.description])
        #expect(signatures["@bob:hs"]?.objectValue?.keys == ["ed25519:BOBDEV"])
        // earlier signatures are carried over unchanged
        #expect(signatures["@alice:hs"]?.objectValue?["ed25519:ALICEDEV"]
            == once["signatures"]?.objectValue?["@alice:hs"]?.objectValue?["ed25519:ALICEDEV"])
    }

    @Test("signing again under the same key ID replaces only that signature")
    func replacesSameKeyID() throws {
        let first = try JSONSigner.sign(Self.fallbackKey, entity: "@alice:hs", keyID: Self.aliceID, key: Self.bob)
        let both = try JSONSigner.sign(first, entity: "@bob:hs", keyID: Self.bobID, key: Self.bob)
        let replaced = try JSONSigner.sign(both, entity: "@alice:hs", keyID: Self.aliceID, key: Self.alice)
        try Self.verify(replaced)
        try Self.verify(replaced, "@bob:hs", Self.bobID, Self.bob.publicKey)
        #expect(throws: SignatureError.invalidSignature) { try Self.verify(replaced, "@alice:hs", Self.aliceID, Self.bob.publicKey) }
        #expect(replaced["signatures"]?.objectValue?["@alice:hs"]?.objectValue?.count == 1)
    }

    @Test("unsigned is kept after signing and is not covered by the signature")
    func unsignedNotCovered() throws {
        var object = Self.fallbackKey
        object["unsigned"] = ["device_display_name": "Phone", "age": 5]
        let signed = try JSONSigner.sign(object, entity: "@alice:hs", keyID: Self.aliceID, key: Self.alice)
        #expect(signed["unsigned"] == ["device_display_name": "Phone", "age": 5])
        try Self.verify(signed)
        for unsigned: JSONValue? in [["age": 6], "anything", nil, .int(Int64.max)] {
            var changed = signed
            changed["unsigned"] = unsigned
            #expect(throws: Never.self, "\(String(describing: unsigned))") { try Self.verify(changed) }
        }
        // an out-of-range integer under unsigned does not stop signing either
        var huge = Self.fallbackKey
        huge["unsigned"] = ["n": .int(Int64.max)]
        try Self.verify(try JSONSigner.sign(huge, entity: "@alice:hs", keyID: Self.aliceID, key: Self.alice))
    }

    @Test("every other member is covered: changing, removing or adding one breaks the signature")
    func everythingElseCovered() throws {
        var object = Self.fallbackKey
        object["inner"] = ["unsigned": 1, "signatures": ["x": 1]]
        let signed = try JSONSigner.sign(object, entity: "@alice:hs", keyID: Self.aliceID, key: Self.alice)
        try Self.verify(signed)
        let changes: [(String, JSONValue?)] = [
            ("fallback", false), ("fallback", nil), ("fallback", 1), ("key", "ST6C/HRGSlkmiBdiPSBTxeuOLMSpiLT+4XnsawENUx1"),
            ("extra", 1), ("Unsigned", [:] as JSONValue), ("inner", ["unsigned": 2, "signatures": ["x": 1]]),
            ("inner", ["unsigned": 1, "signatures": ["x": 1, "y": 2]]),
        ]
        for (member, value) in changes {
            var changed = signed
            changed[member] = value
            #expect(throws: SignatureError.invalidSignature, "\(member) = \(String(describing: value))") {
                try Self.verify(changed)
            }
        }
    }

    @Test("signedBytes is the canonical object without the top-level signatures and unsigned")
    func signedBytes() throws {
        let object: JSONObject = ["b": ["unsigned": 1], "a": "日", "signatures": ["@a:hs": ["ed25519:A": "x"]],
                                  "unsigned": ["age": 1]]
        #expect(try JSONSigner.signedBytes(of: object) == Array(#"{"a":"日","b":{"unsigned":1}}"#.utf8))
        #expect(try JSONSigner.signedBytes(of: [:]) == Array("{}".utf8))
        let signed = try JSONSigner.sign(object, entity: "@a:hs", keyID: .ed25519("B"), key: Self.alice)
        #expect(try JSONSigner.signedBytes(of: signed) == JSONSigner.signedBytes(of: object))
        // the signature is over exactly those bytes
        let text = try #require(signed["signatures"]?.objectValue?["@a:hs"]?.objectValue?["ed25519:B"]?.stringValue)
        #expect(Self.alice.publicKey.isValidSignature(try Ed25519Signature(base64: text), for: Array(#"{"a":"日","b":{"unsigned":1}}"#.utf8)))
    }

    @Test("a missing signature, entity or signatures member is missingSignature")
    func missingSignature() throws {
        let signed = try JSONSigner.sign(["a": 1], entity: "@alice:hs", keyID: Self.aliceID, key: Self.alice)
        #expect(throws: SignatureError.missingSignature) { try Self.verify(signed, "@alice:hs", .ed25519("OTHER")) }
        #expect(throws: SignatureError.missingSignature) { try Self.verify(signed, "@bob:hs") }
        #expect(throws: SignatureError.missingSignature) { try Self.verify(["a": 1]) }
        #expect(throws: SignatureError.missingSignature) { try Self.verify(["a": 1, "signatures": [:] as JSONValue]) }
        // names are compared exactly: a canonically-equivalent entity is another entity
        let accented = try JSONSigner.sign(["a": 1], entity: "@\u{E9}:hs", keyID: Self.aliceID, key: Self.alice)
        try Self.verify(accented, "@\u{E9}:hs")
        #expect(throws: SignatureError.missingSignature) { try Self.verify(accented, "@e\u{301}:hs") }
    }

    @Test("key IDs of other algorithms are unsupportedAlgorithm")
    func unsupportedAlgorithm() throws {
        let signed = try JSONSigner.sign(["a": 1], entity: "@alice:hs", keyID: Self.aliceID, key: Self.alice)
        for keyID in [KeyID.curve25519("ALICEDEV"), .signedCurve25519("ALICEDEV"), KeyID(algorithm: "ed448", id: "ALICEDEV")] {
            #expect(throws: SignatureError.unsupportedAlgorithm(keyID.algorithm)) { try Self.verify(signed, "@alice:hs", keyID) }
        }
        // even when a valid Ed25519 signature is filed under that name
        let signature = try #require(signed["signatures"]?.objectValue?["@alice:hs"]?.objectValue?["ed25519:ALICEDEV"])
        let misfiled: JSONObject = ["a": 1, "signatures": ["@alice:hs": ["curve25519:ALICEDEV": signature]]]
        #expect(throws: SignatureError.unsupportedAlgorithm("curve25519")) {
            try Self.verify(misfiled, "@alice:hs", .curve25519("ALICEDEV"))
        }
    }

    @Test("bad base64, wrong length, wrong key and tampering are invalidSignature")
    func invalidSignature() throws {
        let signed = try JSONSigner.sign(["a": 1], entity: "@alice:hs", keyID: Self.aliceID, key: Self.alice)
        let good = try #require(signed["signatures"]?.objectValue?["@alice:hs"]?.objectValue?["ed25519:ALICEDEV"]?.stringValue)
        var raw = try Base64.decode(good)
        raw[17] ^= 0x01
        let bad: [JSONValue] = [
            "not base64!", "", "A", "AAAA", .string(String(good.dropLast())), .string(good + "AA"),
            .string(String(repeating: "A", count: 86)), .string(Base64.encode(raw)), .string("-" + good.dropFirst()),
            5, nil, ["sig": .string(good)], [.string(good)],
        ]
        for value in bad {
            var tampered = signed
            tampered["signatures"] = ["@alice:hs": ["ed25519:ALICEDEV": value]]
            #expect(throws: SignatureError.invalidSignature, "\(value)") { try Self.verify(tampered) }
        }
        #expect(throws: SignatureError.invalidSignature) { try Self.verify(signed, "@alice:hs", Self.aliceID, Self.bob.publicKey) }
        // a padded copy of the good signature still verifies: decoders accept padding (spec appendix)
        var padded = signed
        padded["signatures"] = ["@alice:hs": ["ed25519:ALICEDEV": .string(good + "==")]]
        try Self.verify(padded)
    }

    @Test("objects with out-of-range integers cannot be signed or verified: notCanonical")
    func notCanonical() throws {
        #expect(throws: SignatureError.notCanonical(.integerOutOfRange(Int64.max))) {
            try JSONSigner.sign(["n": .int(Int64.max)], entity: "@alice:hs", keyID: Self.aliceID, key: Self.alice)
        }
        #expect(throws: SignatureError.notCanonical(.integerOutOfRange(-JSONValue.maxSafeInteger - 1))) {
            try JSONSigner.signedBytes(of: ["a": [["n": .int(-JSONValue.maxSafeInteger - 1)]]])
        }
        var signed = try JSONSigner.sign(["a": 1], entity: "@alice:hs", keyID: Self.aliceID, key: Self.alice)
        signed["n"] = .int(Int64.min)
        #expect(throws: SignatureError.notCanonical(.integerOutOfRange(Int64.min))) { try Self.verify(signed) }
    }

    @Test("a signatures member that is not an object of objects is malformedSignatures")
    func malformedSignatures() {
        let malformed: [JSONValue] = ["x", 1, [], nil, true, ["@alice:hs": 1], ["@alice:hs": "sig"], ["@alice:hs": []]]
        for signatures in malformed {
            #expect(throws: SignatureError.malformedSignatures, "\(signatures)") {
                try JSONSigner.sign(["a": 1, "signatures": signatures], entity: "@alice:hs", keyID: Self.aliceID, key: Self.alice)
            }
        }
    }
}

@Suite("Signing refuses malformed signature maps")
struct JSONSignerMalformedTests {
    @Test("any non-object entry under signatures, not only the signer's own, is malformedSignatures")
    func otherEntity() {
        let key = Ed25519SecretKey(using: SeededRandom(seed: 3))
        #expect(throws: SignatureError.malformedSignatures) {
            try JSONSigner.sign(["signatures": ["@b:hs": 1]], entity: "@a:hs", keyID: .ed25519("A"), key: key)
        }
    }
}
