// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import KeyMeshServer

@Suite("Routes and Matrix errors (in process)")
struct VersionsRouteTests {
    static func app() -> some ApplicationProtocol {
        Application(router: buildRouter())
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: buffer).utf8)) as? [String: Any])
    }

    @Test("GET /_matrix/client/versions lists the spec versions as JSON")
    func versions() async throws {
        try await Self.app().test(.router) { client in
            try await client.execute(uri: "/_matrix/client/versions", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try Self.json(response.body)
                let versions = try #require(body["versions"] as? [String])
                #expect(versions.contains("v1.1") && versions.contains("r0.6.1"))
                #expect(body["unstable_features"] is [String: Any])
            }
        }
    }

    @Test("unknown endpoints and wrong methods are M_UNRECOGNIZED error JSON")
    func unrecognized() async throws {
        try await Self.app().test(.router) { client in
            for (uri, method) in [("/_matrix/client/v3/nope", HTTPRequest.Method.get), ("/_matrix/client/versions", .post)] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .notFound || response.status == .methodNotAllowed, "\(method) \(uri)")
                    let body = try Self.json(response.body)
                    #expect(body["errcode"] as? String == "M_UNRECOGNIZED")
                    #expect(body["error"] is String)
                }
            }
        }
    }
}
