// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshMatrixAPI
import KeyMeshStore
import KeyMeshStoreSQLite
import Testing

@Suite("Account data: per user, bounded, kept across restarts")
struct AccountDataRouteTests {
    static func path(_ user: TestUser, _ type: String) -> String {
        let id = user.userID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? user.userID
        return "user/\(id)/account_data/\(type)"
    }

    @Test("PUT then GET gives the content back; another type is 404; a later PUT replaces")
    func putAndGet() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let phone = try await api.login(alice)
            let content: JSONObject = ["devices": ["PHONE": ["enrolled": true]], "n": 1]
            let put = try await api.call(.put, Self.path(alice, "org.keymesh.enrolment"), token: alice.token, json: content)
            #expect(put.status == .ok, "\(put.body)")
            #expect(put.body == [:])
            // any of the user's devices reads it
            let got = try await api.call(.get, Self.path(alice, "org.keymesh.enrolment"), token: phone.token)
            #expect(got.status == .ok)
            #expect(got.body == content)
            let missing = try await api.call(.get, Self.path(alice, "m.direct"), token: alice.token)
            #expect(missing.status == .notFound)
            #expect(missing.errcode == "M_NOT_FOUND")
            _ = try await api.call(.put, "/_matrix/client/r0/" + Self.path(alice, "org.keymesh.enrolment"), token: phone.token, json: ["n": 2])
            #expect(try await api.call(.get, Self.path(alice, "org.keymesh.enrolment"), token: alice.token).body == ["n": 2])
        }
    }

    @Test("another user's account data is 403 both ways, and nothing is written")
    func otherUser() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let mallory = try await api.register("mallory")
            _ = try await api.call(.put, Self.path(alice, "x.type"), token: alice.token, json: ["v": 1])
            let write = try await api.call(.put, Self.path(alice, "x.type"), token: mallory.token, json: ["v": 666])
            #expect(write.status == .forbidden)
            #expect(write.errcode == "M_FORBIDDEN")
            let read = try await api.call(.get, Self.path(alice, "x.type"), token: mallory.token)
            #expect(read.errcode == "M_FORBIDDEN")
            #expect(try await api.call(.get, Self.path(alice, "x.type"), token: alice.token).body == ["v": 1])
            #expect(try await api.call(.get, Self.path(mallory, "x.type"), token: mallory.token).errcode == "M_NOT_FOUND")
            #expect(try await api.call(.put, Self.path(alice, "x.type"), json: ["v": 1]).errcode == "M_MISSING_TOKEN")
        }
    }

    @Test("bad bodies, bad types, m.push_rules, oversize content and too many types are refused and store nothing")
    func refusals() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let notObject = try await api.call(.put, Self.path(alice, "x.a"), token: alice.token, raw: Array("[1]".utf8))
            #expect(notObject.status == .badRequest)
            #expect(["M_BAD_JSON", "M_NOT_JSON"].contains(notObject.errcode ?? ""))
            #expect(try await api.call(.put, Self.path(alice, "x.a"), token: alice.token, raw: Array("{".utf8)).errcode == "M_NOT_JSON")
            #expect(try await api.call(.put, Self.path(alice, "x%00a"), token: alice.token, json: [:]).errcode == "M_INVALID_PARAM")
            #expect(try await api.call(.put, Self.path(alice, "x%20a"), token: alice.token, json: [:]).errcode == "M_INVALID_PARAM")
            let pushRules = try await api.call(.put, Self.path(alice, "m.push_rules"), token: alice.token, json: [:])
            #expect(pushRules.status == .methodNotAllowed)
            #expect(pushRules.errcode == "M_BAD_JSON")

            let limit = AccountDataLimits.standard
            let big: JSONObject = ["x": .string(String(repeating: "a", count: limit.contentBytes))]
            let tooBig = try await api.call(.put, Self.path(alice, "x.a"), token: alice.token, json: big)
            #expect(tooBig.status == .contentTooLarge)
            #expect(tooBig.errcode == "M_TOO_LARGE")
            for type in ["x.a", "x%00a", "m.push_rules"] {
                #expect(try await api.call(.get, Self.path(alice, type), token: alice.token).status != .ok, "\(type)")
            }

            for n in 0..<limit.typesPerUser {
                let reply = try await api.call(.put, Self.path(alice, "x.t\(n)"), token: alice.token, json: ["n": .int(Int64(n))])
                try #require(reply.status == .ok, "\(reply.body)")
            }
            let oneMore = try await api.call(.put, Self.path(alice, "x.more"), token: alice.token, json: [:])
            #expect(oneMore.status == .contentTooLarge)
            #expect(oneMore.errcode == "M_TOO_LARGE")
            #expect(try await api.call(.get, Self.path(alice, "x.more"), token: alice.token).errcode == "M_NOT_FOUND")
            // replacing an existing type is still allowed at the limit
            #expect(try await api.call(.put, Self.path(alice, "x.t0"), token: alice.token, json: ["n": 100]).status == .ok)
            #expect(try await api.call(.get, Self.path(alice, "x.t0"), token: alice.token).body == ["n": 100])
        }
    }

    @Test("the store keeps account data across a reopen, and refuses a write for a device that is gone")
    func storeBinding() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-account-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("keymesh.sqlite").path
        let phone = DeviceRef(userID: "@alice:localhost", deviceID: "PHONE")
        do {
            let store = try SQLiteStore(path: path)
            try await store.createUser(phone.userID, passwordHash: "x")
            try await store.openDevice(phone, displayName: nil, tokenHash: "h")
            try await store.putAccountData(phone, type: "x.kept", contentJSON: "{\"v\":1}", limits: .standard)
            // a token whose device was deleted while its request was in flight writes nothing
            let gone = DeviceRef(userID: phone.userID, deviceID: "GONE")
            await #expect(throws: StoreError.deviceNotFound(gone)) {
                try await store.putAccountData(gone, type: "x.ghost", contentJSON: "{}", limits: .standard)
            }
            await #expect(throws: StoreError.invalidText("account data")) {
                try await store.putAccountData(phone, type: "x\u{0}y", contentJSON: "{}", limits: .standard)
            }
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.accountData(of: phone.userID) == [AccountDataEntry(type: "x.kept", contentJSON: "{\"v\":1}")])
        #expect(try await reopened.accountData(of: phone.userID, type: "x.ghost") == nil)
    }
}
