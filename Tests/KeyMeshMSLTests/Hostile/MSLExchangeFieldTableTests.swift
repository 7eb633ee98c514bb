// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@testable import KeyMeshMSL

/// Every field of key request data and key response data, for every scheme: missing, wrong type,
/// out of range, oversized, malformed base64, each with the code of docs/MSL.md §1 – §5, §9, §12.
/// Request rows go through `MSLIssuer.issue` (which parses every offer first, §3); response rows
/// through the reader and the fixed requester keys' unwrap, or `MSLRequester.complete`.
@Suite("Hostile MSL: key request and response fields, table-driven (docs/MSL.md §2 – §5, §9)")
struct MSLExchangeFieldTableTests {
    typealias E = MSLFieldEdit
    static var f: MSLFuzzFixture { .shared }

    /// Every row arrives as bytes, as untrusted input does, so the §12 limits apply.
    static func issue(_ offer: JSONValue) -> @Sendable () throws(MSLError) -> Void { issue(MSLJSON.encode(offer)) }

    static func issue(_ bytes: [UInt8]) -> @Sendable () throws(MSLError) -> Void {
        { () throws(MSLError) in
            _ = try f.issuer().issue(offers: [try MSLJSON.parse(bytes)], identity: f.identity, issuerData: nil,
                                     now: MSLFuzzFixture.now)
        }
    }

    /// Reads a response with the issuer keys and unwraps it with the fixed requester keys.
    static func unwrap(_ response: JSONValue) -> @Sendable () throws(MSLError) -> Void {
        let bytes = MSLJSON.encode(response)
        return { () throws(MSLError) in
            let parsed = try MSLKeyResponseData.parse(try MSLJSON.parse(bytes), issuerKeys: [f.issuerKeys])
            switch parsed.keydata {
            case .diffieHellman(_, let value): _ = try f.dhPair.sessionKeys(peerPublicValue: value)
            case .asymmetricWrapped(let id, let enc, let mac):
                _ = try MSLAsymmetricWrap.unwrap(encryptionKey: enc, hmacKey: mac,
                                                 mechanism: MSLAsymmetricMechanism(rawValue: id) ?? .rsa, privateKey: f.rsaPair)
            case .symmetricWrapped(_, let enc, let mac):
                _ = try MSLSymmetricWrap.unwrap(encryptionKey: enc, hmacKey: mac, wrappingKey: f.pskWrappingKey)
            }
        }
    }

    static func complete(_ response: JSONValue) -> @Sendable () throws(MSLError) -> Void {
        let bytes = MSLJSON.encode(response)
        return { () throws(MSLError) in
            _ = try MSLRequester.complete(response: try MSLJSON.parse(bytes), requests: f.requests, issuerKeys: [f.issuerKeys])
        }
    }

