// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// The `keymesh serve` binary killed with SIGKILL in the middle of uploads, claims and
/// to-device sends from many clients, restarted on the same data directory each time: every
/// acknowledged write survives, no one-time key is handed out twice, every acknowledged message
/// is delivered exactly once, and the database passes `PRAGMA integrity_check`
/// (docs/SECURITY.md "Tests that attack").
@Suite("keymesh serve: SIGKILL under load", .serialized)
struct KillUnderLoadTests {
    static let clients = 8
    static let kills = 4

    @Test("8 clients, 4 SIGKILLs mid-load: acknowledged writes kept, no key claimed twice, messages delivered once", .timeLimit(.minutes(3)))
    func killUnderLoad() async throws {
        let dataDir = ServeProcess.temporaryDataDir()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: dataDir)
        defer { if server.process.isRunning { kill(server.process.processIdentifier, SIGKILL); server.process.waitUntilExit() } }
        let ledger = LoadLedger(port: port)
        let http = HTTPClient(port: port)
        var users: [TestUser] = []
        for n in 0..<Self.clients {
            let user = try await http.register("load\(n)")
            try await http.uploadKeys(user, oneTimeKeys: 0)  // device keys: one-time keys need them
            users.append(user)
        }
        let load = users.enumerated().map { LoadClient(index: $0.offset, user: $0.element, peers: users, ledger: ledger) }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in load { group.addTask { try await client.run() } }
            for _ in 0..<Self.kills {
                try await Task.sleep(for: .milliseconds(Int.random(in: 1500...3000)))
                kill(server.process.processIdentifier, SIGKILL)
                server.process.waitUntilExit()
                // a new port: the old one may linger in TIME_WAIT, and no client can reach a half-dead server
                let next = ServeProcess.freePort()
                server = try await ServeProcess.start(port: next, dataDir: dataDir)
                await ledger.moved(to: next)
            }
            try await Task.sleep(for: .seconds(2))
            await ledger.stop()
            try await group.waitForAll()
        }

        // every device reads its queue to the end (acknowledging), then every key left is claimed
        for client in load { try await client.drainMessages() }
        for client in load { try await client.drainKeys(of: load) }
        // the device keys uploaded before the kills are all still published, unchanged
        var asked = JSONObject()
        for user in users { asked[user.userID] = [] }
        let query = try await load[0].answered("POST", "keys/query", json: ["device_keys": .object(asked)])
        for user in users {
            let keys = query.body["device_keys"]?.objectValue?[user.userID]?.objectValue?[user.deviceID]?.objectValue?["keys"]?.objectValue
            #expect(keys?["ed25519:\(user.deviceID)"]?.stringValue == user.account.ed25519Key.base64, "\(user.userID) lost its device keys")
        }
        let counts = await ledger.counts
        print("kill -9 under load: \(counts.uploads) uploads, \(counts.claims) claims, \(counts.sends) sends acknowledged; "
              + "\(counts.failures) requests unanswered across \(Self.kills) kills")
        #expect(counts.uploads > 0 && counts.claims > 0 && counts.sends > 0)
        #expect(counts.failures > 0, "no request was ever cut by a kill: the kills did not land mid-load")
        let problems = await ledger.violations()
        #expect(problems.isEmpty, "\(problems.count) violations:\n\(problems.prefix(20).joined(separator: "\n"))")

        try server.stop()
        let database = try DatabaseQueue(path: dataDir + "/keymesh.sqlite")
        let integrity = try await database.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])
        try database.close()
    }
}

/// One client of the load: uploads signed one-time keys, claims keys of the others and sends
/// them to-device messages, in turn, until the ledger says stop. It retries an unanswered upload
/// or send with the same keys or the same transaction id, as a real client does; a claim is not
/// retried (an unanswered claim may have used up a key: the ledger allows for that).
struct LoadClient: Sendable {
    let index: Int
    let user: TestUser
    let peers: [TestUser]
    let ledger: LoadLedger
    var device: String { "\(user.userID)|\(user.deviceID)" }

    func run() async throws {
        var step = 0
        while await !ledger.stopping {
            switch step % 3 {
            case 0 where await ledger.wellStocked(device): try await claim(from: peers[(index + step) % peers.count])
            case 0: try await upload()
            case 1: try await claim(from: peers[(index + 1 + step / 3 % (peers.count - 1)) % peers.count])
            default: try await send(step, to: peers[(index + 1 + (step / 3 + 3) % (peers.count - 1)) % peers.count])
            }
            step += 1
        }
    }

