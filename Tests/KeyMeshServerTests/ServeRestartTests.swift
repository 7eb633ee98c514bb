// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// The real `keymesh serve` binary: data survives a restart, and several processes on one
/// database never hand out a one-time key twice.
@Suite("keymesh serve: restart and several processes", .serialized)
struct ServeRestartTests {
    @Test("accounts, tokens, keys and queued messages survive a SIGTERM restart")
    func restart() async throws {
        let dataDir = ServeProcess.temporaryDataDir()
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: dataDir)
        let http = HTTPClient(port: port)
        let alice = try await http.register("alice")
        let bob = try await http.register("bob")
        try await http.uploadKeys(alice, oneTimeKeys: 5)
        _ = try await http.call("PUT", "sendToDevice/m.test/1", token: alice.token,
                                json: ["messages": [bob.userID: [bob.deviceID: ["kept": true]]]])
        try server.stop()
        #expect(server.terminationStatus == 0)

        server = try await ServeProcess.start(port: port, dataDir: dataDir)
        defer { try? server.stop() }
        #expect(try await http.call("GET", "account/whoami", token: alice.token).body["user_id"] == .string(alice.userID))
        let query = try await http.call("POST", "keys/query", token: bob.token, json: ["device_keys": [alice.userID: []]])
        #expect(query.body["device_keys"]?.objectValue?[alice.userID]?.objectValue?[alice.deviceID] != nil)
        let sync = try await http.call("GET", "sync", token: bob.token)
        #expect(sync.body["to_device"]?.objectValue?["events"]?.arrayValue?.count == 1)
        let claim = try await http.call("POST", "keys/claim", token: bob.token,
                                        json: ["one_time_keys": [alice.userID: [alice.deviceID: "signed_curve25519"]]])
        #expect(claim.body["one_time_keys"]?.objectValue?[alice.userID] != nil)
        let login = try await http.call("POST", "login", json: ["type": "m.login.password", "user": "alice", "password": .string(alice.password)])
        #expect(login.status == 200)
    }

    @Test("3 server processes on one database, 240 concurrent claims for 60 keys: each key handed out exactly once")
    func multiProcessClaims() async throws {
        let dataDir = ServeProcess.temporaryDataDir()
        let ports = (0..<3).map { _ in ServeProcess.freePort() }
        var servers: [ServeProcess] = []
        defer { for var server in servers { try? server.stop() } }
        for port in ports { servers.append(try await ServeProcess.start(port: port, dataDir: dataDir)) }
        let clients = ports.map { HTTPClient(port: $0) }
        let alice = try await clients[0].register("alice")
        try await clients[1].uploadKeys(alice, oneTimeKeys: 60)
        var claimers: [TestUser] = []
        for n in 0..<6 { claimers.append(try await clients[n % 3].register("claimer\(n)")) }
        let claimed = try await withThrowingTaskGroup(of: String?.self) { group in
            for n in 0..<240 {
                let client = clients[n % 3]
                let claimer = claimers[n % claimers.count]
                group.addTask {
                    let reply = try await client.call("POST", "keys/claim", token: claimer.token, json: [
                        "one_time_keys": [alice.userID: [alice.deviceID: "signed_curve25519"]],
                    ])
                    return reply.body["one_time_keys"]?.objectValue?[alice.userID]?.objectValue?[alice.deviceID]?.objectValue?.keys.first
                }
            }
            return try await group.reduce(into: [String]()) { if let id = $1 { $0.append(id) } }
        }
        #expect(claimed.count == 60)  // no fallback key: the other 180 get nothing
        #expect(Set(claimed).count == 60)
    }
}
