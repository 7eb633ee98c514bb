// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Synchronization
import Testing

@testable import KeyMeshClient

/// A transport that fails the next `failures` `/sync` requests with `status` (0: no connection).
final class FlakyTransport: HTTPTransport {
    let inner = URLSessionTransport()
    let failures: Mutex<Int>
    let status: Int
    let attempts = Mutex(0)

    init(failures: Int, status: Int) {
        self.failures = Mutex(failures)
        self.status = status
    }

    func send(method: String, url: URL, headers: [String: String], body: [UInt8]?) async throws -> (status: Int, body: [UInt8]) {
        if url.path.hasSuffix("/sync") {
            attempts.withLock { $0 += 1 }
            let fail = failures.withLock { left in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            if fail {
                if status == 0 { throw ClientError.transport("simulated: connection refused") }
                return (status, Array(#"{"errcode":"M_UNKNOWN","error":"simulated"}"#.utf8))
            }
        }
        return try await inner.send(method: method, url: url, headers: headers, body: body)
    }
}

@Suite("KeyMeshClient: the sync loop")
struct ClientSyncLoopTests {
    @Test("retries passing failures with back-off, hands over messages, acknowledges them after the handler")
    func backoff() async throws {
        try await LiveServer.run { url in
            for status in [0, 502, 429] {
                let flaky = FlakyTransport(failures: 3, status: status)
                let bob = try KeyMeshClient(homeserver: url, transport: flaky)
                let bobSession = try await bob.register(username: "bob\(status)", password: "pw")
                try await bob.publishKeys()
                let alice = try KeyMeshClient(homeserver: url)
                _ = try await alice.register(username: "alice\(status)", password: "pw")
                try await alice.send(to: bobSession.userID, type: "m.test", content: ["status": .int(Int64(status))])

                let got = Mutex<[JSONObject]>([])
                let loop = Task {
                    try await bob.syncLoop(timeout: .milliseconds(200), backoff: .init(initial: .milliseconds(10), maximum: .milliseconds(40))) { batch in
                        got.withLock { $0 += batch.map(\.content) }
                    }
                }
                for _ in 0..<100 where got.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(50)) }
                loop.cancel()
                _ = await loop.result
                #expect(got.withLock { $0 } == [["status": .int(Int64(status))]], "status \(status)")
                #expect(flaky.attempts.withLock { $0 } >= 4)  // three failures, then success
                #expect(await bob.state.inbox.isEmpty)  // acknowledged after the handler
            }
        }
    }

    @Test("a revoked token ends the loop with the error")
    func revoked() async throws {
        try await LiveServer.run { url in
            let bob = try KeyMeshClient(homeserver: url, transport: FlakyTransport(failures: 1, status: 401))
            _ = try await bob.register(username: "bob", password: "pw")
            await #expect(throws: ClientError.self) {
                try await bob.syncLoop(timeout: .milliseconds(100), backoff: .init(initial: .milliseconds(10))) { _ in }
            }
        }
    }
}