    func upload() async throws {
        _ = user.account.generateOneTimeKeys(count: 5)
        let keys = user.account.signedOneTimeKeys(userID: user.userID, deviceID: user.deviceID)
        var values: [String: String] = [:]
        for (id, object) in keys { values[id] = object.objectValue?["key"]?.stringValue ?? "" }
        await ledger.willUpload(device, values)
        let reply = try await answered("POST", "keys/upload", json: ["one_time_keys": .object(keys)])
        try #require(reply.status == 200, "upload: \(reply.status) \(reply.body)")
        user.account.markKeysAsPublished()
        let stock = reply.body["one_time_key_counts"]?.objectValue?["signed_curve25519"]?.intValue ?? 0
        await ledger.uploaded(device, values, stock: Int(stock))
    }

    /// Claims one key of `peer`; true when one was handed out.
    @discardableResult
    func claim(from peer: TestUser) async throws -> Bool {
        let target = "\(peer.userID)|\(peer.deviceID)"
        let body: JSONObject = ["one_time_keys": [peer.userID: [peer.deviceID: "signed_curve25519"]]]
        guard let reply = await call("POST", "keys/claim", json: body), reply.status < 500 else {
            await ledger.claimUnanswered(target)
            return false
        }
        try #require(reply.status == 200, "claim: \(reply.status) \(reply.body)")
        let keys = reply.body["one_time_keys"]?.objectValue?[peer.userID]?.objectValue?[peer.deviceID]?.objectValue ?? [:]
        for (id, object) in keys {
            await ledger.claimed(target, id: id, key: object.objectValue?["key"]?.stringValue ?? "")
        }
        return !keys.isEmpty
    }

    func send(_ step: Int, to peer: TestUser) async throws {
        let id = "\(index)-\(step)"
        await ledger.willSend(id)
        let reply = try await answered("PUT", "sendToDevice/m.test/txn-\(id)",
                                       json: ["messages": [peer.userID: [peer.deviceID: ["id": .string(id)]]]])
        try #require(reply.status == 200, "send: \(reply.status) \(reply.body)")
        await ledger.sentAcknowledged(id, to: "\(peer.userID)|\(peer.deviceID)")
    }

    /// Syncs until the queue is empty, acknowledging each batch with the next `since`.
    func drainMessages() async throws {
        var since: String?
        for _ in 0..<1000 {
            let reply = try await answered("GET", "sync" + (since.map { "?since=\($0)" } ?? ""), json: nil)
            try #require(reply.status == 200, "sync: \(reply.status) \(reply.body)")
            let ids = reply.toDeviceEvents.compactMap { $0["content"]?.objectValue?["id"]?.stringValue }
            await ledger.received(ids, by: device)
            if ids.isEmpty, since != nil { return }
            since = try #require(reply.body["next_batch"]?.stringValue)
        }
        Issue.record("\(device): the to-device queue never emptied")
    }

    /// Claims every key left on every device of `clients` (none has a fallback key).
    func drainKeys(of clients: [LoadClient]) async throws {
        for peer in clients.map(\.user) {
            var rounds = 0
            while try await claim(from: peer) {
                rounds += 1
                try #require(rounds < 5000, "keys of \(peer.deviceID) never ran out")
            }
        }
    }

    /// One request; nil when the server gave no answer (killed, or not yet restarted).
    func call(_ method: String, _ path: String, json: JSONObject?) async -> RawHTTP.Reply? {
        let port = await ledger.port
        do {
            let body = try json.map { try CanonicalJSON.encode(.object($0)) } ?? []
            var head = "\(method) /_matrix/client/v3/\(path) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(user.token)"
            if json != nil { head += "\r\nContent-Type: application/json" }
            return try await RawHTTP.request(port: port, head, body: body)
        } catch {
            await ledger.failed()
            try? await Task.sleep(for: .milliseconds(50))
            return nil
        }
    }

    /// The same request until the server answers it (below 500), for up to a minute.
    func answered(_ method: String, _ path: String, json: JSONObject?) async throws -> RawHTTP.Reply {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let reply = await call(method, path, json: json) {
                if reply.status < 500 { return reply }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        throw RawHTTP.Failure.closedWithoutReply
    }
}
