// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshMatrixAPI
import Testing

@Suite("MSL keyrequestdata parsing (docs/MSL.md §2, §3, §5)")
struct MSLKeyRequestDataTests {
    static let dh: JSONObject = ["parametersid": "rfc3526-modp2048", "publickey": "AAECAw=="]
    static let asym: JSONObject = ["keypairid": "kp", "mechanism": "JWE_RSA", "publickey": "MIIB"]
    static let sym: JSONObject = ["keyid": "PSK"]

    static func offer(_ scheme: JSONValue?, _ keydata: JSONValue?) -> JSONValue {
        var object = JSONObject()
        object["scheme"] = scheme
        object["keydata"] = keydata
        return .object(object)
    }

    private func expectCode(_ code: MSLErrorCode, _ value: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: MSLError(code), sourceLocation: sourceLocation) { try MSLKeyRequestData.parse(value) }
    }

    @Test("valid offers parse and write back the same JSON")
    func valid() throws {
        let dh = try MSLKeyRequestData.parse(Self.offer("DIFFIE_HELLMAN", .object(Self.dh)))
        #expect(dh == .diffieHellman(parametersID: "rfc3526-modp2048", publicValue: [0, 1, 2, 3]))
        let asym = try MSLKeyRequestData.parse(Self.offer("ASYMMETRIC_WRAPPED", .object(Self.asym)))
        #expect(asym == .asymmetricWrapped(keyPairID: "kp", mechanism: .jweRSA, publicKeyDER: [0x30, 0x82, 0x01]))
        let sym = try MSLKeyRequestData.parse(Self.offer("SYMMETRIC_WRAPPED", .object(Self.sym)))
        #expect(sym == .symmetricWrapped(keyID: .psk))
        for request in [dh, asym, sym].compactMap({ $0 }) {
            #expect(try MSLKeyRequestData.parse(request.json) == request)
            #expect(try MSLKeyRequestData.parse(MSLJSON.parse(MSLJSON.encode(request.json))) == request)
        }
        let ecc = try MSLKeyRequestData.parse(Self.offer("ASYMMETRIC_WRAPPED", .object(Self.asym.with("mechanism", "ECC"))))
        #expect(ecc == .asymmetricWrapped(keyPairID: "kp", mechanism: .ecc, publicKeyDER: [0x30, 0x82, 0x01]))
    }

    @Test("scheme names: unknown → 7000, recognised unimplemented → nil, exact bytes")
    func schemes() throws {
        for name in ["JWE_LADDER", "JWK_LADDER", "AUTHENTICATED_DH", "WIDEVINE"] {
            #expect(try MSLKeyRequestData.parse(Self.offer(.string(name), ["anything": 1])) == nil)
        }
        for name in ["DH", "diffie_hellman", "DIFFIE_HELLMAN ", "", "SYMMETRIC_WRAPPED\u{301}"] {
            expectCode(.unidentifiedKeyxScheme, Self.offer(.string(name), .object(Self.sym)))
        }
    }

    @Test("outer members missing or mistyped → MSL_PARSE_ERROR")
    func outer() {
        expectCode(.mslParseError, "offer")
        expectCode(.mslParseError, [1])
        expectCode(.mslParseError, Self.offer(nil, .object(Self.sym)))
        expectCode(.mslParseError, Self.offer(5, .object(Self.sym)))
        expectCode(.mslParseError, Self.offer("SYMMETRIC_WRAPPED", nil))
        expectCode(.mslParseError, Self.offer("SYMMETRIC_WRAPPED", "e30="))
        expectCode(.mslParseError, Self.offer("JWE_LADDER", nil))
    }

    @Test("every keydata field missing, mistyped or oversized → a typed error", arguments: [
        ("DIFFIE_HELLMAN", dh), ("ASYMMETRIC_WRAPPED", asym), ("SYMMETRIC_WRAPPED", sym),
    ] as [(String, JSONObject)])
    func fields(scheme: String, keydata: JSONObject) {
        for key in keydata.keys {
            expectCode(.mslParseError, Self.offer(.string(scheme), .object(keydata.with(key, nil))))
            expectCode(.mslParseError, Self.offer(.string(scheme), .object(keydata.with(key, 7))))
            expectCode(.mslParseError, Self.offer(.string(scheme), .object(keydata.with(key, ["x": "y"]))))
        }
    }

    @Test("field values: bad base64, oversized keys, unknown mechanism and key id, empty DH value")
    func values() {
        expectCode(.mslParseError, Self.offer("DIFFIE_HELLMAN", .object(Self.dh.with("publickey", "AAE"))))
        expectCode(.mslParseError, Self.offer("DIFFIE_HELLMAN", .object(Self.dh.with("publickey", "AA-_"))))
        let big = JSONValue.string(MSLBase64.encode([UInt8](repeating: 1, count: 1101)))
        expectCode(.mslParseError, Self.offer("DIFFIE_HELLMAN", .object(Self.dh.with("publickey", big))))
        let bigRSA = JSONValue.string(MSLBase64.encode([UInt8](repeating: 1, count: 1201)))
        expectCode(.mslParseError, Self.offer("ASYMMETRIC_WRAPPED", .object(Self.asym.with("publickey", bigRSA))))
        expectCode(.keyxInvalidPublicKey, Self.offer("DIFFIE_HELLMAN", .object(Self.dh.with("publickey", ""))))
        expectCode(.unidentifiedKeyxMechanism, Self.offer("ASYMMETRIC_WRAPPED", .object(Self.asym.with("mechanism", "RSA_OAEP"))))
        expectCode(.unidentifiedKeyxMechanism, Self.offer("ASYMMETRIC_WRAPPED", .object(Self.asym.with("mechanism", "rsa"))))
        expectCode(.unidentifiedKeyxKeyID, Self.offer("SYMMETRIC_WRAPPED", ["keyid": "psk"]))
        expectCode(.unidentifiedKeyxKeyID, Self.offer("SYMMETRIC_WRAPPED", ["keyid": "MASTER"]))
        #expect(throws: MSLError(.mslParseError)) {
            try MSLKeyRequestData.parse(MSLJSON.parse(Array(#"{"scheme":"SYMMETRIC_WRAPPED","keydata":{"keyid":"PSK\u0000"}}"#.utf8)))
        }
    }
}

extension JSONObject {
    /// A copy with `key` set to `value` (nil removes it).
    func with(_ key: String, _ value: JSONValue?) -> JSONObject {
        var copy = self
        copy[key] = value
        return copy
    }
}
