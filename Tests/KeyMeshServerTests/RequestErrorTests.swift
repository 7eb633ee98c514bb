// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI
import Testing

/// Bad bodies on every endpoint that takes one: each answered with Matrix error JSON and the
/// right status, and nothing already stored is lost.
@Suite("Malformed and oversize request bodies")
struct RequestErrorTests {
    static let endpoints: [(HTTPRequest.Method, String)] = [
        (.post, "keys/upload"), (.post, "keys/query"), (.post, "keys/claim"), (.put, "sendToDevice/m.test/x"),
        (.put, "devices/D"), (.post, "login"), (.post, "register"), (.post, "delete_devices"),
    ]

    @Test("not JSON, trailing data, floats, duplicate keys, bad UTF-8: 400 M_NOT_JSON; JSON but not an object: 400 M_BAD_JSON")
    func notJSON() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice", deviceID: "D")
            try await api.uploadKeys(alice, oneTimeKeys: 3)
            let bodies: [[UInt8]] = [
                Array("not json".utf8), Array("{}{}".utf8),
                Array(#"{"a":1.5}"#.utf8), Array(#"{"a":1,"a":2}"#.utf8), [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D],
                Array("{".utf8), [], Array(String(repeating: "[", count: 200).utf8),
            ]
            for (method, path) in Self.endpoints {
                for body in bodies {
                    let reply = try await api.call(method, path, token: alice.token, raw: body)
                    #expect(reply.status == .badRequest, "\(path) \(body.prefix(12))")
                    #expect(reply.errcode == "M_NOT_JSON", "\(path) \(body.prefix(12))")
                    #expect(reply["error"]?.stringValue != nil)
                }
                // an array, a string or a number is JSON, of the wrong shape (as Synapse answers)
                for body in ["[1,2]", "[]", "\"str\"", "7", "null"] {
                    let reply = try await api.call(method, path, token: alice.token, raw: Array(body.utf8))
                    #expect(reply.status == .badRequest, "\(path) \(body)")
                    #expect(reply.errcode == "M_BAD_JSON", "\(path) \(body)")
                }
            }
            // a body that may be empty is still checked when it is not
            #expect(try await api.call(.delete, "devices/D", token: alice.token, raw: Array("[1]".utf8)).errcode == "M_BAD_JSON")
            #expect(try await api.call(.delete, "devices/D", token: alice.token, raw: Array("nope".utf8)).errcode == "M_NOT_JSON")
            // every refusal left alice's keys and session as they were
            #expect(try await api.sync(alice)["device_one_time_keys_count"] == ["signed_curve25519": 3])
            #expect(try await api.call(.get, "account/whoami", token: alice.token).status == .ok)
        }
    }

    @Test("a body over the limit is 413 M_TOO_LARGE")
    func oversize() async throws {
        try await Homeserver.run(Homeserver.config { $0.maxRequestBytes = 4096 }) { api in
            let alice = try await api.register("alice", deviceID: "D")
            let big = Array(#"{"pad":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 5000) + Array(#""}"#.utf8)
            for (method, path) in Self.endpoints {
                let reply = try await api.call(method, path, token: alice.token, raw: big)
                #expect(reply.status == .contentTooLarge, "\(path)")
                #expect(reply.errcode == "M_TOO_LARGE", "\(path)")
            }
            #expect(try await api.call(.post, "keys/upload", token: alice.token, json: [:]).status == .ok)
        }
    }

    @Test("wrong member types are 400 M_BAD_JSON; missing required members 400 M_MISSING_PARAM")
    func shapes() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice", deviceID: "D")
            let cases: [(HTTPRequest.Method, String, JSONObject, String)] = [
                (.post, "keys/upload", ["device_keys": "x"], "M_BAD_JSON"),
                (.post, "keys/upload", ["fallback_keys": 1], "M_BAD_JSON"),
                (.post, "keys/query", [:], "M_MISSING_PARAM"),
                (.post, "keys/claim", ["one_time_keys": "x"], "M_BAD_JSON"),
                (.put, "sendToDevice/m.test/y", [:], "M_MISSING_PARAM"),
                (.put, "sendToDevice/m.test/z", ["messages": ["@a:localhost": []]], "M_BAD_JSON"),
                (.put, "sendToDevice/m.test/w", ["messages": ["@a:localhost": ["D": "text"]]], "M_BAD_JSON"),
                (.post, "login", ["type": 1], "M_BAD_JSON"),
                (.post, "delete_devices", [:], "M_MISSING_PARAM"),
            ]
            for (method, path, body, errcode) in cases {
                let reply = try await api.call(method, path, token: alice.token, json: body)
                #expect(reply.status == .badRequest, "\(path) \(body)")
                #expect(reply.errcode == errcode, "\(path) \(body)")
            }
        }
    }
}
