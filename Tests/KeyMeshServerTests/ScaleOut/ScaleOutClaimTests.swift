// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

extension ScaleOutTests {
    /// Atomic claims across processes (docs/STORE.md "PostgreSQL"): many clients claim one
    /// device's keys at once through three instances, each its own pool of connections.
    @Suite("Claims through three instances")
    struct Claims {
        static let keys = 300
        static let claimers = 30

        /// One key handed out: through which instance, its id and public key, whether it is the
        /// fallback key.
        struct Claim: Sendable {
            let instance: Int
            let id: String
            let key: String
            let fallback: Bool
        }

        @Test("30 clients claim 300 one-time keys through A, B and C at once: each handed out once, none lost, then the fallback key",
              .timeLimit(.minutes(5)))
        func claimsThroughAllThree() async throws {
            try await ScaleOutCluster.run { cluster in
                let ports = cluster.ports
                let owner = try await ScaleOutHTTP.register(port: ports[0], "owner")
                let published = try await ScaleOutHTTP.uploadKeys(port: ports[0], owner, oneTimeKeys: Self.keys, fallback: true)
                try #require(published.oneTime.count == Self.keys && published.fallback.count == 1)
                let fallbackID = try #require(published.fallback.keys.first)
                var claimers: [TestUser] = []
                for n in 0..<Self.claimers {
                    claimers.append(try await ScaleOutHTTP.register(port: ports[n % ports.count], "claimer\(n)"))
                }
                let started = ContinuousClock.now
                let claims = try await withThrowingTaskGroup(of: [Claim].self) { group in
                    for (n, claimer) in claimers.enumerated() {
                        group.addTask { try await Self.claimUntilFallback(by: claimer, of: owner, ports: ports, first: n) }
                    }
                    return try await group.reduce(into: [Claim]()) { $0 += $1 }
                }
                let elapsed = ContinuousClock.now - started

                let oneTime = claims.filter { !$0.fallback }
                let ids = oneTime.map(\.id)
                #expect(ids.count == Self.keys, "\(ids.count) one-time keys handed out for \(Self.keys) uploaded")
                #expect(Set(ids).count == ids.count, "\(ids.count - Set(ids).count) one-time keys handed out twice")
                #expect(Set(ids) == Set(published.oneTime.keys),
                        "lost: \(Set(published.oneTime.keys).subtracting(ids).sorted().prefix(5)), invented: \(Set(ids).subtracting(published.oneTime.keys).sorted().prefix(5))")
                let wrong = oneTime.filter { published.oneTime[$0.id] != $0.key }
                #expect(wrong.isEmpty, "\(wrong.count) claimed keys differ from the uploaded ones")
                for instance in ports.indices {
                    #expect(oneTime.contains { $0.instance == instance }, "no one-time key was claimed through instance \(instance)")
                }
                // every claimer stopped at its first fallback key: the same key each time
                let fallbacks = claims.filter(\.fallback)
                #expect(fallbacks.count == Self.claimers)
                #expect(fallbacks.allSatisfy { $0.id == fallbackID && $0.key == published.fallback[fallbackID] })

                // exhausted: each instance now hands out the fallback key, and only it
                for port in ports {
                    let claim = try await Self.claim(by: claimers[0], of: owner, port: port, instance: 0)
                    #expect(claim?.id == fallbackID && claim?.fallback == true, "after exhaustion: \(String(describing: claim))")
                }
                let sync = try await ScaleOutHTTP.sync(port: ports[1], owner)
                #expect(sync.signedCurveCount == 0)
                #expect(sync.body["device_unused_fallback_key_types"] == [])
                // a device without keys gets nothing, through any instance
                let nobody = try await ScaleOutHTTP.request(port: ports[2], "POST", "keys/claim", token: owner.token, json: [
                    "one_time_keys": [claimers[1].userID: [claimers[1].deviceID: "signed_curve25519"]],
                ])
                #expect(nobody.status == 200 && nobody.body["one_time_keys"] == [:], "\(nobody.body)")

                let perInstance = ports.indices.map { index in claims.filter { $0.instance == index }.count }
                ScaleOutCluster.logger.notice("""
                    scale-out claims: \(claims.count) claims (\(oneTime.count) one-time, \(fallbacks.count) fallback) by \
                    \(Self.claimers) clients in \(elapsed), per instance \(perInstance)
                    """)
            }
        }

        /// Claims `owner`'s device through the instances in turn, starting at `first`, until the
        /// fallback key comes back.
        static func claimUntilFallback(by claimer: TestUser, of owner: TestUser, ports: [Int], first: Int) async throws -> [Claim] {
            var claims: [Claim] = []
            for round in 0..<(keys + 10) {
                let instance = (first + round) % ports.count
                let claim = try #require(try await claim(by: claimer, of: owner, port: ports[instance], instance: instance),
                                         "a claim through instance \(instance) returned no key")
                claims.append(claim)
                if claim.fallback { return claims }
            }
            Issue.record("\(claimer.userID) never got the fallback key")
            return claims
        }

        /// One claim of one `signed_curve25519` key; nil when none was handed out.
        static func claim(by claimer: TestUser, of owner: TestUser, port: Int, instance: Int) async throws -> Claim? {
            let reply = try await ScaleOutHTTP.request(port: port, "POST", "keys/claim", token: claimer.token, json: [
                "one_time_keys": [owner.userID: [owner.deviceID: "signed_curve25519"]],
            ])
            try #require(reply.status == 200, "claim through instance \(instance): \(reply.status) \(reply.body)")
            #expect(reply.body["failures"] == [:])
            let keys = reply.body["one_time_keys"]?.objectValue?[owner.userID]?.objectValue?[owner.deviceID]?.objectValue
            guard let entry = keys?.firstEntry, keys?.count == 1, let object = entry.value.objectValue else { return nil }
            return Claim(instance: instance, id: entry.key, key: object["key"]?.stringValue ?? "",
                         fallback: object["fallback"] == true)
        }
    }
}
