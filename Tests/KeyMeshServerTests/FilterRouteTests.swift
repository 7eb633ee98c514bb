// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshServer

@Suite("Filters: upload, download, and /sync?filter=")
struct FilterRouteTests {
    /// What Element uploads before its first sync (trimmed).
    static let elementFilter: JSONObject = [
        "room": ["state": ["lazy_load_members": true], "timeline": ["limit": 20, "unread_thread_notifications": true]],
        "presence": ["not_types": ["m.presence"]], "event_fields": ["type", "content", "sender"],
    ]

    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    @Test("POST /user/{me}/filter returns an id that GET gives back and /sync accepts; it never starts with {")
    func roundTrip() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let me = Self.escaped(alice.userID)
            let created = try await api.call(.post, "user/\(me)/filter", token: alice.token, json: Self.elementFilter)
            #expect(created.status == .ok, "\(created.body)")
            let id = try #require(created["filter_id"]?.stringValue)
            #expect(!id.hasPrefix("{"))
            let fetched = try await api.call(.get, "user/\(me)/filter/\(id)", token: alice.token)
            #expect(fetched.status == .ok)
            #expect(fetched.body == Self.elementFilter)
            // the same filter again gets the same id; r0 serves it too
            let again = try await api.call(.post, "/_matrix/client/r0/user/\(me)/filter", token: alice.token, json: Self.elementFilter)
            #expect(again["filter_id"]?.stringValue == id)
            #expect(try await api.call(.get, "sync?filter=\(id)", token: alice.token).status == .ok)
            let inline = try String(decoding: CanonicalJSON.encode(.object(Self.elementFilter)), as: UTF8.self)
            #expect(try await api.call(.get, "sync?filter=\(Self.escaped(inline))", token: alice.token).status == .ok)
        }
    }

    @Test("filters of another user are 403; unknown ids 404; bad bodies 400; oversize 413")
    func refusals() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            let me = Self.escaped(alice.userID)
            let id = try #require(try await api.call(.post, "user/\(me)/filter", token: alice.token, json: [:])["filter_id"]?.stringValue)

            let other = try await api.call(.post, "user/\(Self.escaped(bob.userID))/filter", token: alice.token, json: [:])
            #expect(other.status == .forbidden)
            #expect(other.errcode == "M_FORBIDDEN")
            let otherGet = try await api.call(.get, "user/\(me)/filter/\(id)", token: bob.token)
            #expect(otherGet.errcode == "M_FORBIDDEN")
            #expect(try await api.call(.post, "user/\(me)/filter", json: [:]).errcode == "M_MISSING_TOKEN")

            #expect(id == "e30")  // base64url of `{}`
            for bad in ["0", "nope", "e30=", "eyB9", "%7B%7D", "AAAA", String(repeating: "A", count: 20_000)] {
                let reply = try await api.call(.get, "user/\(me)/filter/\(bad)", token: alice.token)
                #expect(reply.status == .notFound, "\(bad)")
                #expect(reply.errcode == "M_NOT_FOUND", "\(bad)")
            }
            let notObject = try await api.call(.post, "user/\(me)/filter", token: alice.token, raw: Array("[1]".utf8))
            #expect(notObject.status == .badRequest)
            #expect(["M_BAD_JSON", "M_NOT_JSON"].contains(notObject.errcode ?? ""))
            let wrongShape = try await api.call(.post, "user/\(me)/filter", token: alice.token,
                                                json: ["room": ["timeline": ["limit": "ten"]]])
            #expect(wrongShape.errcode == "M_BAD_JSON")
            #expect(try await api.call(.post, "user/\(me)/filter", token: alice.token, json: ["event_fields": [1]]).errcode == "M_BAD_JSON")
            let big: JSONObject = ["x": .string(String(repeating: "a", count: Filter.maxBytes))]
            let tooBig = try await api.call(.post, "user/\(me)/filter", token: alice.token, json: big)
            #expect(tooBig.status == .contentTooLarge)
            #expect(tooBig.errcode == "M_TOO_LARGE")
        }
    }

    @Test("/sync refuses an unknown filter id (M_INVALID_PARAM), inline text that is not JSON (M_NOT_JSON) or not a filter (M_BAD_JSON)")
    func syncChecksFilter() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let cases = [("nope", "M_INVALID_PARAM"), ("{nope", "M_NOT_JSON"), ("{\"room\":3}", "M_BAD_JSON"),
                         ("{\"event_format\":\"xml\"}", "M_BAD_JSON")]
            for (filter, errcode) in cases {
                let reply = try await api.call(.get, "sync?filter=\(Self.escaped(filter))", token: alice.token)
                #expect(reply.status == .badRequest, "\(filter)")
                #expect(reply.errcode == errcode, "\(filter)")
            }
        }
    }

    @Test("Filter.resolve: ids and inline filters agree; only the exact id decodes; the cap holds")
    func resolve() throws {
        let id = try Filter.id(for: Self.elementFilter)
        #expect(try Filter.resolve(id) == Self.elementFilter)
        #expect(try Filter.resolve(" {}".trimmingCharacters(in: .whitespaces)) == [:])
        #expect(try Filter.resolve("") == [:])
        #expect(Filter.filter(id: id + "A") == nil)
        #expect(Filter.filter(id: id.replacingOccurrences(of: "-", with: "+")) == nil || !id.contains("-"))
        // padded, or standard-alphabet spellings of the same bytes are not the id
        #expect(Filter.filter(id: "e30=") == nil)
        #expect(Filter.filter(id: "e30") == [:])
        // non-canonical JSON under an id is refused: `{ }` is not how the server writes `{}`
        #expect(Filter.filter(id: "eyB9") == nil)
        #expect(throws: MatrixError.self) { try Filter.resolve("{\"x\":\"" + String(repeating: "a", count: Filter.maxBytes) + "\"}") }
    }
}
