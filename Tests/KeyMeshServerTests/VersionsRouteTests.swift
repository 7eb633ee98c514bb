// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Testing

@Suite("Versions and unknown routes")
struct VersionsRouteTests {
    @Test("GET /_matrix/client/versions lists the spec versions as JSON")
    func versions() async throws {
        try await Homeserver.run { api in
            let reply = try await api.call(.get, "/_matrix/client/versions")
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
            let versions = reply["versions"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(versions.contains("v1.1") && versions.contains("r0.6.1"))
            #expect(reply["unstable_features"]?.objectValue != nil)
        }
    }

    @Test("unknown endpoints and wrong methods are M_UNRECOGNIZED error JSON")
    func unrecognized() async throws {
        try await Homeserver.run { api in
            for (path, method) in [("nope", HTTPRequest.Method.get), ("/_matrix/client/versions", .post), ("keys/upload", .get)] {
                let reply = try await api.call(method, path)
                #expect(reply.status == (path == "nope" ? .notFound : .methodNotAllowed), "\(method) \(path)")
                #expect(reply.errcode == "M_UNRECOGNIZED")
                #expect(reply["error"]?.stringValue != nil)
            }
        }
    }
}

import Hummingbird
