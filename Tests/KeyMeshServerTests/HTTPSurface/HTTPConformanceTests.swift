// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshServer

/// What browsers and the spec's error rules need (issue 12 item 9): CORS on every response,
/// errors included; `OPTIONS` answered on any path; a wrong method on a known path is 405
/// `M_UNRECOGNIZED` with `Allow`, an unknown path 404 `M_UNRECOGNIZED`.
@Suite("CORS, OPTIONS and 405")
struct HTTPConformanceTests {
    static func expectCORS(_ reply: Reply, _ what: String) {
        #expect(reply.headers[.accessControlAllowOrigin] == "*", "\(what)")
        #expect(reply.headers[.accessControlAllowMethods] == "GET, POST, PUT, DELETE, OPTIONS", "\(what)")
        #expect(reply.headers[.accessControlAllowHeaders] == "X-Requested-With, Content-Type, Authorization", "\(what)")
    }

    @Test("a known path with a wrong method is 405 M_UNRECOGNIZED naming the allowed methods; no handler runs")
    func wrongMethod() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice", deviceID: "D")
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.post, "/_matrix/client/versions", "GET"),
                (.get, "keys/upload", "POST"),
                (.delete, "register", "POST"),
                (.post, "devices/D", "GET, PUT, DELETE"),
                (.patch, "account/whoami", "GET"),
            ]
            for (method, path, allowed) in cases {
                let reply = try await api.call(method, path, token: alice.token, json: [:])
                #expect(reply.status == .methodNotAllowed, "\(method) \(path)")
                #expect(reply.errcode == "M_UNRECOGNIZED", "\(method) \(path)")
                #expect(reply.headers[.allow] == allowed, "\(method) \(path)")
                Self.expectCORS(reply, "\(method) \(path)")
            }
            // the probing ran no handler: POST devices/D did not delete or rename the device
            #expect(try await api.call(.get, "devices/D", token: alice.token).status == .ok)
            #expect(try await api.call(.get, "account/whoami", token: alice.token)["device_id"] == "D")
            // an unknown path stays 404, and a handler's own 404 keeps its errcode
            let unknown = try await api.call(.get, "no/such/endpoint")
            #expect(unknown.status == .notFound)
            #expect(unknown.errcode == "M_UNRECOGNIZED")
            let missing = try await api.call(.get, "devices/NOPE", token: alice.token)
            #expect(missing.status == .notFound)
            #expect(missing.errcode == "M_NOT_FOUND")
        }
    }

    @Test("every response carries the CORS headers: success, 400, 401, 404, 405")
    func corsEverywhere() async throws {
        try await Homeserver.run { api in
            Self.expectCORS(try await api.call(.get, "/_matrix/client/versions"), "versions")
            Self.expectCORS(try await api.call(.post, "login", raw: Array("nope".utf8)), "400")
            Self.expectCORS(try await api.call(.get, "account/whoami"), "401")
            Self.expectCORS(try await api.call(.get, "nope"), "404")
            Self.expectCORS(try await api.call(.put, "login"), "405")
        }
    }

    @Test("OPTIONS on any path is a 204 preflight answer with the CORS headers, without a token")
    func preflight() async throws {
        try await Homeserver.run { api in
            for path in ["keys/upload", "sync", "/_matrix/client/versions", "/_synapse/admin/v1/register", "/anything/else"] {
                let reply = try await api.call(.options, path, headers: [.accessControlRequestMethod: "POST"])
                #expect(reply.status == .noContent, "\(path)")
                Self.expectCORS(reply, path)
            }
        }
    }
}
