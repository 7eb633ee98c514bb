// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshMatrixAPI
import Testing

/// What Element and matrix-nio call right after login, each answered in the spec's shape.
@Suite("Start-up endpoints: capabilities, profile, key backup, push rules")
struct StartupRouteTests {
    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    @Test("GET /capabilities states every account capability as disabled, under v3 and r0")
    func capabilities() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            for prefix in ["/_matrix/client/v3/", "/_matrix/client/r0/"] {
                let reply = try await api.call(.get, prefix + "capabilities", token: alice.token)
                #expect(reply.status == .ok, "\(reply.body)")
                let capabilities = try #require(reply["capabilities"]?.objectValue)
                for name in ["m.change_password", "m.set_displayname", "m.set_avatar_url", "m.3pid_changes"] {
                    #expect(capabilities[name] == ["enabled": false], "\(name)")
                }
            }
            #expect(try await api.call(.get, "capabilities").errcode == "M_MISSING_TOKEN")
        }
    }

    @Test("GET /profile/{userId}: a local user's display name is the localpart; no avatar; unknown users 404")
    func profile() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            let path = "profile/\(Self.escaped(bob.userID))"
            let profile = try await api.call(.get, path, token: alice.token)
            #expect(profile.status == .ok)
            #expect(profile.body == ["displayname": "bob"])
            #expect(try await api.call(.get, path + "/displayname", token: alice.token).body == ["displayname": "bob"])
            #expect(try await api.call(.get, "profile/\(bob.userID)", token: alice.token).body == ["displayname": "bob"])
            for missing in [path + "/avatar_url", path + "/m.tz", "profile/%40nobody%3Alocalhost",
                            "profile/%40bob%3Aelsewhere.org", "profile/%40nobody%3Alocalhost/displayname"] {
                let reply = try await api.call(.get, missing, token: alice.token)
                #expect(reply.status == .notFound, "\(missing)")
                #expect(reply.errcode == "M_NOT_FOUND", "\(missing)")
            }
            #expect(try await api.call(.get, "profile/%40bob%00%3Alocalhost", token: alice.token).errcode == "M_INVALID_PARAM")
            #expect(try await api.call(.get, path).errcode == "M_MISSING_TOKEN")
        }
    }

    @Test("GET /room_keys/version is 404 M_NOT_FOUND: there is never a key backup")
    func roomKeysVersion() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            for path in ["room_keys/version", "room_keys/version/1", "/_matrix/client/r0/room_keys/version"] {
                let reply = try await api.call(.get, path, token: alice.token)
                #expect(reply.status == .notFound, "\(path)")
                #expect(reply.errcode == "M_NOT_FOUND", "\(path)")
            }
            #expect(try await api.call(.get, "room_keys/version").errcode == "M_MISSING_TOKEN")
        }
    }

    @Test("GET /pushrules/ is an empty global ruleset (matrix-js-sdk retries for ever until it gets one)")
    func pushRules() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let empty: JSONObject = ["content": [], "override": [], "room": [], "sender": [], "underride": []]
            for path in ["pushrules/", "pushrules", "/_matrix/client/r0/pushrules/"] {
                let reply = try await api.call(.get, path, token: alice.token)
                #expect(reply.status == .ok, "\(path): \(reply.body)")
                #expect(reply.body == ["global": .object(empty)], "\(path)")
            }
            #expect(try await api.call(.get, "pushrules/global/", token: alice.token).body == empty)
            #expect(try await api.call(.get, "pushrules/").errcode == "M_MISSING_TOKEN")
        }
    }
}
