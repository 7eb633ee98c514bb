// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import HummingbirdTesting
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm
import KeyMeshStoreSQLite
import Testing

@testable import KeyMeshClient
@testable import KeyMeshServer

/// `KeyMeshClient`s talking through an in-process `keymesh serve` on a real socket.
enum LiveServer {
    static func run(_ body: @Sendable (URL) async throws -> Void) async throws {
        var config = ServerConfig()
        config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-client-\(UUID().uuidString)").path
        config.passwordStrength = .minimum
        config.claimRate = 0
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
        let store = try SQLiteStore(path: config.databasePath)
        let app = Application(router: buildRouter(state: ServerState(config: config, store: store)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body(try #require(URL(string: "http://127.0.0.1:\(port)")))
        }
    }
}

@Suite("KeyMeshClient: two devices talking end to end")
struct ClientConversationTests {
    /// Syncs until `count` messages arrived (or 20 tries).
    static func receive(_ client: KeyMeshClient, count: Int) async throws -> [ReceivedMessage] {
        var all: [ReceivedMessage] = []
        for _ in 0..<20 where all.count < count {
            all += try await client.sync(timeout: .milliseconds(500))
        }
        return all
    }

    /// Two registered clients with published keys.
    static func aliceAndBob(_ url: URL) async throws -> (KeyMeshClient, KeyMeshClient.Session, KeyMeshClient, KeyMeshClient.Session) {
        let alice = try KeyMeshClient(homeserver: url)
        let bob = try KeyMeshClient(homeserver: url)
        let aliceSession = try await alice.register(username: "alice", password: "pw-a")
        let bobSession = try await bob.register(username: "bob", password: "pw-b")
        try await alice.publishKeys()
        try await bob.publishKeys()
        return (alice, aliceSession, bob, bobSession)
    }

    /// A `/keys/claim` body for one `signed_curve25519` key of the session's device.
    static func claimBody(_ session: KeyMeshClient.Session) -> JSONObject {
        var perDevice = JSONObject()
        perDevice[session.deviceID] = "signed_curve25519"
        var request = JSONObject()
        request[session.userID] = .object(perDevice)
        return ["one_time_keys": .object(request)]
    }

    @Test("register, publish keys, send both ways over Olm")
    func conversation() async throws {
        try await LiveServer.run { url in
            let (alice, aliceSession, bob, bobSession) = try await Self.aliceAndBob(url)
            _ = try await alice.sync()
            _ = try await bob.sync()

            let reached = try await alice.send(to: bobSession.userID, type: "org.keymesh.text", content: ["body": "hello bob"])
            #expect(reached.map(\.deviceID) == [bobSession.deviceID])
            let first = try await Self.receive(bob, count: 1)
            #expect(first.map(\.content) == [["body": "hello bob"]])
            #expect(first.first?.sender.userID == aliceSession.userID)
            #expect(first.first?.sender.deviceID == aliceSession.deviceID)
            #expect(first.first?.type == "org.keymesh.text")

            // bob answers over the session alice opened (no claim), then a long exchange
            for n in 0..<30 {
                try await bob.send(to: aliceSession.userID, type: "org.keymesh.text", content: ["n": .int(Int64(n))])
                try await alice.send(to: bobSession.userID, type: "org.keymesh.text", content: ["n": .int(Int64(n))])
            }
            let toAlice = try await Self.receive(alice, count: 30)
            let toBob = try await Self.receive(bob, count: 30)
            #expect(toAlice.compactMap { $0.content["n"]?.intValue } == (0..<30).map(Int64.init))
            #expect(toBob.compactMap { $0.content["n"]?.intValue } == (0..<30).map(Int64.init))
        }
    }

    @Test("a new device of the recipient is found through device_lists and reached")
    func newDeviceAndFallback() async throws {
        try await LiveServer.run { url in
            let alice = try KeyMeshClient(homeserver: url)
            let bob1 = try KeyMeshClient(homeserver: url)
            let bobSession = try await bob1.register(username: "bob", password: "pw-b")
            _ = try await alice.register(username: "alice", password: "pw-a")
            try await bob1.publishKeys()
            _ = try await alice.sync()
            #expect(try await alice.devices(of: bobSession.userID).count == 1)

            let bob2 = try KeyMeshClient(homeserver: url)
            _ = try await bob2.login(username: "bob", password: "pw-b")
            try await bob2.publishKeys()
            _ = try await alice.sync()  // device_lists.changed marks bob outdated
            let reached = try await alice.send(to: bobSession.userID, type: "m.test", content: ["x": 1])
            #expect(reached.count == 2)
            #expect(try await Self.receive(bob2, count: 1).count == 1)
            #expect(try await Self.receive(bob1, count: 1).count == 1)
        }
    }

    @Test("with every one-time key claimed, a session opens on the fallback key, and the recipient replaces it on its next sync")
    func exhaustion() async throws {
        try await LiveServer.run { url in
            let alice = try KeyMeshClient(homeserver: url)
            let bob = try KeyMeshClient(homeserver: url)
            let thief = try KeyMeshClient(homeserver: url)
            _ = try await alice.register(username: "alice", password: "pw-a")
            let bobSession = try await bob.register(username: "bob", password: "pw-b")
            let thiefSession = try await thief.register(username: "thief", password: "pw-t")
            _ = try await bob.sync()  // the first sync publishes the keys
            let connection = HomeserverConnection(baseURL: url, transport: URLSessionTransport())
            for _ in 0..<KeyMeshClient.oneTimeKeyTarget {
                _ = try await connection.call("POST", "keys/claim", token: thiefSession.accessToken, body: Self.claimBody(bobSession))
            }
            #expect(try await alice.send(to: bobSession.userID, type: "m.test", content: ["via": "fallback"]).count == 1)
            let received = try await Self.receive(bob, count: 1)
            #expect(received.map(\.content) == [["via": "fallback"]])
            // bob's sync saw the fallback key used and the keys gone: it uploaded both again
            let after = try await connection.call("GET", "sync", token: bobSession.accessToken)
            #expect(after["device_unused_fallback_key_types"] == ["signed_curve25519"])
            #expect(after["device_one_time_keys_count"]?.objectValue?["signed_curve25519"] == .int(Int64(KeyMeshClient.oneTimeKeyTarget)))
        }
    }

    @Test("forged plaintexts are refused: wrong sender, wrong recipient, wrong recipient key, wrong sender key")
    func forgeries() async throws {
        try await LiveServer.run { url in
            let (alice, aliceSession, bob, bobSession) = try await Self.aliceAndBob(url)
            let aliceMe = try await alice.identity()
            let bobMe = try await bob.identity()
            // alice opens a session on one of bob's keys by hand, to craft plaintexts
            let claim = try await HomeserverConnection(baseURL: url, transport: URLSessionTransport())
                .call("POST", "keys/claim", token: aliceSession.accessToken, body: Self.claimBody(bobSession))
            let keyObject = try #require(claim["one_time_keys"]?.objectValue?[bobSession.userID]?.objectValue?[bobSession.deviceID]?.objectValue)
            var entry = keyObject.makeIterator()
            let oneTimeKey = try Curve25519PublicKey(base64: try #require(entry.next()?.value.objectValue?["key"]?.stringValue))
            var olm = try await alice.account.outboundSession(identityKey: bobMe.curve25519, oneTimeKey: oneTimeKey)
            func event(_ plaintext: JSONObject) throws -> JSONObject {
                let message = try olm.encrypt(try CanonicalJSON.encode(.object(plaintext)))
                return OlmEnvelope.content(message, senderKey: aliceMe.curve25519, recipient: bobMe)
            }
            let good: JSONObject = ["type": "m.test", "content": ["ok": true], "sender": .string(aliceSession.userID),
                                    "recipient": .string(bobSession.userID), "recipient_keys": ["ed25519": .string(bobMe.ed25519.base64)],
                                    "keys": ["ed25519": .string(aliceMe.ed25519.base64)]]
            var wrongSender = good; wrongSender["sender"] = "@mallory:localhost"
            var wrongRecipient = good; wrongRecipient["recipient"] = "@carol:localhost"
            var wrongRecipientKey = good; wrongRecipientKey["recipient_keys"] = ["ed25519": .string(Ed25519SecretKey().publicKey.base64)]
            var wrongSenderKey = good; wrongSenderKey["keys"] = ["ed25519": .string(Ed25519SecretKey().publicKey.base64)]
            for (name, plaintext) in [("sender", wrongSender), ("recipient", wrongRecipient),
                                      ("recipient_keys", wrongRecipientKey), ("keys", wrongSenderKey)] {
                let content = try event(plaintext)
                do {
                    _ = try await bob.decrypt(content, sender: aliceSession.userID)
                    Issue.record("forged \(name) accepted")
                } catch let rejection as OlmEnvelope.Rejection {
                    guard case .plaintextMismatch = rejection else { Issue.record("\(name): \(rejection)"); continue }
                }
            }
            // the genuine one still decrypts; claimed by another sender it is refused
            let genuine = try event(good)
            let message = try await bob.decrypt(genuine, sender: aliceSession.userID)
            #expect(message.content == ["ok": true])
            do {
                _ = try await bob.decrypt(try event(good), sender: "@mallory:localhost")
                Issue.record("an event re-attributed to another sender was accepted")
            } catch {}
        }
    }
}
