// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KeyMeshClient
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// `KeyMeshClient` features proven through a real Synapse (`SynapseProcess`, docs/TESTING.md,
/// "Synapse"): a spec-compliant server none of us wrote. Each test starts its own Synapse; a
/// missing matrix-synapse fails the test with the setup command to run.
@Suite("Through Synapse: KeyMeshClient against a real Synapse homeserver")
struct SynapseSmokeTests {
    static func client(_ synapse: SynapseProcess, policy: TrustPolicy = .selfSigned) throws -> KeyMeshClient {
        try KeyMeshClient(homeserver: synapse.baseURL, store: try ClientStore(.memory, key: SealingKey()), trustPolicy: policy)
    }

    /// Syncs until `count` messages arrived (or 20 tries).
    static func receive(_ client: KeyMeshClient, count: Int) async throws -> [ReceivedMessage] {
        var all: [ReceivedMessage] = []
        for _ in 0..<20 where all.count < count {
            all += try await client.sync(timeout: .milliseconds(500))
        }
        return all
    }

    @Test("register (dummy auth stage), publish keys, cross-sign, and an Olm to-device message delivered with its exact content")
    func registerCrossSignAndSend() async throws {
        try await SynapseProcess.run { synapse in
            let alice = try Self.client(synapse)
            let bob = try Self.client(synapse, policy: .crossSigned)
            let aliceSession = try await alice.register(username: "alice", password: "alice-password-1")
            let bobSession = try await bob.register(username: "bob", password: "bob-password-1")
            #expect(aliceSession.userID == synapse.userID("alice"))
            #expect(bobSession.userID == "@bob:\(synapse.serverName)")
            #expect(aliceSession.deviceID != bobSession.deviceID)
            // Synapse refuses a taken name with the spec's errcode
            do {
                _ = try await Self.client(synapse).register(username: "alice", password: "another-password")
                Issue.record("a second registration of alice was accepted")
            } catch ClientError.server(let status, let errcode, _) {
                #expect(status == 400)
                #expect(errcode == "M_USER_IN_USE")
            }

            try await alice.publishKeys()
            try await bob.publishKeys()
            try await alice.bootstrapCrossSigning(password: "alice-password-1")
            let master = try #require(await alice.ownMasterKey)
            #expect(try await bob.masterKey(of: aliceSession.userID) == master)
            #expect(try await alice.masterKey(of: bobSession.userID) == nil)  // bob has no cross-signing keys

            // bob sends only to cross-signed devices: alice's is one only if Synapse kept the
            // self-signing key's signature on her device keys
            let reached = try await bob.send(to: aliceSession.userID, type: "org.keymesh.text",
                                             content: ["body": "hello alice", "n": 7, "nested": ["ok": true]])
            #expect(reached.map(\.deviceID) == [aliceSession.deviceID])
            let received = try await Self.receive(alice, count: 1)
            #expect(received.map(\.content) == [["body": "hello alice", "n": 7, "nested": ["ok": true]]])
            #expect(received.first?.type == "org.keymesh.text")
            #expect(received.first?.sender.userID == bobSession.userID)
            #expect(received.first?.sender.deviceID == bobSession.deviceID)
            #expect(try await bob.sync(timeout: .seconds(1)).isEmpty)  // nothing was sent to bob
            // the negative of the cross-signed check: bob's device is not cross-signed
            await alice.setTrustPolicy(.crossSigned)
            #expect(try await alice.send(to: bobSession.userID, type: "org.keymesh.text", content: ["body": "lost"]).isEmpty)
            await alice.setTrustPolicy(.selfSigned)

            // and back: alice answers over the session bob opened
            #expect(try await alice.send(to: bobSession.userID, type: "org.keymesh.text", content: ["body": "hi bob"]).count == 1)
            #expect(try await Self.receive(bob, count: 1).map(\.content) == [["body": "hi bob"]])
        }
    }

    @Test("SynapseProcess: starts within its timeout, answers /versions, and stop() ends it and removes its directory")
    func startAndStop() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let synapse = try await SynapseProcess.start()
        let startup = clock.now - began
        #expect(startup < .seconds(120))
        let versions = try await URLSession.shared.data(from: synapse.baseURL.appendingPathComponent("_matrix/client/versions"))
        #expect((versions.1 as? HTTPURLResponse)?.statusCode == 200)
        let advertised = try JSONParser.parse(Array(versions.0)).objectValue?["versions"]?.arrayValue ?? []
        #expect(advertised.contains("v1.1"))
        #expect(FileManager.default.fileExists(atPath: synapse.directory.appendingPathComponent("signing.key").path))
        await synapse.stop()
        #expect(!synapse.process.isRunning)
        // it heard the SIGTERM and exited cleanly, not through the SIGKILL fallback
        #expect(synapse.process.terminationReason == .exit)
        #expect(synapse.process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: synapse.directory.path))
        var request = URLRequest(url: synapse.baseURL.appendingPathComponent("_matrix/client/versions"))
        request.timeoutInterval = 5
        let after = try? await URLSession.shared.data(for: request)
        #expect(after == nil)  // nothing listens any more
    }

    @Test("account data: PUT then GET returns the same JSON, another user is refused, and a second device sees it in its initial /sync")
    func accountData() async throws {
        try await SynapseProcess.run { synapse in
            let alice = try Self.client(synapse)
            let aliceSession = try await alice.register(username: "alice", password: "alice-password-1")
            let mallory = try await Self.client(synapse).register(username: "mallory", password: "mallory-password-1")
            let data: JSONObject = ["colour": "blue", "n": 42, "list": [1, 2, "three"], "nested": ["ok": true]]
            let path = "user/\(aliceSession.userID)/account_data/org.keymesh.test"
            let http = RawMatrix(base: synapse.baseURL)

            let missing = try await http.call("GET", path, token: aliceSession.accessToken)
            #expect(missing.status == 404)
            #expect(missing.body["errcode"] == "M_NOT_FOUND")
            #expect(try await http.call("PUT", path, token: aliceSession.accessToken, body: data).status == 200)
            let got = try await http.call("GET", path, token: aliceSession.accessToken)
            #expect(got.status == 200)
            #expect(got.body == data)
            let refused = try await http.call("GET", path, token: mallory.accessToken)
            #expect(refused.status == 403)
            #expect(refused.body["errcode"] == "M_FORBIDDEN")

            // a second device of alice (a login), initial sync
            let second = try await Self.client(synapse).login(username: "alice", password: "alice-password-1")
            #expect(second.userID == aliceSession.userID)
            #expect(second.deviceID != aliceSession.deviceID)
            let sync = try await http.call("GET", "sync", token: second.accessToken)
            #expect(sync.status == 200)
            let events = sync.body["account_data"]?.objectValue?["events"]?.arrayValue ?? []
            let ours = events.compactMap(\.objectValue).filter { $0["type"] == "org.keymesh.test" }
            #expect(ours.map { $0["content"] } == [.object(data)])
        }
    }
}

/// Plain HTTP to `/_matrix/client/v3/…` with URLSession, bypassing KeyMeshClient.
struct RawMatrix {
    let base: URL

    func call(_ method: String, _ path: String, token: String, body: JSONObject? = nil) async throws -> (status: Int, body: JSONObject) {
        var request = URLRequest(url: base.appendingPathComponent("_matrix/client/v3/" + path))
        request.httpMethod = method
        request.timeoutInterval = 60
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(try CanonicalJSON.encode(.object(body)))
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = try #require(response as? HTTPURLResponse).statusCode
        let parsed = try #require(try JSONParser.parse(Array(data)).objectValue)
        return (status, parsed)
    }
}
