// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@testable import KeyMeshMSL

/// docs/MSL.md §5.2: the JWKs session keys travel in.
@Suite("MSL JWK")
struct MSLJWKTests {
    let encryption = SecretBytes([UInt8](hex: "000102030405060708090a0b0c0d0eff"))
    let hmac = SecretBytes([UInt8](repeating: 0xFB, count: 32))

    @Test("The encryption JWK with key_ops, exactly as written")
    func encryptionKeyOps() {
        let jwk = MSLJWK.encode(encryption, role: .encryption, usage: .keyOps)
        #expect(String(decoding: jwk, as: UTF8.self)
            == #"{"kty":"oct","alg":"A128CBC","extractable":false,"key_ops":["encrypt","decrypt"],"k":"AAECAwQFBgcICQoLDA0O_w"}"#)
    }

    @Test("The HMAC JWK with use: HS256, sig, k base64url without padding")
    func hmacUse() throws {
        let jwk = MSLJWK.encode(hmac, role: .hmac, usage: .use)
        let object = try #require(try JSONParser.parse(jwk).objectValue)
        #expect(object["kty"] == "oct" && object["alg"] == "HS256" && object["use"] == "sig")
        #expect(object["extractable"] == false && object["key_ops"] == nil)
        let k = try #require(object["k"]?.stringValue)
        #expect(k.count == 43 && !k.contains("=") && k.contains("-") && k.contains("_"))
        #expect(try MSLJWK.decode(jwk, role: .hmac) == hmac)
    }

    @Test("Reading ignores member order, key_ops order, extra members; checks kty, k and length")
    func decode() throws {
        let k = MSLBase64URL.encode(encryption.unsafeExportSecret())
        let reordered = #"{"k":"\#(k)","kid":"x","key_ops":["decrypt","encrypt"],"kty":"oct","alg":"HS256"}"#
        #expect(try MSLJWK.decode(Array(reordered.utf8), role: .encryption) == encryption)
        let cases: [(String, MSLErrorCode)] = [
            (#"{"kty":"oct","k":"\#(k)"}"#, .sessionKeyCreationFailure),   // 16 bytes where 32 are needed
            (#"{"kty":"RSA","k":"\#(k)"}"#, .invalidJWK),
            (#"{"kty":"oct","k":""}"#, .invalidJWK),
            (#"{"kty":"oct","k":5}"#, .invalidJWK),
            (#"{"kty":"oct","k":"\#(k)=="}"#, .invalidJWK),
            (#"{"kty":"oct"}"#, .invalidJWK),
            ("[]", .sessionKeyCreationFailure),
            ("{", .sessionKeyCreationFailure),
            ("", .sessionKeyCreationFailure),
        ]
        for (text, code) in cases {
            #expect(mslCode { () throws(MSLError) in try MSLJWK.decode(Array(text.utf8), role: .hmac) } == code, "\(text)")
        }
    }
}
