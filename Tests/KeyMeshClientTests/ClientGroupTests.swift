// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshClient

@Suite("KeyMeshClient: three users, hundreds of messages, devices coming and going")
struct ClientGroupTests {
    /// Every message `count` rounds of `senders` sent to `recipient`, by (sender, round).
    static func drain(_ client: KeyMeshClient, expecting count: Int) async throws -> [String] {
        var seen: [String] = []
        for _ in 0..<40 where seen.count < count {
            seen += try await client.sync(timeout: .milliseconds(300)).compactMap {
                guard let round = $0.content["round"]?.intValue else { return nil }
                return "\($0.sender.userID)#\(round)"
            }
        }
        return seen
    }

    @Test("alice, bob and carol each send to the other two for 60 rounds; bob adds a device and carol replaces hers midway")
    func group() async throws {
        try await LiveServer.run { url in
            var clients: [String: KeyMeshClient] = [:]
            for name in ["alice", "bob", "carol"] {
                let client = try KeyMeshClient(homeserver: url)
                _ = try await client.register(username: name, password: "pw-\(name)")
                try await client.publishKeys()
                clients["@\(name):localhost"] = client
            }
            var received: [ObjectIdentifier: [String]] = [:]
            var expected: [ObjectIdentifier: [String]] = [:]
            func round(_ n: Int) async throws {
                for (user, client) in clients.sorted(by: { $0.key < $1.key }) {
                    for (other, _) in clients where other != user {
                        let reached = try await client.send(to: other, type: "m.test", content: ["round": .int(Int64(n))])
                        #expect(!reached.isEmpty)
                    }
                }
                for (user, client) in clients {
                    let from = clients.keys.filter { $0 != user }.map { "\($0)#\(n)" }
                    expected[ObjectIdentifier(client), default: []] += from
                    received[ObjectIdentifier(client), default: []] += try await Self.drain(client, expecting: from.count)
                }
            }
            for n in 0..<30 { try await round(n) }

            // bob adds a second device; carol logs out and comes back as a new device
            let bob2 = try KeyMeshClient(homeserver: url)
            _ = try await bob2.login(username: "bob", password: "pw-bob")
            try await bob2.publishKeys()
            let carol = try #require(clients["@carol:localhost"])
            try await carol.logout()
            _ = try await carol.login(username: "carol", password: "pw-carol")
            try await carol.publishKeys()
            for client in clients.values { _ = try await client.sync() }  // device_lists reach everyone

            var bob2Expected: [String] = []
            var bob2Received: [String] = []
            for n in 30..<60 {
                try await round(n)
                let from = ["@alice:localhost#\(n)", "@carol:localhost#\(n)"]
                bob2Expected += from
                bob2Received += try await Self.drain(bob2, expecting: from.count)
            }
            for (id, messages) in expected {
                #expect(Set(received[id] ?? []) == Set(messages))
                #expect((received[id] ?? []).count == messages.count)  // none twice
            }
            #expect(Set(bob2Received) == Set(bob2Expected))
            #expect(bob2Received.count == 60)
            let total = received.values.map(\.count).reduce(0, +) + bob2Received.count
            #expect(total == 3 * 2 * 60 + 60)
        }
    }
}
