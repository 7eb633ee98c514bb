// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshClient

@Suite("KeyMeshClient: repairing a wedged session")
struct ClientRecoveryTests {
    @Test("a recipient that lost its session opens a new one with m.dummy, once per hour, and the next message gets through")
    func unwedge() async throws {
        let profile = try TemporaryProfile()
        defer { profile.remove() }
        try await LiveServer.run { url in
            let (alice, aliceSession, bobSession) = try await profile.registerAliceAndBob(url)
            var bob: KeyMeshClient? = try profile.open(url)
            _ = try await #require(bob).sync()
            // a backup of bob's store from before any session with alice
            let backup = profile.path + ".backup"
            try FileManager.default.copyItem(atPath: profile.path, toPath: backup)

            try await alice.send(to: bobSession.userID, type: "m.test", content: ["n": 1])
            try await #require(bob).send(to: aliceSession.userID, type: "m.test", content: ["reply": true])
            #expect(try await ClientConversationTests.receive(#require(bob), count: 1).count == 1)
            #expect(try await ClientConversationTests.receive(alice, count: 1).count == 1)
            _ = try await #require(bob).sync()  // acknowledges alice's first message on the server
            let aliceSessionsBefore = await alice.state.olmSessions.values.map(\.count).reduce(0, +)

            // bob is restored from the backup: his session with alice is gone
            bob = nil
            try FileManager.default.removeItem(atPath: profile.path)
            try FileManager.default.moveItem(atPath: backup, toPath: profile.path)
            let restored = try profile.open(url)
            try await alice.send(to: bobSession.userID, type: "m.test", content: ["n": 2])  // a normal message bob cannot read
            #expect(try await restored.sync(timeout: .milliseconds(500)).isEmpty)
            #expect(await restored.state.recoveries.count == 1)

            // alice receives the m.dummy (not shown to the app) over a new session and uses it next
            #expect(try await alice.sync(timeout: .milliseconds(500)).isEmpty)
            #expect(await alice.state.olmSessions.values.map(\.count).reduce(0, +) == aliceSessionsBefore + 1)
            try await alice.send(to: bobSession.userID, type: "m.test", content: ["n": 3])
            #expect(try await ClientConversationTests.receive(restored, count: 1).map(\.content) == [["n": 3]])

            // a second undecryptable message within the hour claims no key and sends nothing
            let sessionsNow = await restored.state.olmSessions.values.map(\.count).reduce(0, +)
            try await restored.recover(sender: aliceSession.userID, key: alice.identity().curve25519)
            #expect(await restored.state.olmSessions.values.map(\.count).reduce(0, +) == sessionsNow)
        }
    }
}
