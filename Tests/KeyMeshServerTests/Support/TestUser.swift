// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshOlm
import Testing

/// A registered, logged-in device with a real Olm account for its keys.
struct TestUser: Sendable {
    let userID: String
    let deviceID: String
    let token: String
    let password: String
    let account: OlmAccount
}

extension API {
    /// Registers `name` through the two-step `m.login.dummy` flow and returns the new device.
    func register(_ name: String, password: String = "correct horse", deviceID: String? = nil) async throws -> TestUser {
        var body: JSONObject = ["username": .string(name), "password": .string(password)]
        if let deviceID { body["device_id"] = .string(deviceID) }
        let challenge = try await call(.post, "register", json: body)
        try #require(challenge.status == .unauthorized, "register challenge: \(challenge.body)")
        let session = try #require(challenge["session"]?.stringValue)
        body["auth"] = ["type": "m.login.dummy", "session": .string(session)]
        let reply = try await call(.post, "register", json: body)
        try #require(reply.status == .ok, "register: \(reply.body)")
        return TestUser(userID: try #require(reply["user_id"]?.stringValue),
                        deviceID: try #require(reply["device_id"]?.stringValue),
                        token: try #require(reply["access_token"]?.stringValue),
                        password: password, account: OlmAccount())
    }

    /// Logs `user` in again: a new device (or `deviceID`) with its own Olm account.
    func login(_ user: TestUser, deviceID: String? = nil) async throws -> TestUser {
        var body: JSONObject = ["type": "m.login.password", "identifier": ["type": "m.id.user", "user": .string(user.userID)],
                                "password": .string(user.password)]
        if let deviceID { body["device_id"] = .string(deviceID) }
        let reply = try await call(.post, "login", json: body)
        try #require(reply.status == .ok, "login: \(reply.body)")
        return TestUser(userID: user.userID, deviceID: try #require(reply["device_id"]?.stringValue),
                        token: try #require(reply["access_token"]?.stringValue), password: user.password,
                        account: OlmAccount())
    }

    /// Uploads the device's signed keys, `oneTimeKeys` new one-time keys, and a fallback key if asked.
    @discardableResult
    func uploadKeys(_ user: TestUser, oneTimeKeys: Int = 0, fallback: Bool = false, deviceKeys: Bool = true) async throws -> Reply {
        var body = JSONObject()
        if deviceKeys { body["device_keys"] = .object(user.account.deviceKeys(userID: user.userID, deviceID: user.deviceID)) }
        if oneTimeKeys > 0 {
            _ = user.account.generateOneTimeKeys(count: oneTimeKeys)
            body["one_time_keys"] = .object(user.account.signedOneTimeKeys(userID: user.userID, deviceID: user.deviceID))
        }
        if fallback {
            _ = user.account.generateFallbackKey()
            body["fallback_keys"] = .object(user.account.signedFallbackKeys(userID: user.userID, deviceID: user.deviceID))
        }
        user.account.markKeysAsPublished()
        return try await call(.post, "keys/upload", token: user.token, json: body)
    }

    /// Claims one `signed_curve25519` key of each device.
    func claim(by user: TestUser, _ devices: [(String, String)]) async throws -> Reply {
        var request = JSONObject()
        for (userID, deviceID) in devices {
            var perUser = request[userID]?.objectValue ?? [:]
            perUser[deviceID] = "signed_curve25519"
            request[userID] = .object(perUser)
        }
        return try await call(.post, "keys/claim", token: user.token, json: ["one_time_keys": .object(request)])
    }

    func sync(_ user: TestUser, since: String? = nil, timeoutMs: Int? = nil) async throws -> Reply {
        var query: [String] = []
        if let since { query.append("since=\(since)") }
        if let timeoutMs { query.append("timeout=\(timeoutMs)") }
        let reply = try await call(.get, "sync" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), token: user.token)
        try #require(reply.status == .ok, "sync: \(reply.body)")
        return reply
    }
}

extension Reply {
    /// `to_device.events` of a sync.
    var toDeviceEvents: [JSONObject] {
        (body["to_device"]?.objectValue?["events"]?.arrayValue ?? []).compactMap(\.objectValue)
    }

    /// `device_lists.changed` of a sync.
    var changedUsers: [String] {
        (body["device_lists"]?.objectValue?["changed"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    var nextBatch: String? { body["next_batch"]?.stringValue }
}

extension JSONObject {
    /// The first member, for single-member objects such as a claimed key.
    var firstEntry: (key: String, value: JSONValue)? {
        var iterator = makeIterator()
        return iterator.next()
    }
}
