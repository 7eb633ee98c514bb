// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshMatrixAPI
import Testing

@Suite("MSL keyresponsedata parsing (docs/MSL.md §2, §5)")
struct MSLKeyResponseDataTests {
    static let wrapped = MSLBase64.encode([UInt8](repeating: 7, count: 24))
    static let keydata: [String: JSONObject] = [
        "DIFFIE_HELLMAN": ["parametersid": "p", "publickey": "AAECAw=="],
        "ASYMMETRIC_WRAPPED": ["keypairid": "kp", "encryptionkey": .string(wrapped), "hmackey": .string(wrapped)],
        "SYMMETRIC_WRAPPED": ["keyid": "PSK", "encryptionkey": .string(wrapped), "hmackey": .string(wrapped)],
    ]

    func response(_ scheme: JSONValue?, _ keydata: JSONValue?, token: JSONValue? = nil) throws -> JSONValue {
        var object = JSONObject()
        object["mastertoken"] = try token ?? TokenFixtures.issued().json
        object["scheme"] = scheme
        object["keydata"] = keydata
        return .object(object)
    }

    private func expectCode(_ code: MSLErrorCode, _ value: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: MSLError(code), sourceLocation: sourceLocation) { try MSLKeyResponseData.parse(value) }
    }

    @Test("each scheme parses and round trips; the token is verified only with the issuer keys")
    func valid() throws {
        for (scheme, keydata) in Self.keydata {
            let parsed = try MSLKeyResponseData.parse(try response(.string(scheme), .object(keydata)))
            #expect(parsed.scheme.rawValue == scheme)
            #expect(!parsed.masterToken.isVerified)
            let again = try MSLKeyResponseData.parse(parsed.json, issuerKeys: [TokenFixtures.issuerKeys()])
            #expect(again.keydata == parsed.keydata && again.masterToken.isVerified)
            #expect(again.masterToken.tokendata == parsed.masterToken.tokendata)
        }
    }

    @Test("missing, mistyped and oversized members → typed errors in §2 order")
    func errors() throws {
        expectCode(.mslParseError, "x")
        expectCode(.mslParseError, try response("SYMMETRIC_WRAPPED", .object(Self.keydata["SYMMETRIC_WRAPPED"] ?? [:]), token: "tok"))
        expectCode(.mastertokenTokendataMissing, try response("NOPE", nil, token: ["tokendata": "", "signature": ""]))
        expectCode(.mslParseError, try response(nil, ["keyid": "PSK"]))
        expectCode(.mslParseError, try response(1, ["keyid": "PSK"]))
        expectCode(.unidentifiedKeyxScheme, try response("DH", nil))
        expectCode(.keyxFactoryNotFound, try response("JWK_LADDER", ["x": 1]))
        expectCode(.mslParseError, try response("SYMMETRIC_WRAPPED", nil))
        expectCode(.mslParseError, try response("SYMMETRIC_WRAPPED", "keydata"))
        for (scheme, keydata) in Self.keydata {
            for key in keydata.keys {
                expectCode(.mslParseError, try response(.string(scheme), .object(keydata.with(key, nil))))
                expectCode(.mslParseError, try response(.string(scheme), .object(keydata.with(key, 3))))
            }
        }
        let huge = JSONValue.string(MSLBase64.encode([UInt8](repeating: 1, count: 6145)))
        expectCode(.mslParseError, try response("SYMMETRIC_WRAPPED", .object((Self.keydata["SYMMETRIC_WRAPPED"] ?? [:]).with("hmackey", huge))))
        expectCode(.unidentifiedKeyxKeyID, try response("SYMMETRIC_WRAPPED", .object((Self.keydata["SYMMETRIC_WRAPPED"] ?? [:]).with("keyid", "X"))))
        expectCode(.keyxInvalidPublicKey, try response("DIFFIE_HELLMAN", .object((Self.keydata["DIFFIE_HELLMAN"] ?? [:]).with("publickey", ""))))
    }
}
