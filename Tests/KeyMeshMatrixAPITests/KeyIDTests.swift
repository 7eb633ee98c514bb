// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import Testing

@Suite("Key identifiers")
struct KeyIDTests {
    @Test("'algorithm:id' splits at the first colon")
    func parsing() throws {
        let device = try #require(KeyID("ed25519:DEV"))
        #expect(device.algorithm == "ed25519")
        #expect(device.id == "DEV")
        let otk = try #require(KeyID("signed_curve25519:AAAAAQ"))
        #expect(otk.algorithm == "signed_curve25519")
        #expect(otk.id == "AAAAAQ")
        let crossSigning = try #require(KeyID("ed25519:iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w"))
        #expect(crossSigning.id == "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w")
        let colons = try #require(KeyID("ed25519:a:b:"))
        #expect(colons.algorithm == "ed25519")
        #expect(colons.id == "a:b:")
    }

    @Test("no colon or an empty part is nil")
    func refused() {
        for text in ["", ":", "nocolon", ":id", "ed25519:", "::", ":a:b"] {
            #expect(KeyID(text) == nil, "\(text)")
        }
    }

    @Test("description prints 'algorithm:id' and parses back to the same identifier")
    func roundTrip() throws {
        for text in ["ed25519:DEV", "signed_curve25519:AAAAAQ", "curve25519:ALICEDEV", "ed25519:a:b",
                     "ed25519:gTl3Dqh9F19Wo1Rmw0x+zMuNipG07jeiXfYPW4/Js5Q", "x:\u{1F600}", "ed25519:e\u{301}"] {
            let keyID = try #require(KeyID(text))
            #expect(keyID.description.utf8.elementsEqual(text.utf8), "\(text)")
            #expect(KeyID(keyID.description) == keyID)
            #expect("\(keyID)" == text)
        }
    }

    @Test("the named constructors build the algorithms Matrix uses")
    func constructors() {
        #expect(KeyID.ed25519("DEV") == KeyID("ed25519:DEV"))
        #expect(KeyID.curve25519("DEV") == KeyID("curve25519:DEV"))
        #expect(KeyID.signedCurve25519("AAAAAQ") == KeyID("signed_curve25519:AAAAAQ"))
        #expect(KeyID(algorithm: "ed25519", id: "DEV").description == "ed25519:DEV")
        #expect(KeyID.ed25519("A") != KeyID.curve25519("A"))
        #expect(KeyID.ed25519("A") != KeyID.ed25519("B"))
        #expect(Set([KeyID.ed25519("A"), KeyID("ed25519:A")!, .ed25519("B")]).count == 2)
    }

    @Test("the colon is found by scalar, even when a combining mark follows it")
    func colonBeforeCombiningMark() throws {
        // ":" + U+0301 forms one Character, so a search by Character would miss the colon.
        let keyID = try #require(KeyID("ed25519:\u{301}DEV"))
        #expect(keyID.algorithm == "ed25519")
        #expect(keyID.id.unicodeScalars.elementsEqual("\u{301}DEV".unicodeScalars))
    }
}

@Suite("Key identifiers compare by bytes")
struct KeyIDEqualityTests {
    @Test("canonically equivalent ids are different key ids, as JSON member names are")
    func byteExact() throws {
        let composed = try #require(KeyID("ed25519:\u{E9}"))
        let decomposed = try #require(KeyID("ed25519:e\u{301}"))
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
        #expect(composed == KeyID(algorithm: "ed25519", id: "\u{E9}"))
    }
}
