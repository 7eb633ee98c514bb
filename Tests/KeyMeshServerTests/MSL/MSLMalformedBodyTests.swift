// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshCrypto
import KeyMeshMSL
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshServer

/// Malformed MSL bodies get typed MSL error JSON (docs/MSL.md §3, §11, §12), never a 500.
@Suite("MSL issuer: malformed bodies")
struct MSLMalformedBodyTests {
    typealias R = MSLTestRequester

    static let tokenBodies: [(String, MSLErrorCode)] = [
        ("", .mslParseError),
        ("not json", .mslParseError),
        ("[1]", .mslParseError),
        ("{}", .mslParseError),
        (#"{"keyrequestdata":"x"}"#, .mslParseError),
        (#"{"keyrequestdata":[]}"#, .mslParseError),
        (#"{"keyrequestdata":[1]}"#, .mslParseError),
        (#"{"keyrequestdata":[{"scheme":"DH","keydata":{}}]}"#, .unidentifiedKeyxScheme),
        (#"{"keyrequestdata":[{"scheme":"JWK_LADDER","keydata":{}}]}"#, .keyxFactoryNotFound),
        (#"{"keyrequestdata":[{"scheme":"DIFFIE_HELLMAN","keydata":{"parametersid":"nope","publickey":"AAE="}}]}"#, .unknownKeyxParametersID),
        (#"{"keyrequestdata":[{"scheme":"DIFFIE_HELLMAN","keydata":{"parametersid":"rfc3526-modp2048","publickey":"AAE="}}]}"#, .keyxInvalidPublicKey),
        (#"{"keyrequestdata":[{"scheme":"ASYMMETRIC_WRAPPED","keydata":{"keypairid":"a","mechanism":"ECC","publickey":"AAE="}}]}"#, .unsupportedKeyxMechanism),
        (#"{"keyrequestdata":[{"scheme":"ASYMMETRIC_WRAPPED","keydata":{"keypairid":"a","mechanism":"RSA","publickey":"AAE="}}]}"#, .invalidPublicKey),
        (#"{"keyrequestdata":[{"scheme":"DIFFIE_HELLMAN","keydata":{"parametersid":"rfc3526-modp2048","publickey":"A"}}]}"#, .mslParseError),
        // docs/MSL.md §12: 16 offers, depth 16
        (#"{"keyrequestdata":["# + Array(repeating: #"{"scheme":"JWK_LADDER","keydata":{}}"#, count: 17).joined(separator: ",") + "]}",
         .mslParseError),
        (#"{"keyrequestdata":[],"x":"# + String(repeating: "[", count: 20) + String(repeating: "]", count: 20) + "}", .mslParseError),
    ]

    @Test("/token: each malformed body gets its MSL error")
    func tokenBodies() async throws {
        try await Homeserver.run(try R.config()) { api in
            let alice = try await api.register("alice")
            for (body, code) in Self.tokenBodies {
                let reply = try await api.call(.post, R.tokenPath, token: alice.token, raw: Array(body.utf8))
                R.expectRefusal(reply, code)
            }
        }
    }

    @Test("/renew: malformed bodies and tokens get MSL errors")
    func renewBodies() async throws {
        try await Homeserver.run(try R.config()) { api in
            let bodies: [(String, MSLErrorCode)] = [
                ("nope", .mslParseError),
                ("{}", .mslParseError),
                (#"{"mastertoken":{},"headerdata":"AA==","signature":"AA=="}"#, .mslParseError),
                (#"{"mastertoken":{"tokendata":"AA==","signature":"AA=="},"headerdata":"AA==","signature":"AA=="}"#, .mastertokenTokendataParseError),
                (#"{"mastertoken":"x","headerdata":"AA==","signature":"AA=="}"#, .mslParseError),
                (#"{"mastertoken":{"tokendata":"AA==","signature":"AA=="},"headerdata":"A","signature":"AA=="}"#, .mslParseError),
                (#"{"mastertoken":{"tokendata":"","signature":"AA=="},"headerdata":"AA==","signature":"AA=="}"#, .mastertokenTokendataMissing),
            ]
            for (body, code) in bodies {
                let reply = try await api.call(.post, R.renewPath, raw: Array(body.utf8))
                #expect(reply.status != .internalServerError)
                #expect(reply.errcode == "ORG_KEYMESH_MSL", "\(body): \(reply.body)")
                #expect(reply["internalcode"]?.intValue == Int64(100_000 + code.rawValue), "\(body): \(reply.body)")
            }
        }
    }

    @Test("a signed header that is not the documented JSON is MSL_PARSE_ERROR; nothing is stored")
    func badHeader() async throws {
        try await Homeserver.run(try R.config()) { api in
            let alice = try await api.register("alice")
            let request = try R.dh()
            let (keys, token) = try R.complete(try await R.issue(api, alice, [request]), request)
            for header in ["[]", #"{"keyrequestdata":[]}"#, #"{"timestamp":1}"#, #"{"keyrequestdata":[],"timestamp":"1"}"#] {
                let bytes = Array(header.utf8)
                let body: JSONObject = ["mastertoken": token.json, "headerdata": .string(MSLBase64.encode(bytes)),
                                        "signature": .string(MSLBase64.encode(HMACSHA256.mac(key: keys.hmacKey, message: bytes)))]
                R.expectRefusal(try await api.call(.post, R.renewPath, json: body), .mslParseError)
            }
            let fresh = try R.dh()
            let reply = try await api.call(.post, R.renewPath, json: R.renewBody(token.json, hmacKey: keys.hmacKey, offers: [fresh.keyRequestData]))
            #expect(try R.complete(reply, fresh).token.sequenceNumber == 1)
        }
    }

    @Test("a body over 64 KiB is refused with MSL_PARSE_ERROR before any cryptography")
    func oversize() async throws {
        try await Homeserver.run(try R.config()) { api in
            let alice = try await api.register("alice")
            let padding = String(repeating: "a", count: 64 * 1024)
            let body = Array(#"{"keyrequestdata":[],"pad":"\#(padding)"}"#.utf8)
            R.expectRefusal(try await api.call(.post, R.tokenPath, token: alice.token, raw: body), .mslParseError)
            R.expectRefusal(try await api.call(.post, R.renewPath, raw: body), .mslParseError)
        }
    }
}
