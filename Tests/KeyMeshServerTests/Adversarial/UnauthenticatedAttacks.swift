// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

/// An attacker without an account (or with a wrong token): unknown paths, wrong methods,
/// CORS preflight, bad tokens on every authenticated endpoint, and registration or login
/// abuse (docs/SECURITY.md "Tests that attack").
@Suite("Attacks: without an account")
struct UnauthenticatedAttacks {
    /// Every endpoint the spec marks "requires authentication", with a body where it takes one.
    static let authenticated: [(method: String, path: String, body: String?)] = [
        ("GET", "account/whoami", nil), ("POST", "logout", "{}"), ("POST", "logout/all", "{}"),
        ("GET", "devices", nil), ("GET", "devices/DEV", nil), ("PUT", "devices/DEV", #"{"display_name":"x"}"#),
        ("DELETE", "devices/DEV", "{}"), ("POST", "delete_devices", #"{"devices":["DEV"]}"#),
        ("POST", "keys/upload", "{}"), ("POST", "keys/query", #"{"device_keys":{}}"#),
        ("POST", "keys/claim", #"{"one_time_keys":{}}"#), ("GET", "keys/changes?from=0&to=0", nil),
        ("POST", "keys/device_signing/upload", "{}"), ("POST", "keys/signatures/upload", "{}"),
        ("PUT", "sendToDevice/m.test/t1", #"{"messages":{}}"#), ("GET", "sync", nil),
        ("POST", "user/@alice:localhost/filter", "{}"), ("GET", "user/@alice:localhost/filter/0", nil),
        ("PUT", "user/@alice:localhost/account_data/m.x", "{}"), ("GET", "user/@alice:localhost/account_data/m.x", nil),
        ("GET", "capabilities", nil), ("GET", "room_keys/version", nil),
    ]

    @Test("missing, malformed, unknown, revoked and query-parameter tokens: 401 on every authenticated endpoint")
    func badTokens() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            try await bench.api.uploadKeys(alice, oneTimeKeys: 2)
            let gone = try await bench.api.login(alice, deviceID: "GONE")
            #expect(try await bench.api.call(.post, "logout", token: gone.token).status == .ok)
            let headers: [(String, [String], Set<String>)] = [
                ("no token", [], ["M_MISSING_TOKEN"]),
                ("empty bearer", ["Authorization: Bearer "], ["M_MISSING_TOKEN", "M_UNKNOWN_TOKEN"]),
                ("basic scheme", ["Authorization: Basic YWxpY2U6cHc="], ["M_MISSING_TOKEN", "M_UNKNOWN_TOKEN"]),
                ("garbage", ["Authorization: Bearer syt_not_a_token"], ["M_UNKNOWN_TOKEN"]),
                ("4 KiB token", ["Authorization: Bearer " + String(repeating: "A", count: 4096)], ["M_UNKNOWN_TOKEN"]),
                ("token plus a byte", ["Authorization: Bearer \(alice.token)x"], ["M_UNKNOWN_TOKEN"]),
                ("token prefix", ["Authorization: Bearer \(alice.token.dropLast())"], ["M_UNKNOWN_TOKEN"]),
                ("logged-out token", ["Authorization: Bearer \(gone.token)"], ["M_UNKNOWN_TOKEN"]),
            ]
            for endpoint in Self.authenticated {
                let body = endpoint.body.map { Array($0.utf8) }
                for (name, header, errcodes) in headers {
                    try await bench.expectRefused("\(endpoint.method) \(endpoint.path) \(name)", status: [401],
                                                  errcodes: errcodes, still: alice) {
                        try await bench.send(endpoint.method, endpoint.path, body: body, headers: header)
                    }
                }
            }
            // the spec deprecates ?access_token=; KeyMesh refuses it (issue 12 item 8): it leaks
            // into logs and Referer headers. Each try gets a device of its own, so an endpoint
            // that wrongly accepts it (logout!) cannot spoil the others.
            for (n, endpoint) in Self.authenticated.enumerated() {
                let victim = try await bench.api.login(alice, deviceID: "QP\(n)")
                let separator = endpoint.path.contains("?") ? "&" : "?"
                try await bench.expectRefused("\(endpoint.path) ?access_token=", status: [401], errcodes: ["M_MISSING_TOKEN"],
                                              still: victim) {
                    try await bench.send(endpoint.method, endpoint.path + separator + "access_token=\(victim.token)",
                                         body: endpoint.body.map { Array($0.utf8) })
                }
            }
        }
    }

    @Test("unknown endpoints 404 M_UNRECOGNIZED; known paths with a wrong method 405 M_UNRECOGNIZED")
    func routes() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let unknown = ["nope", "keys/nope", "/_matrix/client/v9/sync", "/_matrix/federation/v1/version",
                           "/_matrix/client/v3/../../../etc/passwd", "/_matrix/client/v3/%00", "/_synapse/admin/v1/users",
                           "/", "/_matrix/client/v3/sync/extra/segments", "/_matrix/key/v2/server"]
            for path in unknown {
                try await bench.expectRefused("GET \(path)", status: [404], errcodes: ["M_UNRECOGNIZED"], still: alice) {
                    try await bench.send("GET", path, token: alice.token)
                }
            }
            let wrongMethod: [(String, String)] = [
                ("GET", "keys/upload"), ("PUT", "keys/claim"), ("DELETE", "sync"), ("POST", "sync"), ("PUT", "login"),
                ("DELETE", "register"), ("GET", "sendToDevice/m.test/t1"), ("PATCH", "devices/DEV"), ("POST", "account/whoami"),
                ("DELETE", "/_matrix/client/versions"), ("GET", "keys/query"), ("POST", "devices"),
            ]
            for (method, path) in wrongMethod {
                try await bench.expectRefused("\(method) \(path)", status: [405], errcodes: ["M_UNRECOGNIZED"], still: alice) {
                    try await bench.send(method, path, token: alice.token, body: Array("{}".utf8))
                }
            }
        }
    }

    @Test("CORS: OPTIONS preflight answered with Access-Control-* headers, and every reply carries them, errors too")
    func cors() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let before = try bench.snapshot()
            for path in ["keys/upload", "sync", "login", "sendToDevice/m.test/t9", "/_matrix/client/versions"] {
                let preflight = try await bench.send("OPTIONS", path, headers: [
                    "Origin: https://app.example", "Access-Control-Request-Method: POST",
                    "Access-Control-Request-Headers: authorization, content-type",
                ])
                #expect((200...204).contains(preflight.status), "OPTIONS \(path): \(preflight.status)")
                #expect(preflight.header("Access-Control-Allow-Origin") == "*", "OPTIONS \(path)")
                let methods = preflight.header("Access-Control-Allow-Methods")?.uppercased() ?? ""
                #expect(methods.contains("POST") && methods.contains("PUT") && methods.contains("OPTIONS"), "OPTIONS \(path): \(methods)")
                let allowed = preflight.header("Access-Control-Allow-Headers")?.lowercased() ?? ""
                #expect(allowed.contains("authorization") && allowed.contains("content-type"), "OPTIONS \(path): \(allowed)")
            }
            for (method, path, token) in [("GET", "account/whoami", alice.token), ("GET", "account/whoami", nil),
                                          ("GET", "nope", nil), ("POST", "login", nil)] as [(String, String, String?)] {
                let reply = try await bench.send(method, path, token: token, body: method == "POST" ? Array("{}".utf8) : nil,
                                                 headers: ["Origin: https://app.example"])
                #expect(reply.header("Access-Control-Allow-Origin") == "*", "\(method) \(path) \(reply.status)")
            }
            #expect(try bench.snapshot() == before)
        }
    }

    @Test("registration and login abuse: bad names, taken names, forged sessions, guests, bad devices; nothing stored")
    func registrationAbuse() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let dummy: JSONObject = ["type": "m.login.dummy"]
            // (upper case is not here: Synapse lowercases a requested username, and so may KeyMesh)
            let names: [(String, JSONValue)] = [
                ("non-ASCII", "mallöry"), ("NUL", "mal\u{0}lory"), ("colon", "mal:lory"),
                ("empty", ""), ("300 bytes", .string(String(repeating: "m", count: 300))), ("number", 7),
                ("full id of another server", "@mallory:evil.example"),
            ]
            for (name, username) in names {
                try await bench.expectRefused("register \(name)", status: [400], still: alice) {
                    try await bench.send("POST", "register", json: ["username": username, "password": "pw", "auth": .object(dummy)])
                }
            }
            try await bench.expectRefused("register taken", status: [400], errcodes: ["M_USER_IN_USE"], still: alice) {
                try await bench.send("POST", "register", json: ["username": "alice", "password": "pw", "auth": .object(dummy)])
            }
            try await bench.expectRefused("register as guest", status: [403], errcodes: ["M_GUEST_ACCESS_FORBIDDEN"], still: alice) {
                try await bench.send("POST", "register?kind=guest", json: ["username": "guest1", "password": "pw"])
            }
            // an unknown session is answered like a first request, with a fresh challenge whose
            // session row is the flow's own state: only that table may change
            try await bench.expectRefused("register forged session", status: [400, 401, 403], ignoring: ["auth_sessions"], still: alice) {
                try await bench.send("POST", "register", json: [
                    "username": "mallory", "password": "pw", "auth": ["type": "m.login.dummy", "session": "forged-session"],
                ])
            }
            for (name, device) in [("NUL", "D\u{0}X"), ("non-ASCII", "DÉV"), ("space", "D X"), ("256 bytes", String(repeating: "D", count: 256))] {
                try await bench.expectRefused("register device \(name)", status: [400], errcodes: ["M_INVALID_PARAM"], still: alice) {
                    try await bench.send("POST", "register", json: ["username": "mallory", "password": "pw",
                                                                    "device_id": .string(device), "auth": .object(dummy)])
                }
                try await bench.expectRefused("login device \(name)", status: [400], errcodes: ["M_INVALID_PARAM"], still: alice) {
                    try await bench.send("POST", "login", json: ["type": "m.login.password", "user": "alice",
                                                                 "password": .string(alice.password), "device_id": .string(device)])
                }
            }
            try await bench.expectRefused("register 600-byte password", status: [400], still: alice) {
                try await bench.send("POST", "register", json: ["username": "mallory", "password": .string(String(repeating: "p", count: 600)),
                                                                "auth": .object(dummy)])
            }
            let logins: [(String, JSONObject)] = [
                ("wrong password", ["type": "m.login.password", "user": "alice", "password": "wrong"]),
                ("unknown user", ["type": "m.login.password", "user": "nobody", "password": "pw"]),
                ("NUL in user", ["type": "m.login.password", "user": "alice\u{0}", "password": .string(alice.password)]),
                ("canonically equal user", ["type": "m.login.password", "user": "alic\u{0065}\u{0301}", "password": "pw"]),
                ("other server", ["type": "m.login.password", "user": "@alice:evil.example", "password": .string(alice.password)]),
            ]
            for (name, body) in logins {
                try await bench.expectRefused("login \(name)", status: [400, 403], still: alice) {
                    try await bench.send("POST", "login", json: body)
                }
            }
            try await bench.expectRefused("login unknown type", status: [400], still: alice) {
                try await bench.send("POST", "login", json: ["type": "m.login.token", "token": "x"])
            }
            // shared-secret registration is off here: its nonce endpoint must not store anything
            try await bench.expectRefused("admin register nonce", status: [400, 403, 404], still: alice) {
                try await bench.send("GET", "/_synapse/admin/v1/register")
            }
            try await bench.expectRefused("admin register", status: [400, 403, 404], still: alice) {
                try await bench.send("POST", "/_synapse/admin/v1/register", json: ["nonce": "x", "username": "root", "password": "pw", "mac": "00"])
            }
        }
    }
}
