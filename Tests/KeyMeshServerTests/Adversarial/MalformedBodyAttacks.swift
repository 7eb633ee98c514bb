// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

/// Bodies no client would send, on every endpoint that reads one, before and after
/// authentication: each is a clean 400 or 413 with Matrix error JSON, stores nothing, and the
/// server answers normally afterwards (docs/SECURITY.md "Tests that attack").
@Suite("Attacks: malformed and oversize bodies")
struct MalformedBodyAttacks {
    /// Endpoints that read a JSON object body; `true` when the token is needed.
    static let endpoints: [(method: String, path: String, authenticated: Bool)] = [
        ("POST", "login", false), ("POST", "register", false),
        ("POST", "keys/upload", true), ("POST", "keys/query", true), ("POST", "keys/claim", true),
        ("PUT", "sendToDevice/m.test/t1", true), ("POST", "keys/device_signing/upload", true),
        ("POST", "keys/signatures/upload", true), ("PUT", "devices/DEV", true), ("POST", "delete_devices", true),
    ]

    /// Not JSON at all: 400 `M_NOT_JSON`.
    static let notJSON: [(String, [UInt8])] = [
        ("empty", []), ("whitespace", Array("  \n ".utf8)), ("truncated", Array(#"{"type":"m.login.password","#.utf8)),
        ("open brace", Array("{".utf8)), ("trailing data", Array("{}x".utf8)), ("two objects", Array("{} {}".utf8)),
        ("invalid UTF-8", Array(#"{"a":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)),
        ("overlong UTF-8", Array(#"{"a":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)),
        ("UTF-8 surrogate", Array(#"{"a":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8)),
        ("lone high surrogate", Array(#"{"a":"\ud800"}"#.utf8)), ("lone low surrogate", Array(#"{"a":"\udc00x"}"#.utf8)),
        ("float", Array(#"{"a":1.5}"#.utf8)), ("exponent", Array(#"{"a":1e400}"#.utf8)),
        ("duplicate keys", Array(#"{"a":1,"a":2}"#.utf8)), ("bare word", Array("nope".utf8)),
        ("single quotes", Array("{'a':1}".utf8)), ("raw control character", Array("{\"a\":\"\u{01}\"}".utf8)),
        ("bad escape", Array(#"{"a":"\x"}"#.utf8)), ("NUL byte", Array("{\"a\":1}".utf8) + [0]),
        ("deep arrays", Array(#"{"a":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: 100_000)),
        ("deep objects", Array(String(repeating: #"{"a":"#, count: 20_000).utf8)),
    ]

    /// JSON, but not an object (or a number no canonical JSON holds): 400 `M_BAD_JSON` (or
    /// `M_NOT_JSON`, which some servers use for numbers out of range).
    static let wrongShape: [(String, [UInt8])] = [
        ("array", Array("[1,2]".utf8)), ("string", Array(#""text""#.utf8)), ("null", Array("null".utf8)),
        ("number", Array("7".utf8)), ("huge integer", Array(#"{"a":123456789012345678901234567890}"#.utf8)),
        ("above 2^53", Array(#"{"a":9007199254740993}"#.utf8)),
    ]

    @Test("not-JSON bodies on every endpoint: 400 M_NOT_JSON, nothing stored, server alive")
    func notJSONBodies() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            try await bench.api.uploadKeys(alice, oneTimeKeys: 2, fallback: true)
            for endpoint in Self.endpoints {
                for (name, body) in Self.notJSON {
                    try await bench.expectRefused("\(endpoint.path) \(name)", status: [400], errcodes: ["M_NOT_JSON"], still: alice) {
                        try await bench.send(endpoint.method, endpoint.path, token: endpoint.authenticated ? alice.token : nil, body: body)
                    }
                }
            }
        }
    }

    @Test("JSON that is not an object, or out of range: 400 M_BAD_JSON, nothing stored")
    func wrongShapes() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            for endpoint in Self.endpoints {
                for (name, body) in Self.wrongShape {
                    try await bench.expectRefused("\(endpoint.path) \(name)", status: [400], errcodes: ["M_BAD_JSON", "M_NOT_JSON"],
                                                  still: alice) {
                        try await bench.send(endpoint.method, endpoint.path, token: endpoint.authenticated ? alice.token : nil, body: body)
                    }
                }
            }
        }
    }

    @Test("1 MiB of small members before authentication: answered (not minutes of CPU), nothing stored")
    func manyMembers() async throws {
        try await AttackBench.run { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            // ~1 MiB, under the 1 MiB body limit: 90,000 members of about 11 bytes each
            var body = Array(#"{"type":"m.login.password""#.utf8)
            var n = 0
            while body.count < (1 << 20) - 64 {
                body += Array(",\"m\(n)\":0".utf8)
                n += 1
            }
            body += Array("}".utf8)
            for path in ["login", "register"] {
                // a limit on members answers 413; a parser that reads it all answers 400 (no password)
                try await bench.expectRefused("\(path) \(n) members", status: [400, 413], still: alice) {
                    try await bench.send("POST", path, body: body)
                }
            }
            try await bench.expectRefused("keys/query \(n) members", status: [400, 413], still: alice) {
                try await bench.send("POST", "keys/query", token: alice.token, body: body)
            }
        }
    }

    @Test("bodies over the limit: 413 M_TOO_LARGE, by length, by chunks, and by a lying Content-Length")
    func oversize() async throws {
        try await AttackBench.run({
            $0.maxRequestBytes = 16 * 1024
            $0.deadlines.body = .seconds(2)
        }) { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            try await bench.api.uploadKeys(alice, oneTimeKeys: 2)
            let big = Array(#"{"pad":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 20 * 1024) + Array(#""}"#.utf8)
            for endpoint in Self.endpoints {
                let token = endpoint.authenticated ? alice.token : nil
                try await bench.expectRefused("\(endpoint.path) oversize", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                    try await bench.send(endpoint.method, endpoint.path, token: token, body: big)
                }
            }
            // chunked: no length to check up front, the limit must hold while reading
            try await bench.expectRefused("keys/upload chunked oversize", status: [413], errcodes: ["M_TOO_LARGE"], still: alice) {
                let connection = try RawHTTP(port: bench.port)
                try await connection.send("POST /_matrix/client/v3/keys/upload HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer \(alice.token)\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                for _ in 0..<5 {
                    try? await connection.send(Array("1000\r\n".utf8) + Array(repeating: UInt8(ascii: " "), count: 4096) + Array("\r\n".utf8))
                }
                try? await connection.send("0\r\n\r\n")
                return try await connection.reply()
            }
            // a Content-Length far beyond the limit: answered 413 from the header, or at worst
            // closed by the body deadline (2 s here); never held open waiting for the bytes
            let before = try bench.snapshot()
            let connection = try RawHTTP(port: bench.port, timeout: 10)
            try await connection.send("POST /_matrix/client/v3/login HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{\"type\":")
            do {
                let reply = try await connection.reply()
                #expect(reply.status == 413 && reply.errcode == "M_TOO_LARGE", "lying Content-Length: \(reply.status)")
            } catch RawHTTP.Failure.closedWithoutReply {
                // closed by the deadline: allowed
            } catch {
                Issue.record("lying Content-Length: the connection was held open (\(error))")
            }
            #expect(try bench.snapshot() == before)
            try await bench.expectAlive(alice, "after a lying Content-Length", #_sourceLocation)
        }
    }
}
