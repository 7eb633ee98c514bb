// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshOlm
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small JSON-over-HTTP client for the process tests (URLSession).
struct HTTPClient: Sendable {
    let port: Int

    struct Reply {
        let status: Int
        let body: JSONObject
    }

    func call(_ method: String, _ path: String, token: String? = nil, json: JSONObject? = nil) async throws -> Reply {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/_matrix/client/v3/\(path)"))
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = Data(try CanonicalJSON.encode(.object(json)))
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return Reply(status: status, body: try JSONParser.parse(Array(data)).objectValue ?? [:])
    }

    func register(_ name: String) async throws -> TestUser {
        let password = "pw-\(name)"
        let reply = try await call("POST", "register", json: ["username": .string(name), "password": .string(password),
                                                              "auth": ["type": "m.login.dummy"]])
        try #require(reply.status == 200, "\(reply.body)")
        return TestUser(userID: try #require(reply.body["user_id"]?.stringValue),
                               deviceID: try #require(reply.body["device_id"]?.stringValue),
                               token: try #require(reply.body["access_token"]?.stringValue), password: password,
                               account: OlmAccount())
    }

    func uploadKeys(_ user: TestUser, oneTimeKeys: Int) async throws {
        _ = user.account.generateOneTimeKeys(count: oneTimeKeys)
        let reply = try await call("POST", "keys/upload", token: user.token, json: [
            "device_keys": .object(user.account.deviceKeys(userID: user.userID, deviceID: user.deviceID)),
            "one_time_keys": .object(user.account.signedOneTimeKeys(userID: user.userID, deviceID: user.deviceID)),
        ])
        try #require(reply.status == 200, "\(reply.body)")
        user.account.markKeysAsPublished()
    }
}
