// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI

@testable import KeyMeshMSL

/// The committed seed corpus of `fuzz-msl` (Corpus/msl), as named files. A name says what the
/// replay expects: `ok-ENTRY-…` succeeds at entry point ENTRY of `MSLFuzzing`, `edge-ENTRY-CODE-…`
/// fails there with MSL code CODE (docs/MSL.md §9); other names (libFuzzer's) only must not trap.
enum MSLSeedCorpus {
    typealias D = MSLSeedDocuments

    static func files() throws -> [(name: String, bytes: [UInt8])] {
        try valid() + edges()
    }

    private static func json(_ value: JSONValue) -> [UInt8] { MSLJSON.encode(value) }

    private static func valid() throws -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        for (name, offer) in D.offers { out.append(("ok-issue-offer-\(name).json", json(offer))) }
        out.append(("ok-issue-offers-array.json", json(.array([MSLSeedDocuments.rsaOffer(.ecc)] + D.offers.map(\.offer)))))
        for (name, response) in try D.responses() { out.append(("ok-unwrap-response-\(name).json", json(response))) }
        let token = try D.token()
        out.append(("ok-mastertoken-token.json", json(token.json)))
        out.append(("ok-renew-psk.json", json(["keyrequestdata": [D.pskOffer], "mastertoken": token.json])))
        out.append(("ok-tokendata-raw.json", token.tokendata))
        let fixture = MSLFuzzFixture.shared
        let keys = MSLSessionKeys.random(using: MSLFuzzing.FixedRandom(seed: 5))
        let session = MSLSessionData(identity: fixture.identity, keys: keys, issuerData: ["a": [1, "b"]]).plaintext()
        out.append(("ok-sessiondata-plaintext.json", session))
        let envelope = try MSLCiphertextEnvelope.seal(session, keys: fixture.issuerKeys, random: MSLFuzzing.FixedRandom(seed: 6))
        out.append(("ok-envelope-v1.json", envelope))
        let jwk = MSLJWK.encode(keys.hmacKey, role: .hmac, usage: .use)
        out.append(("ok-jwk-hmac.json", jwk))
        let publicKey = try MSLRSAPublicKey.parse(fixture.rsaPair.publicKeyDER)
        for (name, form) in [("compact", MSLJWE.Serialization.compact), ("json", .json)] {
            let sealed = try MSLJWE.seal(jwk, to: publicKey, serialization: form, random: MSLFuzzing.FixedRandom(seed: 7))
            out.append(("ok-jwe-\(name).txt", sealed))
        }
        return out
    }

    private static func edges() throws -> [(name: String, bytes: [UInt8])] {
        let dh: JSONValue = ["scheme": "DIFFIE_HELLMAN", "keydata": ["parametersid": "default1", "publickey": "AAI="]]
        func offer(_ scheme: String, _ keydata: JSONValue) -> JSONValue { ["scheme": .string(scheme), "keydata": keydata] }
        func rsa(_ mechanism: String, _ key: String) -> JSONValue {
            offer("ASYMMETRIC_WRAPPED", ["keypairid": "k", "mechanism": .string(mechanism), "publickey": .string(key)])
        }
        let token = try D.tokendataObject()
        func tokendata(_ change: (inout JSONObject) -> Void) -> [UInt8] {
            var copy = token
            change(&copy)
            return json(.object(copy))
        }
        let psk = try D.issuance(D.pskOffer)
        var sessionResponse = psk.keyResponseData.objectValue ?? [:]
        sessionResponse["keydata"] = ["keyid": "SESSION", "encryptionkey": "AAAA", "hmackey": "AAAA"]
        let unsigned = try D.token().json.objectValue.map { object -> JSONValue in
            var copy = object
            copy["signature"] = "AAAA"
            return .object(copy)
        } ?? .null
        let texts: [(String, [UInt8])] = [
            ("edge-keyrequestdata-0-missing-scheme.json", json(["keydata": ["keyid": "PSK"]])),
            ("edge-keyrequestdata-0-keydata-string.json", json(["scheme": "SYMMETRIC_WRAPPED", "keydata": "PSK"])),
            ("edge-keyrequestdata-7000-scheme-DH.json", json(offer("DH", ["keyid": "PSK"]))),
            ("edge-keyrequestdata-7005-mechanism-FOO.json", json(rsa("FOO", "AAAA"))),
            ("edge-keyrequestdata-7003-keyid-FOO.json", json(offer("SYMMETRIC_WRAPPED", ["keyid": "FOO"]))),
            ("edge-keyrequestdata-7011-empty-dh-publickey.json",
             json(offer("DIFFIE_HELLMAN", ["parametersid": "default1", "publickey": ""]))),
            ("edge-keyrequestdata-0-publickey-unpadded.json",
             json(offer("DIFFIE_HELLMAN", ["parametersid": "default1", "publickey": "AAI"]))),
            ("edge-keyrequestdata-0-publickey-urlsafe.json", json(rsa("RSA", "AA-_"))),
            ("edge-keyrequestdata-0-dh-publickey-1101-bytes.json",
             json(offer("DIFFIE_HELLMAN", ["parametersid": "default1",
                                          "publickey": .string(MSLBase64.encode([UInt8](repeating: 1, count: 1101)))]))),
            ("ok-keyrequestdata-whitespace-in-base64.json",
             json(offer("DIFFIE_HELLMAN", ["parametersid": "default1", "publickey": "A A\r\nI\t="]))),
            ("edge-issue-7006-ecc.json", json(rsa("ECC", "AAAA"))),
            ("edge-issue-7010-session.json", json(offer("SYMMETRIC_WRAPPED", ["keyid": "SESSION"]))),
            ("edge-issue-7009-unknown-parametersid.json",
             json(offer("DIFFIE_HELLMAN", ["parametersid": "rfc3526-modp4096", "publickey": "AAI="]))),
            ("edge-issue-7011-dh-value-one.json",
             json(offer("DIFFIE_HELLMAN", ["parametersid": "default1", "publickey": "AAE="]))),
            ("edge-issue-3-rsa-garbage-key.json", json(rsa("RSA", "MAA="))),
            ("edge-issue-0-seventeen-offers.json", json(.array(Array(repeating: dh, count: 17)))),
            ("edge-issue-7001-ladder-only.json", json([["scheme": "JWE_LADDER", "keydata": [:]]])),
            ("edge-json-0-nul-in-string.json", Array(#"{"scheme":"PSK\u0000","keydata":{}}"#.utf8)),
            ("edge-json-0-depth-17.json", Array((String(repeating: "[", count: 17) + String(repeating: "]", count: 17)).utf8)),
            ("edge-json-0-fraction.json", Array(#"{"sequencenumber":1.5}"#.utf8)),
            ("edge-json-0-two-to-the-53-plus-1.json", Array(#"{"n":9007199254740993}"#.utf8)),
            ("edge-json-0-duplicate-member.json", Array(#"{"scheme":"A","scheme":"B"}"#.utf8)),
            ("edge-tokendata-1004-sequencenumber-2p53-plus-1.json", Array(String(decoding: tokendata { $0["sequencenumber"] = 4_242_424_242 }, as: UTF8.self)
                .replacingOccurrences(of: "4242424242", with: "9007199254740993").utf8)),
            ("edge-tokendata-1005-serialnumber-minus-1.json", tokendata { $0["serialnumber"] = -1 }),
            ("edge-tokendata-1002-expires-before-renewal.json", tokendata { $0["expiration"] = 1 }),
            ("edge-tokendata-1011-missing-serialnumber.json", tokendata { $0["serialnumber"] = nil }),
            ("edge-tokendata-1003-empty-sessiondata.json", tokendata { $0["sessiondata"] = "" }),
            ("edge-tokendata-12-sessiondata-not-envelope.json", tokendata { $0["sessiondata"] = "e30=" }),
            ("edge-mastertoken-1010-empty-tokendata.json", json(["tokendata": "", "signature": "AA=="])),
            ("edge-renew-1000-bad-signature.json", json(["keyrequestdata": [D.pskOffer], "mastertoken": unsigned])),
            ("edge-keyresponsedata-7001-ladder-scheme.json",
             json(.object((psk.keyResponseData.objectValue ?? [:]).merging(["scheme": "JWE_LADDER"])))),
            ("edge-complete-7007-keyid-session.json", json(.object(sessionResponse))),
        ]
        return texts
    }
}

extension JSONObject {
    /// A copy with `other`'s members set.
    func merging(_ other: JSONObject) -> JSONObject {
        var copy = self
        for (key, value) in other { copy[key] = value }
        return copy
    }
}
