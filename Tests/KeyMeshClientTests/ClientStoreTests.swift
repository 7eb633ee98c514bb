// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshClient

/// A profile folder for one test, removed afterwards.
struct TemporaryProfile {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-profile-\(UUID().uuidString)").path
    let key = SealingKey()
    var path: String { folder + "/store.sqlite" }

    init() throws { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }

    func open(_ url: URL, policy: TrustPolicy = .selfSigned) throws -> KeyMeshClient {
        try KeyMeshClient(homeserver: url, store: ClientStore(.sqlite(path: path), key: key), trustPolicy: policy)
    }

    /// alice (in memory) and bob (on this profile), both registered, bob's keys published. bob's
    /// client is closed again: tests open it with ``open(_:policy:)`` and can drop it (a kill).
    func registerAliceAndBob(_ url: URL) async throws -> (alice: KeyMeshClient, aliceSession: KeyMeshClient.Session,
                                                           bobSession: KeyMeshClient.Session) {
        let alice = try KeyMeshClient(homeserver: url)
        let aliceSession = try await alice.register(username: "alice", password: "pw-a")
        let bob = try open(url)
        let bobSession = try await bob.register(username: "bob", password: "pw-b")
        try await bob.publishKeys()
        return (alice, aliceSession, bobSession)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

@Suite("KeyMeshClient: the sealed local store")
struct ClientStoreTests {
    @Test("a client restarted mid-conversation keeps its device, sessions and sync token, and the conversation goes on")
    func restart() async throws {
        let profile = try TemporaryProfile()
        defer { profile.remove() }
        try await LiveServer.run { url in
            let (alice, aliceSession, bobSession) = try await profile.registerAliceAndBob(url)
            var bob: KeyMeshClient? = try profile.open(url)
            for n in 0..<5 {
                try await alice.send(to: bobSession.userID, type: "m.test", content: ["n": .int(Int64(n))])
            }
            let handled = try await ClientConversationTests.receive(#require(bob), count: 5)
            #expect(handled.count == 5)
            try await #require(bob).acknowledge(handled)  // the app handled them
            try await #require(bob).send(to: aliceSession.userID, type: "m.test", content: ["before": true])
            bob = nil  // the process ends: the lock is released with the store

            let reopened = try profile.open(url)
            #expect(await reopened.session == bobSession)
            #expect(try await reopened.identity().curve25519 == alice.devices(of: bobSession.userID).first?.curve25519)
            let sessionsBefore = await reopened.state.olmSessions.values.map(\.count).reduce(0, +)
            for n in 5..<10 {
                try await alice.send(to: bobSession.userID, type: "m.test", content: ["n": .int(Int64(n))])
                try await reopened.send(to: aliceSession.userID, type: "m.test", content: ["n": .int(Int64(n))])
            }
            // no old message comes back, every new one arrives, over the sessions from before the restart
            let toBob = try await ClientConversationTests.receive(reopened, count: 5)
            #expect(toBob.compactMap { $0.content["n"]?.intValue } == [5, 6, 7, 8, 9])
            #expect(await reopened.state.olmSessions.values.map(\.count).reduce(0, +) == sessionsBefore)
            let toAlice = try await ClientConversationTests.receive(alice, count: 6)
            #expect(toAlice.map(\.content) == [["before": true]] + (5..<10).map { ["n": .int(Int64($0))] })
        }
    }

    @Test("messages stay in the inbox until acknowledged, and a restart returns them again")
    func inbox() async throws {
        let profile = try TemporaryProfile()
        defer { profile.remove() }
        try await LiveServer.run { url in
            let (alice, _, bobSession) = try await profile.registerAliceAndBob(url)
            var bob: KeyMeshClient? = try profile.open(url)
            try await alice.send(to: bobSession.userID, type: "m.test", content: ["n": 1])
            try await alice.send(to: bobSession.userID, type: "m.test", content: ["n": 2])
            #expect(try await ClientConversationTests.receive(#require(bob), count: 2).count == 2)
            bob = nil  // killed before handling them: nothing was acknowledged

            var again: KeyMeshClient? = try profile.open(url)
            #expect(try await #require(again).sync().map(\.content) == [["n": 1], ["n": 2]])
            again = nil  // killed again before acknowledging
            again = try profile.open(url)
            let redelivered = try await #require(again).sync()
            #expect(redelivered.map(\.content) == [["n": 1], ["n": 2]])
            try await #require(again).acknowledge([redelivered[0]])
            again = nil
            let last = try profile.open(url)
            #expect(try await last.sync().map(\.content) == [["n": 2]])
            #expect(try await last.sync().isEmpty)  // the previous sync's delivery is acknowledged by this one
        }
    }

    @Test("one process at a time: a second open is refused; a wrong key opens nothing")
    func lockAndKey() async throws {
        let profile = try TemporaryProfile()
        defer { profile.remove() }
        var first: ClientStore? = try ClientStore(.sqlite(path: profile.path), key: profile.key)
        _ = try KeyMeshClient(homeserver: try #require(URL(string: "http://127.0.0.1:1")), store: first)
        #expect(throws: ClientError.storeLocked) { try ClientStore(.sqlite(path: profile.path), key: profile.key) }
        first = nil
        let wrong = try ClientStore(.sqlite(path: profile.path), key: SealingKey())
        #expect(throws: ClientError.wrongStoreKey) {
            try KeyMeshClient(homeserver: try #require(URL(string: "http://127.0.0.1:1")), store: wrong)
        }
    }

    @Test("no secret reaches the database file in the clear")
    func sealed() async throws {
        let profile = try TemporaryProfile()
        defer { profile.remove() }
        try await LiveServer.run { url in
            let (alice, _, bobSession) = try await profile.registerAliceAndBob(url)
            let bob = try profile.open(url)
            try await bob.bootstrapCrossSigning(password: "pw-b")
            try await alice.send(to: bobSession.userID, type: "m.test", content: ["body": "plaintext-marker-7f3a"])
            #expect(try await ClientConversationTests.receive(bob, count: 1).count == 1)
            let master = try #require(await bob.state.crossSigning).master.unsafeExportSecret().unsafeExportSecret()
            let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: profile.path)))
            for (name, needle) in [("access token", Array(bobSession.accessToken.utf8)), ("plaintext", Array("plaintext-marker-7f3a".utf8)),
                                   ("master key seed", master), ("master key seed (base64)", Array(Base64.encode(master).utf8))] {
                #expect(!Self.contains(file, needle), "\(name) found in the store file")
            }
            // the scan works: public data (alice's device keys, stored in the clear) is found
            #expect(Self.contains(file, Array("@alice:localhost".utf8)))
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
