// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshClient
import KeyMeshCrypto
import Testing

/// The README's SDK lines ("A device in a few lines"), kept compiling and true.
@Suite("README: the client SDK example")
struct ReadmeClientExampleTests {
    @Test("the README's SDK lines register, publish, send and receive")
    func readme() async throws {
        let profile = try TemporaryProfile()
        defer { profile.remove() }
        try await LiveServer.run { server in
            let bob = try KeyMeshClient(homeserver: server)
            try await bob.register(username: "bob", password: "pw-b")
            try await bob.publishKeys()
            let storeKey = SealingKey()
            var printed: [String] = []
            func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }

            // --- README ---
            let store = try ClientStore(.sqlite(path: profile.path), key: storeKey)
            let alice = try KeyMeshClient(homeserver: server, store: store)
            try await alice.register(username: "alice", password: "correct horse")
            try await alice.publishKeys()
            try await alice.send(to: "@bob:localhost", type: "m.text", content: ["body": "hi bob"])
            // --- (bob answers) ---
            try await bob.send(to: "@alice:localhost", type: "m.text", content: ["body": "hi alice"])
            // --- README ---
            for message in try await alice.sync(timeout: .seconds(30)) {
                print(message.sender.userID, message.content)
            }
            #expect(printed.count == 1)
            #expect(printed.first?.hasPrefix("@bob:localhost") == true)
            #expect(try await ClientConversationTests.receive(bob, count: 1).map(\.content) == [["body": "hi bob"]])
        }
    }
}
