// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import HummingbirdTesting
import KeyMeshMatrixAPI
import KeyMeshStoreSQLite
import Testing

@testable import KeyMeshServer

/// The bench every attack runs on: the real application (`buildApplication`, so the same
/// middleware, routes and HTTP server settings as `keymesh serve`) on a live socket, with its
/// SQLite file in a temporary folder that ``snapshot()`` reads directly.
///
/// Set-up traffic (register, log in, upload) goes through HummingbirdTesting's client; each
/// attack is sent by ``RawHTTP`` on a connection of its own, so an attack that makes the server
/// close its connection cannot disturb the next one.
struct AttackBench: Sendable {
    let api: API
    let port: Int
    let databasePath: String

    static func run(_ configure: (inout ServerConfig) -> Void = { _ in },
                    _ body: @Sendable (AttackBench) async throws -> Void) async throws {
        let config = Homeserver.config(configure)
        defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        let app = try buildApplication(config: config, store: try SQLiteStore(path: config.databasePath))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body(AttackBench(api: API(client: client), port: port, databasePath: config.databasePath))
        }
    }

    func snapshot() throws -> StoreSnapshot { try StoreSnapshot.read(databasePath) }

    /// Sends one request on a new connection. `path` without a leading `/` is under
    /// `/_matrix/client/v3/`; it is written to the wire exactly as given (no escaping).
    func send(_ method: String, _ path: String, token: String? = nil, body: [UInt8]? = nil,
              headers: [String] = []) async throws -> RawHTTP.Reply {
        let target = path.hasPrefix("/") ? path : "/_matrix/client/v3/" + path
        var head = ["\(method) \(target) HTTP/1.1", "Host: localhost"]
        if let token { head.append("Authorization: Bearer \(token)") }
        if body != nil { head.append("Content-Type: application/json") }
        head += headers
        return try await RawHTTP.request(port: port, head.joined(separator: "\r\n"), body: body ?? [])
    }

    func send(_ method: String, _ path: String, token: String? = nil, json: JSONObject) async throws -> RawHTTP.Reply {
        try await send(method, path, token: token, body: try CanonicalJSON.encode(.object(json)))
    }

    /// Runs `attack` and checks what every refusal must be: a status in `status`, Matrix error
    /// JSON (`errcode` and `error` strings, `errcode` in `errcodes` when given), the store
    /// byte-for-byte as before except the tables in `ignoring`, and a server that still answers
    /// `whoami` for `user` (or `/versions` without one).
    @discardableResult
    func expectRefused(_ what: String, status: Set<Int>, errcodes: Set<String>? = nil, ignoring: Set<String> = [],
                       still user: TestUser? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                       _ attack: () async throws -> RawHTTP.Reply) async throws -> RawHTTP.Reply {
        let before = try snapshot().excluding(ignoring)
        let reply: RawHTTP.Reply
        do {
            reply = try await attack()
        } catch {
            Issue.record("\(what): no reply (\(error))", sourceLocation: sourceLocation)
            try await expectAlive(user, what, sourceLocation)
            return RawHTTP.Reply(status: 0, headers: [], bodyBytes: [])
        }
        let body = String(decoding: reply.bodyBytes.prefix(300), as: UTF8.self)
        #expect(status.contains(reply.status), "\(what): status \(reply.status) \(body)", sourceLocation: sourceLocation)
        #expect(reply.body["errcode"]?.stringValue != nil && reply.body["error"]?.stringValue != nil,
                "\(what): not Matrix error JSON: \(body)", sourceLocation: sourceLocation)
        if let errcodes {
            #expect(errcodes.contains(reply.errcode ?? "-"), "\(what): errcode \(reply.errcode ?? "none") \(body)",
                    sourceLocation: sourceLocation)
        }
        let after = try snapshot().excluding(ignoring)
        let unchanged = after == before
        #expect(unchanged, "\(what): the store changed:\n\(after.difference(from: before))", sourceLocation: sourceLocation)
        try await expectAlive(user, what, sourceLocation)
        return reply
    }

    /// The server still answers a normal request (with `user`'s token when given).
    func expectAlive(_ user: TestUser?, _ what: String, _ sourceLocation: SourceLocation) async throws {
        let reply: RawHTTP.Reply
        if let user {
            reply = try await send("GET", "account/whoami", token: user.token)
        } else {
            reply = try await send("GET", "/_matrix/client/versions")
        }
        #expect(reply.status == 200, "\(what): the server no longer answers (\(reply.status))", sourceLocation: sourceLocation)
    }
}

extension RawHTTP.Reply {
    /// `to_device.events` of a sync reply.
    var toDeviceEvents: [JSONObject] {
        (body["to_device"]?.objectValue?["events"]?.arrayValue ?? []).compactMap(\.objectValue)
    }
}
