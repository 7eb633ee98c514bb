// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@testable import KeyMeshMSL

/// Every field of a master token, its `tokendata`, its session data envelope and its session data:
/// missing, wrong type, out of range, oversized, malformed base64, each with the code of
/// docs/MSL.md §6 and §9. Inner levels are re-signed (and re-sealed) with the issuer keys so the
/// reader gets past the signature; every row is read from bytes by `MSLIssuer.verify`.
@Suite("Hostile MSL: master token fields, table-driven (docs/MSL.md §6, §9)")
struct MSLTokenFieldTableTests {
    typealias E = MSLFieldEdit
    static var f: MSLFuzzFixture { .shared }

    static func verify(_ token: JSONValue) -> @Sendable () throws(MSLError) -> Void {
        let bytes = MSLJSON.encode(token)
        return { () throws(MSLError) in _ = try f.issuer().verify(masterToken: try MSLJSON.parse(bytes)) }
    }

    /// A token around these `tokendata` bytes, signed by the issuer.
    static func tokendata(_ bytes: [UInt8]) -> @Sendable () throws(MSLError) -> Void { verify(f.signedToken(bytes)) }

    static var baseTokendata: JSONValue { get throws { .object(try MSLSeedDocuments.tokendataObject()) } }

    /// A signed token whose `sessiondata` is these envelope bytes.
    static func envelope(_ bytes: [UInt8]) throws -> @Sendable () throws(MSLError) -> Void {
        tokendata(MSLJSON.encode(E.set(try baseTokendata, ["sessiondata"], .string(MSLBase64.encode(bytes)))))
    }

    /// A signed token whose session data plaintext is these bytes, sealed by the issuer.
    static func session(_ bytes: [UInt8]) throws -> @Sendable () throws(MSLError) -> Void {
        try envelope(try MSLCiphertextEnvelope.seal(bytes, keys: f.issuerKeys, random: SeededRandom(seed: 3)))
    }

