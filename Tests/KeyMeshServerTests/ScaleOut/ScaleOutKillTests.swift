// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

extension ScaleOutTests {
    /// SIGKILL of one of three instances in the middle of uploads, claims, to-device sends and
    /// syncs through all three (docs/DEPLOY.md): the other two keep answering, every
    /// acknowledged write survives, no one-time key is handed out twice, and every acknowledged
    /// message is delivered exactly once through a surviving instance.
    @Suite("SIGKILL of one instance under load")
    struct Kill {
        static let clients = 10

        @Test("10 clients on A, B and C; B gets SIGKILL mid-load: A and C keep serving, nothing acknowledged is lost or repeated",
              .timeLimit(.minutes(5)))
        func killOneInstanceUnderLoad() async throws {
            try await ScaleOutCluster.run { cluster in
                let ports = cluster.ports
                let victim = 1
                let route = ScaleOutRoute(ports: ports)
                let ledger = LoadLedger(port: ports[0])  // its port is unused: the route picks instances
                var users: [TestUser] = []
                for n in 0..<Self.clients {
                    let user = try await ScaleOutHTTP.register(port: ports[n % ports.count], "load\(n)")
                    try await ScaleOutHTTP.uploadKeys(port: ports[n % ports.count], user)  // device keys first
                    users.append(user)
                }
                let load = users.enumerated().map {
                    ScaleOutLoadClient(index: $0.offset, user: $0.element, peers: users, ledger: ledger, route: route)
                }

                let sinces = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                    for client in load { group.addTask { (client.index, try await client.run()) } }
                    try await Task.sleep(for: .seconds(4))
                    await cluster.kill9(victim)
                    await route.killed(victim)
                    try await Task.sleep(for: .seconds(5))
                    await ledger.stop()
                    return try await group.reduce(into: [Int: String?]()) { $0[$1.0] = $1.1 }
                }

                // every device reads its queue to the end through the survivors, then every key left is claimed
                for client in load { try await client.drainMessages(from: sinces[client.index] ?? nil) }
                for client in load { try await client.drainKeys(of: load) }
                // the device keys uploaded before the kill are all still published, through both survivors
                var asked = JSONObject()
                for user in users { asked[user.userID] = [] }
                for survivor in ports.indices where survivor != victim {
                    let query = try await ScaleOutHTTP.request(port: ports[survivor], "POST", "keys/query", token: users[0].token,
                                                               json: ["device_keys": .object(asked)])
                    for user in users {
                        let keys = query.body["device_keys"]?.objectValue?[user.userID]?.objectValue?[user.deviceID]?.objectValue?["keys"]?.objectValue
                        #expect(keys?["ed25519:\(user.deviceID)"]?.stringValue == user.account.ed25519Key.base64,
                                "\(user.userID) lost its device keys (instance \(survivor))")
                    }
                }

                let counts = await ledger.counts
                let (answered, errors, unanswered, afterKill) = await (route.answered, route.serverErrors, route.unanswered,
                                                                       route.answeredAfterKill)
                let summary = """
                    \(counts.uploads) uploads, \(counts.claims) keys claimed, \(counts.sends) sends acknowledged; \
                    answered per instance \(answered) (after the kill \(afterKill)), 5xx \(errors), unanswered \(unanswered)
                    """
                ScaleOutCluster.logger.notice("scale-out kill -9: \(summary)")
                #expect(counts.uploads > 0 && counts.claims > 0 && counts.sends > 0, "\(summary)")
                #expect(unanswered[victim] > 0, "no request was cut by the kill: it did not land mid-load. \(summary)")
                for survivor in ports.indices where survivor != victim {
                    #expect(unanswered[survivor] == 0, "instance \(survivor) stopped answering. \(summary)\n\(cluster.logTail(survivor))")
                    #expect(errors[survivor] == 0, "instance \(survivor) answered 5xx. \(summary)\n\(cluster.logTail(survivor))")
                    #expect(afterKill[survivor] > 50, "instance \(survivor) served little after the kill. \(summary)")
                }
                let problems = await ledger.violations()
                #expect(problems.isEmpty, "\(problems.count) violations:\n\(problems.prefix(20).joined(separator: "\n"))")
            }
        }
    }
}
