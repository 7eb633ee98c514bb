// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI

/// JSON calls to one homeserver's client-server API (`/_matrix/client/v3/…`): bodies are
/// canonical JSON, answers are parsed by the strict parser, and a non-2xx answer becomes
/// ``ClientError/server(status:errcode:message:)``.
struct HomeserverConnection: Sendable {
    let baseURL: URL
    let transport: any HTTPTransport

    func call(_ method: String, _ path: String, token: String? = nil, query: [String: String] = [:],
              body: JSONObject? = nil) async throws -> JSONObject {
        let (status, parsed) = try await exchange(method, path, token: token, query: query, body: body)
        return try Self.success(status, parsed, "\(method) \(path)")
    }

    /// Like ``call(_:_:token:query:body:)``, but a 401 carrying user-interactive auth flows
    /// (spec §"User-interactive authentication API") comes back as `.authRequired` with its
    /// body, so the caller can complete a stage and retry with the server's `session`.
    func callWithAuth(_ method: String, _ path: String, token: String? = nil, body: JSONObject) async throws -> AuthResult {
        let (status, parsed) = try await exchange(method, path, token: token, body: body)
        if status == 401, let parsed, parsed["flows"] != nil { return .authRequired(parsed) }
        return .done(try Self.success(status, parsed, "\(method) \(path)"))
    }

    /// The answer of a 2xx, or the Matrix error of any other status.
    private static func success(_ status: Int, _ parsed: JSONObject?, _ what: String) throws -> JSONObject {
        guard (200..<300).contains(status) else {
            throw ClientError.server(status: status, errcode: parsed?["errcode"]?.stringValue ?? "M_UNKNOWN",
                                     message: parsed?["error"]?.stringValue ?? "HTTP \(status)")
        }
        guard let parsed else { throw ClientError.malformedResponse("\(what): not a JSON object") }
        return parsed
    }

    enum AuthResult {
        case done(JSONObject)
        case authRequired(JSONObject)
    }

    private func exchange(_ method: String, _ path: String, token: String?, query: [String: String] = [:],
                          body: JSONObject?) async throws -> (Int, JSONObject?) {
        var components = URLComponents(url: baseURL.appendingPathComponent("_matrix/client/v3/" + path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        guard let url = components?.url else { throw ClientError.transport("bad URL for \(path)") }
        var headers = ["Accept": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        var bytes: [UInt8]?
        if let body {
            bytes = try CanonicalJSON.encode(.object(body))
            headers["Content-Type"] = "application/json"
        }
        let (status, answer) = try await transport.send(method: method, url: url, headers: headers, body: bytes)
        return (status, answer.isEmpty ? JSONObject() : (try? JSONParser.parse(answer))?.objectValue)
    }
}
