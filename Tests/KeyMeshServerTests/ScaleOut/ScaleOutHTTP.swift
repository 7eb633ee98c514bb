// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshOlm
import Testing

/// Requests to one instance of a ``ScaleOutCluster``, each on a fresh connection (``RawHTTP``:
/// its blocking socket calls run on a thread of their own, so dozens may be in flight and a
/// 30 s long-poll never holds the cooperative pool).
enum ScaleOutHTTP {
    /// One request; `path` without a leading `/` is under `/_matrix/client/v3/`. Throws when the
    /// instance gives no answer (refused, reset, or nothing within `timeout` seconds).
    static func request(port: Int, _ method: String, _ path: String, token: String? = nil,
                        json: JSONObject? = nil, timeout: Int = 60) async throws -> RawHTTP.Reply {
        let body = try json.map { try CanonicalJSON.encode(.object($0)) } ?? []
        let uri = path.hasPrefix("/") ? path : "/_matrix/client/v3/" + path
        var head = "\(method) \(uri) HTTP/1.1\r\nHost: localhost"
        if let token { head += "\r\nAuthorization: Bearer \(token)" }
        if json != nil { head += "\r\nContent-Type: application/json" }
        let connection = try RawHTTP(port: port, timeout: timeout)
        try await connection.send(Array((head + "\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n").utf8) + body)
        return try await connection.reply()
    }

    /// Registers `name` (one-shot `m.login.dummy`) through the instance on `port`.
    static func register(port: Int, _ name: String) async throws -> TestUser {
        let password = "pw-\(name)"
        let reply = try await request(port: port, "POST", "register", json: [
            "username": .string(name), "password": .string(password), "auth": ["type": "m.login.dummy"],
        ])
        try #require(reply.status == 200, "register \(name) on \(port): \(reply.status) \(reply.body)")
        return TestUser(userID: try #require(reply.body["user_id"]?.stringValue),
                        deviceID: try #require(reply.body["device_id"]?.stringValue),
                        token: try #require(reply.body["access_token"]?.stringValue), password: password,
                        account: OlmAccount())
    }

    /// Logs `user` in again through `port`: a new device with its own Olm account.
    static func login(port: Int, _ user: TestUser) async throws -> TestUser {
        let reply = try await request(port: port, "POST", "login", json: [
            "type": "m.login.password", "identifier": ["type": "m.id.user", "user": .string(user.userID)],
            "password": .string(user.password),
        ])
        try #require(reply.status == 200, "login \(user.userID) on \(port): \(reply.status) \(reply.body)")
        return TestUser(userID: user.userID, deviceID: try #require(reply.body["device_id"]?.stringValue),
                        token: try #require(reply.body["access_token"]?.stringValue), password: user.password,
                        account: OlmAccount())
    }

    /// The keys an upload published: one-time and fallback key ids to their public keys.
    struct Published {
        var oneTime: [String: String] = [:]
        var fallback: [String: String] = [:]
    }

    /// Uploads `user`'s device keys (if asked), `oneTimeKeys` new signed one-time keys and a new
    /// fallback key (if asked) through `port`.
    @discardableResult
    static func uploadKeys(port: Int, _ user: TestUser, oneTimeKeys: Int = 0, fallback: Bool = false,
                           deviceKeys: Bool = true) async throws -> Published {
        var body = JSONObject()
        var published = Published()
        if deviceKeys { body["device_keys"] = .object(user.account.deviceKeys(userID: user.userID, deviceID: user.deviceID)) }
        if oneTimeKeys > 0 {
            user.account.generateOneTimeKeys(count: oneTimeKeys)
            let keys = user.account.signedOneTimeKeys(userID: user.userID, deviceID: user.deviceID)
            for (id, object) in keys { published.oneTime[id] = object.objectValue?["key"]?.stringValue ?? "" }
            body["one_time_keys"] = .object(keys)
        }
        if fallback {
            user.account.generateFallbackKey()
            let keys = user.account.signedFallbackKeys(userID: user.userID, deviceID: user.deviceID)
            for (id, object) in keys { published.fallback[id] = object.objectValue?["key"]?.stringValue ?? "" }
            body["fallback_keys"] = .object(keys)
        }
        let reply = try await request(port: port, "POST", "keys/upload", token: user.token, json: body)
        try #require(reply.status == 200, "keys/upload on \(port): \(reply.status) \(reply.body)")
        user.account.markKeysAsPublished()
        return published
    }

    /// `GET /sync` through `port` (a long-poll with `timeoutMs`), answered 200 or the test stops.
    static func sync(port: Int, _ user: TestUser, since: String? = nil, timeoutMs: Int? = nil) async throws -> RawHTTP.Reply {
        var query: [String] = []
        if let since { query.append("since=\(since)") }
        if let timeoutMs { query.append("timeout=\(timeoutMs)") }
        let reply = try await request(port: port, "GET", "sync" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")),
                                      token: user.token, timeout: 90)
        try #require(reply.status == 200, "sync on \(port): \(reply.status) \(reply.body)")
        return reply
    }
}

extension RawHTTP.Reply {
    /// `device_lists.changed` of a sync reply.
    var changedUsers: [String] {
        (body["device_lists"]?.objectValue?["changed"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// `device_one_time_keys_count.signed_curve25519` of a sync reply.
    var signedCurveCount: Int64? {
        body["device_one_time_keys_count"]?.objectValue?["signed_curve25519"]?.intValue
    }

    var nextBatch: String? { body["next_batch"]?.stringValue }
}
