// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshCrypto
import KeyMeshMatrixAPI
import Testing

@Suite("MSL master token reading errors (docs/MSL.md §6)")
struct MSLMasterTokenErrorTests {
    let keys = TokenFixtures.issuerKeys()

    private func expectCode(_ code: MSLErrorCode, _ token: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: MSLError(code), sourceLocation: sourceLocation) { try MSLMasterToken.parse(token, issuerKeys: [keys]) }
    }

    private func tokendata(_ change: (inout JSONObject) -> Void) throws -> JSONValue {
        var object = try TokenFixtures.tokendataObject()
        change(&object)
        return TokenFixtures.token(object)
    }

    @Test("outer object: not an object, members missing or not base64 → MSL_PARSE_ERROR")
    func outer() throws {
        let good = try TokenFixtures.issued().json
        guard case .object(let object) = good else { Issue.record("not an object"); return }
        expectCode(.mslParseError, "token")
        for key in ["tokendata", "signature"] {
            var missing = object
            missing[key] = nil
            expectCode(.mslParseError, .object(missing))
            var number = object
            number[key] = 5
            expectCode(.mslParseError, .object(number))
            var bad = object
            bad[key] = "abc"
            expectCode(.mslParseError, .object(bad))
        }
    }

    @Test("tokendata: empty → 1010; not JSON, missing or mistyped member → 1011")
    func tokendataShape() throws {
        expectCode(.mastertokenTokendataMissing, TokenFixtures.token(tokendata: []))
        expectCode(.mastertokenTokendataParseError, TokenFixtures.token(tokendata: Array("not json".utf8)))
        expectCode(.mastertokenTokendataParseError, TokenFixtures.token(tokendata: Array("[1]".utf8)))
        for key in ["renewalwindow", "expiration", "sequencenumber", "serialnumber", "sessiondata"] {
            expectCode(.mastertokenTokendataParseError, try tokendata { $0[key] = nil })
            expectCode(.mastertokenTokendataParseError, try tokendata { $0[key] = .bool(true) })
        }
        expectCode(.mastertokenTokendataParseError, try tokendata { $0["expiration"] = "200" })
        expectCode(.mastertokenTokendataParseError, try tokendata { $0["sessiondata"] = 5 })
        expectCode(.mastertokenTokendataParseError, try tokendata { $0["sessiondata"] = "abc" })
        let bigSequence = Array(#"{"renewalwindow":1,"expiration":2,"sequencenumber":9007199254740993,"serialnumber":1,"sessiondata":"AA=="}"#.utf8)
        expectCode(.mastertokenSequenceNumberOutOfRange, TokenFixtures.token(tokendata: bigSequence))
        let bigSerial = Array(#"{"renewalwindow":1,"expiration":2,"sequencenumber":1,"serialnumber":9007199254740993,"sessiondata":"AA=="}"#.utf8)
        expectCode(.mastertokenSerialNumberOutOfRange, TokenFixtures.token(tokendata: bigSerial))
        let seventeenDigits = Array(#"{"renewalwindow":1,"expiration":2,"sequencenumber":10000000000000000,"serialnumber":1,"sessiondata":"AA=="}"#.utf8)
        expectCode(.mastertokenSequenceNumberOutOfRange, TokenFixtures.token(tokendata: seventeenDigits))
        let fraction = Array(#"{"renewalwindow":1.5,"expiration":2,"sequencenumber":1,"serialnumber":1,"sessiondata":"AA=="}"#.utf8)
        expectCode(.mastertokenTokendataParseError, TokenFixtures.token(tokendata: fraction))
    }

    @Test("tokendata values: 1002, 1004, 1005, 1003 in §6 order")
    func tokendataValues() throws {
        expectCode(.mastertokenExpiresBeforeRenewal, try tokendata { $0["expiration"] = 99 })
        expectCode(.mastertokenSequenceNumberOutOfRange, try tokendata { $0["sequencenumber"] = -1 })
        expectCode(.mastertokenSerialNumberOutOfRange, try tokendata { $0["serialnumber"] = -1 })
        expectCode(.mastertokenSessiondataMissing, try tokendata { $0["sessiondata"] = "" })
        // order: the renewal check comes before the counters
        expectCode(.mastertokenExpiresBeforeRenewal, try tokendata { $0["expiration"] = 1; $0["sequencenumber"] = -1 })
        // 2^53 itself is in range
        let edge = try MSLMasterToken.parse(try tokendata {
            $0["sequencenumber"] = .int(MSLJSON.maxInteger); $0["serialnumber"] = .int(MSLJSON.maxInteger)
        }, issuerKeys: [keys])
        #expect(edge.isVerified && edge.sequenceNumber == MSLJSON.maxInteger)
    }

    @Test("range errors are reported for unverified tokens too")
    func unverifiedRange() throws {
        var object = try TokenFixtures.tokendataObject()
        object["serialnumber"] = -5
        let foreign = TokenFixtures.token(object, keys: TokenFixtures.issuerKeys(seed: 60))
        expectCode(.mastertokenSerialNumberOutOfRange, foreign)
    }

    @Test("a malformed envelope of a verified token → CIPHERTEXT_ENVELOPE_PARSE_ERROR")
    func envelope() throws {
        let bad: [[UInt8]] = [
            Array("not json".utf8),
            MSLJSON.encode(["keyid": "kid-1", "iv": "AAAAAAAAAAAAAAAAAAAAAA==", "ciphertext": "AAAAAAAAAAAAAAAAAAAAAA=="]),
            MSLJSON.encode(["keyid": "kid-1", "iv": "AAAA", "ciphertext": "AAAAAAAAAAAAAAAAAAAAAA==", "sha256": "AA=="]),
            MSLJSON.encode(["version": 3, "cipherspec": "AES/CBC/PKCS5Padding", "iv": "AAAAAAAAAAAAAAAAAAAAAA==", "ciphertext": "AAAAAAAAAAAAAAAAAAAAAA=="]),
            MSLJSON.encode(["version": 2, "cipherspec": "AES/GCM/NoPadding", "iv": "AAAAAAAAAAAAAAAAAAAAAA==", "ciphertext": "AAAAAAAAAAAAAAAAAAAAAA=="]),
            MSLJSON.encode(["version": 2, "cipherspec": "AES/CBC/PKCS5Padding", "ciphertext": "AAAAAAAAAAAAAAAAAAAAAA=="]),
        ]
        for envelope in bad {
            expectCode(.ciphertextEnvelopeParseError, TokenFixtures.token(try TokenFixtures.tokendataObject(sessiondata: envelope)))
        }
        // the same bad envelope in an unverified token is not opened
        let foreign = TokenFixtures.token(try TokenFixtures.tokendataObject(sessiondata: bad[0]), keys: TokenFixtures.issuerKeys(seed: 60))
        #expect(try MSLMasterToken.parse(foreign, issuerKeys: [keys]).isVerified == false)
    }

    @Test("an envelope naming another issuer key id leaves the token unverified; an issuer says MASTERTOKEN_UNTRUSTED")
    func otherKeyID() throws {
        let session = MSLJSON.encode(.object(TokenFixtures.sessionObject()))
        let sameSecretsOtherID = TokenFixtures.issuerKeys("kid-2")
        let envelope = try TokenFixtures.envelope(session, keys: sameSecretsOtherID)
        let token = TokenFixtures.token(try TokenFixtures.tokendataObject(sessiondata: envelope))
        let parsed = try MSLMasterToken.parse(token, issuerKeys: [keys])
        #expect(!parsed.isVerified && parsed.session == nil && parsed.serialNumber == 77)
        let issuer = MSLIssuer(keys: keys, policy: try MSLIssuerPolicy())
        #expect(throws: MSLError(.mastertokenUntrusted)) { try issuer.verify(masterToken: token) }
        // the issuer holding kid-2 (same secrets) decrypts it
        #expect(try MSLMasterToken.parse(token, issuerKeys: [sameSecretsOtherID]).session?.identity == "entity-1")
    }

    @Test("times may be negative but within ±2^53; 64-bit counters outside 0…2^53 are OUT_OF_RANGE")
    func wideNumbers() throws {
        func raw(_ r: String, _ e: String, _ seq: String, _ serial: String) -> JSONValue {
            TokenFixtures.token(tokendata: Array(#"{"renewalwindow":\#(r),"expiration":\#(e),"sequencenumber":\#(seq),"serialnumber":\#(serial),"sessiondata":"AA=="}"#.utf8))
        }
        expectCode(.mastertokenTokendataParseError, raw("1", "9007199254740993", "1", "1"))
        expectCode(.mastertokenTokendataParseError, raw("-9007199254740993", "1", "1", "1"))
        expectCode(.mastertokenSequenceNumberOutOfRange, raw("1", "2", "9223372036854775807", "1"))
        expectCode(.mastertokenSerialNumberOutOfRange, raw("1", "2", "1", "-9223372036854775807"))
        expectCode(.mastertokenTokendataParseError, raw("1", "2", "9223372036854775808", "1"))
        expectCode(.mastertokenTokendataParseError, raw("1", "2", "1e19", "1"))
        expectCode(.mastertokenTokendataParseError, TokenFixtures.token(tokendata: Array(#"{"renewalwindow":1,"renewalwindow":0,"expiration":2,"sequencenumber":1,"serialnumber":1,"sessiondata":"AA=="}"#.utf8)))
        #expect(throws: MSLError(.mslParseError)) {
            try MSLJSON.parse(Array(#"{"tokendata":"AA==","tokendata":"AA==","signature":"AA=="}"#.utf8))
        }
        let negative = try tokendata { $0["renewalwindow"] = -100; $0["expiration"] = -50 }
        #expect(try MSLMasterToken.parse(negative, issuerKeys: [keys]).renewalWindow == -100)
    }

    @Test("decryption failures: illegal block size 7, bad padding 8")
    func decryption() throws {
        // 16 bytes of plaintext: the last block is all padding (0x10); flipping bit 7 of the
        // previous ciphertext block's last byte makes that padding byte 0x90, always invalid.
        let envelope = try TokenFixtures.envelope([UInt8](repeating: 0x41, count: 16))
        let reader = try MSLObjectReader(bytes: envelope, code: .mslParseError)
        var ciphertext = try reader.binary("ciphertext")
        #expect(ciphertext.count == 32)
        ciphertext[15] ^= 0x80
        let padded = MSLJSON.encode(["keyid": "kid-1", "iv": .string(try reader.string("iv")),
                                     "ciphertext": .string(MSLBase64.encode(ciphertext)), "sha256": "AA=="])
        expectCode(.ciphertextBadPadding, TokenFixtures.token(try TokenFixtures.tokendataObject(sessiondata: padded)))
        let short = MSLJSON.encode(["keyid": "kid-1", "iv": .string(try reader.string("iv")),
                                    "ciphertext": .string(MSLBase64.encode(ciphertext.prefix(15))), "sha256": "AA=="])
        expectCode(.ciphertextIllegalBlockSize, TokenFixtures.token(try TokenFixtures.tokendataObject(sessiondata: short)))
    }

    @Test("session data: 1012 for shape, 57 for algorithms, 1001 for key sizes")
    func sessionData() throws {
        func session(_ change: (inout JSONObject) -> Void) throws -> JSONValue {
            var object = TokenFixtures.sessionObject()
            change(&object)
            return try TokenFixtures.token(session: MSLJSON.encode(.object(object)))
        }
        expectCode(.mastertokenSessiondataParseError, try TokenFixtures.token(session: Array("nope".utf8)))
        for key in ["identity", "encryptionkey"] {
            expectCode(.mastertokenSessiondataParseError, try session { $0[key] = nil })
            expectCode(.mastertokenSessiondataParseError, try session { $0[key] = 1 })
        }
        expectCode(.mastertokenSessiondataParseError, try session { $0["signaturekey"] = nil; $0["hmackey"] = nil })
        expectCode(.mastertokenSessiondataParseError, try session { $0["issuerdata"] = "x" })
        expectCode(.mastertokenSessiondataParseError, try session { $0["encryptionalgorithm"] = 1 })
        expectCode(.unidentifiedAlgorithm, try session { $0["encryptionalgorithm"] = "DES" })
        expectCode(.unidentifiedAlgorithm, try session { $0["signaturealgorithm"] = "HmacSHA1" })
        expectCode(.mastertokenKeyCreationError, try session { $0["encryptionkey"] = .string(MSLBase64.encode([UInt8](repeating: 1, count: 15))) })
        expectCode(.mastertokenKeyCreationError, try session { $0["signaturekey"] = .string(MSLBase64.encode([UInt8](repeating: 1, count: 16))) })
    }
}
