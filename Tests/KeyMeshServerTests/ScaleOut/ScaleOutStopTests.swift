// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

extension ScaleOutTests {
    /// A rolling restart behind the proxy (docs/DEPLOY.md) stops one instance with SIGTERM: it
    /// finishes what is in flight and exits, and the others keep serving.
    @Suite("Graceful stop of one instance")
    struct Stop {
        @Test("SIGTERM stops instance B within 10 s with a long-poll in flight; A and C keep serving", .timeLimit(.minutes(3)))
        func sigtermStopsOneInstance() async throws {
            try await ScaleOutCluster.run { cluster in
                let ports = cluster.ports
                let user = try await ScaleOutHTTP.register(port: ports[1], "stopping")
                let since = try #require(try await ScaleOutHTTP.sync(port: ports[1], user).nextBatch)
                async let poll = try? ScaleOutHTTP.request(port: ports[1], "GET", "sync?since=\(since)&timeout=3000", token: user.token)
                try await Task.sleep(for: .milliseconds(300))
                let started = ContinuousClock.now
                let exited = await cluster.terminate(1, grace: .seconds(10))
                #expect(exited, "instance B still ran 10 s after SIGTERM (killed). \(cluster.logTail(1))")
                ScaleOutCluster.logger.notice("scale-out SIGTERM of B: \(exited ? "exited" : "killed") after \(ContinuousClock.now - started)")
                let answer = await poll
                #expect(answer == nil || answer?.status == 200, "the long-poll in flight: \(String(describing: answer?.status))")
                for survivor in [0, 2] {
                    let reply = try await ScaleOutHTTP.request(port: ports[survivor], "GET", "account/whoami", token: user.token)
                    #expect(reply.status == 200 && reply.body["user_id"]?.stringValue == user.userID, "instance \(survivor): \(reply.body)")
                }
            }
        }
    }
}