    static func requestRows() throws -> [MSLFieldRow] {
        let v = try SchemeVectors.load().rsa
        let dh = MSLSeedDocuments.dhOffer, rsa = MSLSeedDocuments.rsaOffer(.rsa), psk = MSLSeedDocuments.pskOffer
        func row(_ s: String, _ field: String, _ change: String, _ code: MSLErrorCode?, _ base: JSONValue,
                 _ path: [String], _ new: JSONValue?) -> MSLFieldRow {
            MSLFieldRow(structure: s, field: field, change: change, expected: code, read: issue(E.set(base, path, new)))
        }
        var rows: [MSLFieldRow] = []
        for (name, base) in [("DH", dh), ("RSA", rsa), ("PSK", psk)] {
            let s = "keyrequestdata \(name)"
            rows += [
                row(s, "", "as given", nil, base, [], base),
                row(s, "scheme", "missing", .mslParseError, base, ["scheme"], nil),
                row(s, "scheme", "integer", .mslParseError, base, ["scheme"], 7),
                row(s, "scheme", "\"DH\" (the MSL wiki's name)", .unidentifiedKeyxScheme, base, ["scheme"], "DH"),
                row(s, "scheme", "lower case", .unidentifiedKeyxScheme, base, ["scheme"], .string((base.objectValue?["scheme"]?.stringValue ?? "").lowercased())),
                row(s, "scheme", "JWE_LADDER only", .keyxFactoryNotFound, base, ["scheme"], "JWE_LADDER"),
                row(s, "scheme", "8 KiB + 1", .mslParseError, base, ["scheme"], E.long(8193)),
                row(s, "keydata", "missing", .mslParseError, base, ["keydata"], nil),
                row(s, "keydata", "a string", .mslParseError, base, ["keydata"], "e30="),
                row(s, "keydata", "an array", .mslParseError, base, ["keydata"], []),
                row(s, "keydata", "null", .mslParseError, base, ["keydata"], .null),
            ]
        }
        let s = "keyrequestdata"
        rows += [
            row("\(s) DH", "parametersid", "missing", .mslParseError, dh, ["keydata", "parametersid"], nil),
            row("\(s) DH", "parametersid", "integer", .mslParseError, dh, ["keydata", "parametersid"], 1),
            row("\(s) DH", "parametersid", "unknown", .unknownKeyxParametersID, dh, ["keydata", "parametersid"], "modp8192"),
            row("\(s) DH", "parametersid", "8 KiB + 1", .mslParseError, dh, ["keydata", "parametersid"], E.long(8193)),
            row("\(s) DH", "publickey", "missing", .mslParseError, dh, ["keydata", "publickey"], nil),
            row("\(s) DH", "publickey", "an object", .mslParseError, dh, ["keydata", "publickey"], [:]),
            row("\(s) DH", "publickey", "empty", .keyxInvalidPublicKey, dh, ["keydata", "publickey"], ""),
            row("\(s) DH", "publickey", "zero", .keyxInvalidPublicKey, dh, ["keydata", "publickey"], "AAA="),
            row("\(s) DH", "publickey", "one", .keyxInvalidPublicKey, dh, ["keydata", "publickey"], "AAE="),
            row("\(s) DH", "publickey", "two (smallest allowed)", nil, dh, ["keydata", "publickey"], "AAI="),
            row("\(s) DH", "publickey", "p − 1", .keyxInvalidPublicKey, dh, ["keydata", "publickey"],
                .string(MSLBase64.encode([UInt8](hexString: MSLFuzzKeys.default1PrimeHex).dropLast() + [0x22]))),
            row("\(s) DH", "publickey", "64 bytes of FF (> p)", .keyxInvalidPublicKey, dh, ["keydata", "publickey"], E.b64(64, 0xFF)),
            row("\(s) DH", "publickey", "1,100 bytes (limit, > p)", .keyxInvalidPublicKey, dh, ["keydata", "publickey"], E.b64(1100)),
            row("\(s) DH", "publickey", "1,101 bytes", .mslParseError, dh, ["keydata", "publickey"], E.b64(1101)),
            row("\(s) DH", "publickey", "unpadded", .mslParseError, dh, ["keydata", "publickey"], "AAI"),
            row("\(s) DH", "publickey", "with - and _", .mslParseError, dh, ["keydata", "publickey"], "A-_="),
            row("\(s) DH", "publickey", "white space inside", nil, dh, ["keydata", "publickey"], " A\tA\r\nI= "),
            row("\(s) DH", "publickey", "padding in the middle", .mslParseError, dh, ["keydata", "publickey"], "AA==AAI="),
            row("\(s) DH", "publickey", "NUL", .mslParseError, dh, ["keydata", "publickey"], "AAI=\u{0}"),
            row("\(s) RSA", "keypairid", "missing", .mslParseError, rsa, ["keydata", "keypairid"], nil),
            row("\(s) RSA", "keypairid", "array", .mslParseError, rsa, ["keydata", "keypairid"], ["a"]),
            row("\(s) RSA", "mechanism", "missing", .mslParseError, rsa, ["keydata", "mechanism"], nil),
            row("\(s) RSA", "mechanism", "integer", .mslParseError, rsa, ["keydata", "mechanism"], 1),
            row("\(s) RSA", "mechanism", "FOO", .unidentifiedKeyxMechanism, rsa, ["keydata", "mechanism"], "FOO"),
            row("\(s) RSA", "mechanism", "lower case rsa", .unidentifiedKeyxMechanism, rsa, ["keydata", "mechanism"], "rsa"),
            row("\(s) RSA", "mechanism", "ECC", .unsupportedKeyxMechanism, rsa, ["keydata", "mechanism"], "ECC"),
            row("\(s) RSA", "publickey", "missing", .mslParseError, rsa, ["keydata", "publickey"], nil),
            row("\(s) RSA", "publickey", "null", .mslParseError, rsa, ["keydata", "publickey"], .null),
            row("\(s) RSA", "publickey", "empty", .invalidPublicKey, rsa, ["keydata", "publickey"], ""),
            row("\(s) RSA", "publickey", "not DER", .invalidPublicKey, rsa, ["keydata", "publickey"], "MAA="),
            row("\(s) RSA", "publickey", "RSA-1024 SPKI", .invalidPublicKey, rsa, ["keydata", "publickey"],
                .string(MSLBase64.encode([UInt8](hex: v.rsa1024_spki)))),
            row("\(s) RSA", "publickey", "EC P-256 SPKI", .invalidPublicKey, rsa, ["keydata", "publickey"],
                .string(MSLBase64.encode([UInt8](hex: v.ec_p256_spki)))),
            row("\(s) RSA", "publickey", "PKCS#1 RSAPublicKey", .invalidPublicKey, rsa, ["keydata", "publickey"],
                .string(MSLBase64.encode([UInt8](hex: v.rsa2048_pkcs1_public)))),
            row("\(s) RSA", "publickey", "1,201 bytes", .mslParseError, rsa, ["keydata", "publickey"], E.b64(1201)),
            row("\(s) PSK", "keyid", "missing", .mslParseError, psk, ["keydata", "keyid"], nil),
            row("\(s) PSK", "keyid", "integer", .mslParseError, psk, ["keydata", "keyid"], 1),
            row("\(s) PSK", "keyid", "FOO", .unidentifiedKeyxKeyID, psk, ["keydata", "keyid"], "FOO"),
            row("\(s) PSK", "keyid", "lower case psk", .unidentifiedKeyxKeyID, psk, ["keydata", "keyid"], "psk"),
            row("\(s) PSK", "keyid", "SESSION without a token", .keyxMasterTokenMissing, psk, ["keydata", "keyid"], "SESSION"),
        ]
        rows.append(MSLFieldRow(structure: s, field: "(document)", change: "depth 17", expected: .mslParseError,
                                read: issue(E.splice(psk, ["keydata", "x"], E.deep))))
        rows.append(MSLFieldRow(structure: s, field: "keyid", change: "duplicated", expected: .mslParseError,
                                read: issue(Array(#"{"scheme":"SYMMETRIC_WRAPPED","keydata":{"keyid":"PSK","keyid":"PSK"}}"#.utf8))))
        return rows
    }

    static func responseRows() throws -> [MSLFieldRow] {
        var rows: [MSLFieldRow] = []
        for (name, base) in try MSLSeedDocuments.responses() {
            let s = "keyresponsedata \(name)"
            func row(_ field: String, _ change: String, _ code: MSLErrorCode?, _ path: [String], _ new: JSONValue?,
                     complete useComplete: Bool = false) -> MSLFieldRow {
                let value = E.set(base, path, new)
                return MSLFieldRow(structure: s, field: field, change: change, expected: code,
                                   read: useComplete ? complete(value) : unwrap(value))
            }
            rows += [
                row("", "as given", nil, [], base),
                row("mastertoken", "missing", .mslParseError, ["mastertoken"], nil),
                row("mastertoken", "a string", .mslParseError, ["mastertoken"], "e30="),
                row("mastertoken", "tokendata missing", .mslParseError, ["mastertoken", "tokendata"], nil),
                row("scheme", "missing", .mslParseError, ["scheme"], nil),
                row("scheme", "FOO", .unidentifiedKeyxScheme, ["scheme"], "FOO"),
                row("scheme", "WIDEVINE", .keyxFactoryNotFound, ["scheme"], "WIDEVINE"),
                row("keydata", "missing", .mslParseError, ["keydata"], nil),
                row("keydata", "an array", .mslParseError, ["keydata"], [1]),
            ]
            for key in base.objectValue?["keydata"]?.objectValue?.keys ?? [] {
                rows += [
                    row(key, "missing", .mslParseError, ["keydata", key], nil),
                    row(key, "integer", .mslParseError, ["keydata", key], 5),
                ]
            }
        }
        let responses = Dictionary(try MSLSeedDocuments.responses().map { ($0.name, $0.response) }, uniquingKeysWith: { a, _ in a })
        let dh = responses["dh-default1"] ?? .null, psk = responses["psk"] ?? .null, rsa = responses["rsa-RSA"] ?? .null
        func edit(_ s: String, _ base: JSONValue, _ key: String, _ change: String, _ code: MSLErrorCode?, _ new: JSONValue,
                  complete useComplete: Bool = false) -> MSLFieldRow {
            let value = E.set(base, ["keydata", key], new)
            return MSLFieldRow(structure: "keyresponsedata \(s)", field: key, change: change, expected: code,
                               read: useComplete ? complete(value) : unwrap(value))
        }
        rows += [
            edit("dh", dh, "publickey", "empty", .keyxInvalidPublicKey, ""),
            edit("dh", dh, "publickey", "one", .keyxInvalidPublicKey, "AAE="),
            edit("dh", dh, "publickey", "1,101 bytes", .mslParseError, E.b64(1101)),
            edit("dh", dh, "parametersid", "another set (requester)", .keyxResponseRequestMismatch, "modp8192", complete: true),
            edit("psk", psk, "keyid", "FOO", .unidentifiedKeyxKeyID, "FOO"),
            edit("psk", psk, "keyid", "SESSION (requester)", .keyxResponseRequestMismatch, "SESSION", complete: true),
            edit("psk", psk, "encryptionkey", "wrong wrapping (24 zero bytes)", .unwrapError, E.b64(24, 0)),
            edit("psk", psk, "encryptionkey", "6,145 bytes", .mslParseError, E.b64(6145)),
            edit("psk", psk, "hmackey", "unpadded", .mslParseError, "AAA"),
            edit("rsa", rsa, "keypairid", "another pair (requester)", .keyxResponseRequestMismatch, "other", complete: true),
            edit("rsa", rsa, "encryptionkey", "not for this key", .ciphertextBadPadding, E.b64(256)),
            edit("rsa", rsa, "hmackey", "6,145 bytes", .mslParseError, E.b64(6145)),
        ]
        return rows
    }

    @Test("key request data fields", arguments: try requestRows())
    func request(_ row: MSLFieldRow) {
        #expect(mslCode(row.read) == row.expected, "\(row.testDescription)")
    }

    @Test("key response data fields", arguments: try responseRows())
    func response(_ row: MSLFieldRow) {
        #expect(mslCode(row.read) == row.expected, "\(row.testDescription)")
    }
}
