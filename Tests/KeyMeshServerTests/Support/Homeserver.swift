// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import HummingbirdTesting
import KeyMeshMatrixAPI
import KeyMeshStoreSQLite
import NIOCore

@testable import KeyMeshServer

/// A key server in this process on a fresh SQLite file, driven through HummingbirdTesting
/// (`.router` calls the routes directly; `.live` goes through a real socket).
enum Homeserver {
    static func config(_ configure: (inout ServerConfig) -> Void = { _ in }) -> ServerConfig {
        var config = ServerConfig()
        config.dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("keymesh-route-\(UUID().uuidString)").path
        config.passwordStrength = .minimum  // tests only: real servers use Argon2id interactive
        config.claimRate = 0
        configure(&config)
        return config
    }

    static func run<T: Sendable>(_ config: ServerConfig = config(), mode: TestingSetup = .router,
                                 _ body: @Sendable (API) async throws -> T) async throws -> T {
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
        let store = try SQLiteStore(path: config.databasePath)
        let app = Application(router: buildRouter(state: ServerState(config: config, store: store)))
        return try await app.test(mode) { client in try await body(API(client: client)) }
    }
}

/// A response: status, headers and the body parsed by KeyMesh's strict JSON parser.
struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: JSONObject

    var errcode: String? { body["errcode"]?.stringValue }
    subscript(_ key: String) -> JSONValue? { body[key] }
}

/// Calls the client-server API. Paths without a leading `/` are under `/_matrix/client/v3/`.
struct API: Sendable {
    let client: any TestClientProtocol

    func call(_ method: HTTPRequest.Method, _ path: String, token: String? = nil,
              json: JSONObject? = nil, raw: [UInt8]? = nil, headers: HTTPFields = [:]) async throws -> Reply {
        let uri = path.hasPrefix("/") ? path : "/_matrix/client/v3/" + path
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        var bytes = raw
        if let json { bytes = try CanonicalJSON.encode(.object(json)) }
        if bytes != nil { headers[.contentType] = "application/json" }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers,
                                                       body: bytes.map { ByteBuffer(bytes: $0) })
        let text = Array(response.body.readableBytesView)
        let body = text.isEmpty ? JSONObject() : try JSONParser.parse(text).objectValue ?? JSONObject()
        return Reply(status: response.status, headers: response.headers, body: body)
    }
}
