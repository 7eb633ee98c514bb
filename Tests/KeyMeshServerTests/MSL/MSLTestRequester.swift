// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshCrypto
import KeyMeshMSL
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshServer

/// A requester of the server's MSL endpoints, written from docs/MSL.md §11: builds `/token` and
/// signed `/renew` bodies, completes answers, and checks refusals.
enum MSLTestRequester {
    /// Issuer keys the test server is given, so tests can open the tokens it issues.
    static var issuerKeys: MSLIssuerKeys {
        get throws { try MSLIssuerKeys.parse("test-kid 000102030405060708090a0b0c0d0e0f:" + String(repeating: "ab", count: 32)) }
    }

    static func config(_ configure: (inout ServerConfig) -> Void = { _ in }) throws -> ServerConfig {
        let keys = try issuerKeys
        return Homeserver.config { config in
            config.msl.issuerKeys = keys
            configure(&config)
        }
    }

    static let tokenPath = "/_keymesh/msl/v1/token"
    static let renewPath = "/_keymesh/msl/v1/renew"

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// A fresh DH (group 14) key request.
    static func dh() throws -> MSLKeyRequest { try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14) }

    /// `POST /token` with `requests` offered in order.
    static func issue(_ api: API, _ user: TestUser, _ requests: [MSLKeyRequest]) async throws -> Reply {
        try await api.call(.post, tokenPath, token: user.token, json: ["keyrequestdata": .array(requests.map(\.keyRequestData))])
    }

    /// The signed `/renew` body for `token` (docs/MSL.md §11).
    static func renewBody(_ token: JSONValue, hmacKey: SecretBytes, offers: [JSONValue], timestamp: Int64 = now()) -> JSONObject {
        let header = MSLJSON.encode(.object(["keyrequestdata": .array(offers), "timestamp": .int(timestamp)]))
        return ["mastertoken": token, "headerdata": .string(MSLBase64.encode(header)),
                "signature": .string(MSLBase64.encode(HMACSHA256.mac(key: hmacKey, message: header)))]
    }

    /// The issued token and keys of a 200 answer, the token opened with the issuer keys.
    static func complete(_ reply: Reply, _ request: MSLKeyRequest) throws -> (keys: MSLSessionKeys, token: MSLMasterToken) {
        try #require(reply.status == .ok, "\(reply.body)")
        let response = try #require(reply["keyresponsedata"])
        let (keys, token) = try MSLRequester.complete(response: response, requests: [request], issuerKeys: [])
        let opened = try MSLMasterToken.parse(token.json, issuerKeys: [try issuerKeys])
        #expect(opened.session?.keys == keys, "the token carries the keys the requester derived")
        return (keys, opened)
    }

    /// Checks an MSL refusal: status, `errcode`, name, `internalcode` and `errorcode` (docs/MSL.md §11).
    static func expectRefusal(_ reply: Reply, _ code: MSLErrorCode, sourceLocation: SourceLocation = #_sourceLocation) {
        let status: HTTPResponse.Status = code.responseCode == .entityReauth ? .unauthorized : .badRequest
        #expect(reply.status == status, "\(reply.body)", sourceLocation: sourceLocation)
        #expect(reply.errcode == "ORG_KEYMESH_MSL", sourceLocation: sourceLocation)
        #expect(reply["error"]?.stringValue == code.name, sourceLocation: sourceLocation)
        #expect(reply["internalcode"]?.intValue == Int64(100_000 + code.rawValue), sourceLocation: sourceLocation)
        #expect(reply["errorcode"]?.intValue == Int64(code.responseCode.rawValue), sourceLocation: sourceLocation)
    }
}