    static func rows() throws -> [MSLFieldRow] {
        var rows: [MSLFieldRow] = []
        func add(_ s: String, _ field: String, _ change: String, _ code: MSLErrorCode?,
                 _ read: @escaping @Sendable () throws(MSLError) -> Void) {
            rows.append(MSLFieldRow(structure: s, field: field, change: change, expected: code, read: read))
        }
        let token = try MSLSeedDocuments.token().json
        for (field, change, code, new) in [
            ("", "as given", nil, token.objectValue?["tokendata"]),
            ("tokendata", "missing", .mslParseError, nil), ("tokendata", "integer", .mslParseError, 1),
            ("tokendata", "empty", .mastertokenTokendataMissing, ""), ("tokendata", "unpadded", .mslParseError, "AAA"),
            ("tokendata", "with - and _", .mslParseError, "A-_="), ("tokendata", "8 KiB + 1", .mslParseError, E.long(8196)),
            ("tokendata", "not JSON", .mastertokenTokendataParseError, "AAAA"),
        ] as [(String, String, MSLErrorCode?, JSONValue?)] {
            add("mastertoken", field, change, code, verify(E.set(token, ["tokendata"], new)))
        }
        for (change, code, new) in [
            ("missing", .mslParseError, nil), ("an object", .mslParseError, [:]),
            ("another key's", .mastertokenUntrusted, E.b64(32)), ("empty", .mastertokenUntrusted, ""),
            ("unpadded", .mslParseError, "AAA"),
        ] as [(String, MSLErrorCode?, JSONValue?)] {
            add("mastertoken", "signature", change, code, verify(E.set(token, ["signature"], new)))
        }
        let td = try baseTokendata
        for key in ["renewalwindow", "expiration", "sequencenumber", "serialnumber", "sessiondata"] {
            for (change, new) in [("missing", nil), ("a string", "x"), ("an object", [:]), ("null", .null), ("true", true)]
                as [(String, JSONValue?)] {
                add("tokendata", key, change, .mastertokenTokendataParseError, tokendata(MSLJSON.encode(E.set(td, [key], new))))
            }
        }
        for (key, text, code) in [
            ("sequencenumber", "9007199254740992", nil), ("sequencenumber", "9007199254740993", .mastertokenSequenceNumberOutOfRange),
            ("sequencenumber", "-1", .mastertokenSequenceNumberOutOfRange), ("sequencenumber", "1e3", nil),
            ("sequencenumber", "1.5", .mastertokenTokendataParseError), ("sequencenumber", "0", nil),
            ("serialnumber", "9007199254740992", nil), ("serialnumber", "9007199254740993", .mastertokenSerialNumberOutOfRange),
            ("serialnumber", "-1", .mastertokenSerialNumberOutOfRange), ("serialnumber", "2.0e0", nil),
            ("expiration", "1", .mastertokenExpiresBeforeRenewal), ("expiration", "1800000060", nil),
            ("renewalwindow", "1800000121", .mastertokenExpiresBeforeRenewal),
            ("sessiondata", "\"\"", .mastertokenSessiondataMissing), ("sessiondata", "\"AAA\"", .mastertokenTokendataParseError),
            ("sessiondata", "\"e30=\"", .ciphertextEnvelopeParseError), ("sessiondata", E.deep, .mastertokenTokendataParseError),
            ("x", #""a\u0000b""#, .mastertokenTokendataParseError),
        ] as [(String, String, MSLErrorCode?)] {
            add("tokendata", key, text.count > 24 ? "\(text.prefix(20))…" : text, code, tokendata(E.splice(td, [key], text)))
        }
        add("tokendata", "(document)", "not JSON", .mastertokenTokendataParseError, tokendata(Array("abc".utf8)))
        add("tokendata", "(document)", "an array", .mastertokenTokendataParseError, tokendata(Array("[]".utf8)))
        add("tokendata", "sequencenumber", "duplicated", .mastertokenTokendataParseError,
            tokendata(E.splice(td, ["sequencenumber"], #"1,"sequencenumber":2"#)))
        // tokendata past ~6 KiB is already a base64 string past 8 KiB in the token (§12)
        add("tokendata", "(document)", "64 KiB + 1", .mslParseError,
            tokendata(E.splice(td, ["pad"], "\"" + String(repeating: "A", count: 65_536) + "\"")))

        let plain = try MSLJSON.parseObject(MSLSessionData(identity: f.identity, keys: .random(using: SeededRandom(seed: 4)),
                                                           issuerData: ["d": 1]).plaintext())
        let sd: JSONValue = .object(plain)
        for (field, change, code, new) in [
            ("", "as given", nil, plain["identity"]),
            ("identity", "missing", .mastertokenSessiondataParseError, nil),
            ("identity", "integer", .mastertokenSessiondataParseError, 1),
            ("identity", "NUL inside", .mastertokenSessiondataParseError, "a\u{0}b"),
            ("encryptionkey", "missing", .mastertokenSessiondataParseError, nil),
            ("encryptionkey", "15 bytes", .mastertokenKeyCreationError, E.b64(15)),
            ("encryptionkey", "17 bytes", .mastertokenKeyCreationError, E.b64(17)),
            ("encryptionkey", "unpadded", .mastertokenSessiondataParseError, "AAA"),
            ("encryptionalgorithm", "DES", .unidentifiedAlgorithm, "DES"),
            ("encryptionalgorithm", "absent (AES)", nil, nil),
            ("encryptionalgorithm", "integer", .mastertokenSessiondataParseError, 1),
            ("signaturekey", "31 bytes", .mastertokenKeyCreationError, E.b64(31)),
            ("signaturekey", "absent (hmackey used)", nil, nil),
            ("hmackey", "31 bytes, ignored beside signaturekey", nil, E.b64(31)),
            ("signaturealgorithm", "HmacSHA1", .unidentifiedAlgorithm, "HmacSHA1"),
            ("issuerdata", "a string", .mastertokenSessiondataParseError, "x"),
            ("issuerdata", "absent", nil, nil),
        ] as [(String, String, MSLErrorCode?, JSONValue?)] {
            add("sessiondata", field, change, code, try session(MSLJSON.encode(E.set(sd, [field.isEmpty ? "identity" : field], new))))
        }
        let noKeys = E.set(E.set(sd, ["signaturekey"], nil), ["hmackey"], nil)
        add("sessiondata", "hmackey+signaturekey", "both missing", .mastertokenSessiondataParseError, try session(MSLJSON.encode(noKeys)))
        add("sessiondata", "(document)", "not JSON", .mastertokenSessiondataParseError, try session(Array("abc".utf8)))

        let sealed = try MSLCiphertextEnvelope.seal(MSLJSON.encode(sd), keys: f.issuerKeys, random: SeededRandom(seed: 5))
        let v1 = try MSLJSON.parse(sealed)
        let v2 = E.set(E.set(E.set(E.set(v1, ["keyid"], nil), ["sha256"], nil), ["version"], 2), ["cipherspec"], "AES/CBC/PKCS5Padding")
        for (s, base, field, change, code, new) in [
            ("envelope v1", v1, "", "as given", nil, v1.objectValue?["iv"]),
            ("envelope v1", v1, "keyid", "another issuer's", .mastertokenUntrusted, "other"),
            ("envelope v1", v1, "keyid", "missing", .ciphertextEnvelopeParseError, nil),
            ("envelope v1", v1, "sha256", "missing", .ciphertextEnvelopeParseError, nil),
            ("envelope v1", v1, "iv", "missing", .ciphertextEnvelopeParseError, nil),
            ("envelope v1", v1, "iv", "15 bytes", .ciphertextEnvelopeParseError, E.b64(15)),
            ("envelope v1", v1, "iv", "unpadded", .ciphertextEnvelopeParseError, "AAA"),
            ("envelope v1", v1, "ciphertext", "missing", .ciphertextEnvelopeParseError, nil),
            ("envelope v1", v1, "ciphertext", "15 bytes", .ciphertextIllegalBlockSize, E.b64(15)),
            ("envelope v1", v1, "ciphertext", "empty", .ciphertextIllegalBlockSize, ""),
            ("envelope v2", v2, "", "as given", nil, v2.objectValue?["iv"]),
            ("envelope v2", v2, "version", "3", .ciphertextEnvelopeParseError, 3),
            ("envelope v2", v2, "version", "a string", .ciphertextEnvelopeParseError, "2"),
            ("envelope v2", v2, "cipherspec", "AES/GCM/NoPadding", .ciphertextEnvelopeParseError, "AES/GCM/NoPadding"),
            ("envelope v2", v2, "cipherspec", "missing", .ciphertextEnvelopeParseError, nil),
        ] as [(String, JSONValue, String, String, MSLErrorCode?, JSONValue?)] {
            add(s, field, change, code, try envelope(MSLJSON.encode(E.set(base, [field.isEmpty ? "iv" : field], new))))
        }
        add("envelope", "(document)", "not JSON", .ciphertextEnvelopeParseError, try envelope(Array("abc".utf8)))
        return rows
    }

    @Test("master token, tokendata, envelope and session data fields", arguments: try rows())
    func field(_ row: MSLFieldRow) {
        #expect(mslCode(row.read) == row.expected, "\(row.testDescription)")
    }

    /// docs/MSL.md §6: "numbers outside 0 … 2^53 → MASTERTOKEN_SEQUENCE_NUMBER_OUT_OF_RANGE", for
    /// every 64-bit value (MSL reads them as Java longs), 17 and 19 digits included.
    @Test("a sequence or serial number of 17 or 19 digits (a Java long) is out of range, not unparseable")
    func seventeenDigitSequenceNumber() throws {
        let td = try Self.baseTokendata
        for text in ["99999999999999999", "9223372036854775807"] {
            #expect(mslCode(Self.tokendata(E.splice(td, ["sequencenumber"], text))) == .mastertokenSequenceNumberOutOfRange)
            #expect(mslCode(Self.tokendata(E.splice(td, ["serialnumber"], text))) == .mastertokenSerialNumberOutOfRange)
        }
    }

    /// docs/MSL.md §1: integers are "never larger than 2^53 anywhere"; the times are read wide.
    @Test("an expiration past 2^53 is refused (docs/MSL.md §1)")
    func expirationPastTwoToThe53() throws {
        let td = try Self.baseTokendata
        #expect(mslCode(Self.tokendata(E.splice(td, ["expiration"], "9007199254740993"))) == .mastertokenTokendataParseError)
        #expect(mslCode(Self.tokendata(E.splice(td, ["renewalwindow"], "-9007199254740993"))) == .mastertokenTokendataParseError)
    }
}
