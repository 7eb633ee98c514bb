// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How the client reaches a homeserver: one request, one answer. Apps and tests can provide
/// their own (an async-http-client one, a recording one); ``URLSessionTransport`` is the default.
public protocol HTTPTransport: Sendable {
    func send(method: String, url: URL, headers: [String: String], body: [UInt8]?) async throws -> (status: Int, body: [UInt8])
}

/// ``HTTPTransport`` over Foundation's `URLSession`.
public struct URLSessionTransport: HTTPTransport {
    private let session: URLSession

    public init(session: URLSession = .shared) {
        self.session = session
    }

    public func send(method: String, url: URL, headers: [String: String], body: [UInt8]?) async throws -> (status: Int, body: [UInt8]) {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 90  // above the longest /sync long-poll the client asks for
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(body) }
        do {
            let (data, response) = try await session.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, Array(data))
        } catch {
            throw ClientError.transport("\(method) \(url.path): \(error.localizedDescription)")
        }
    }
}
