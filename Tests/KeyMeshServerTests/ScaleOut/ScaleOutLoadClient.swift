// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

/// One client of the scale-out kill -9 load, the ``LoadClient`` of KillUnderLoadTests spread
/// over several instances: each request goes to the next live instance of the ``ScaleOutRoute``.
/// It uploads signed one-time keys, claims keys of the others, sends them to-device messages
/// and syncs (acknowledging with `since`, so deletions race writes of other instances), in
/// turn. An unanswered upload or send is retried on another instance with the same keys or
/// transaction id; a claim is not (it may have used up a key: the ``LoadLedger`` allows for it).
struct ScaleOutLoadClient: Sendable {
    let index: Int
    let user: TestUser
    let peers: [TestUser]
    let ledger: LoadLedger
    let route: ScaleOutRoute
    var device: String { "\(user.userID)|\(user.deviceID)" }

    /// Runs until the ledger says stop; returns the last `since` token it synced to.
    func run() async throws -> String? {
        var step = 0
        var since: String?
        let others = peers.count - 1
        while await !ledger.stopping {
            switch step % 4 {
            case 0 where await ledger.wellStocked(device): try await claim(from: peers[(index + 1 + step / 4 % others) % peers.count])
            case 0: try await upload()
            case 1: try await claim(from: peers[(index + 1 + (step / 4 + 2) % others) % peers.count])
            case 2: try await send(step, to: peers[(index + 1 + (step / 4 + 5) % others) % peers.count])
            default: since = try await sync(since: since) ?? since
            }
            step += 1
        }
        return since
    }

    func upload() async throws {
        user.account.generateOneTimeKeys(count: 5)
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

    /// One sync from `since` (no wait); records what it delivered and returns its `next_batch`,
    /// or nil when no instance answered it.
    func sync(since: String?) async throws -> String? {
        guard let reply = await call("GET", "sync" + (since.map { "?since=\($0)" } ?? ""), json: nil), reply.status < 500 else {
            return nil
        }
        try #require(reply.status == 200, "sync: \(reply.status) \(reply.body)")
        await ledger.received(reply.toDeviceEvents.compactMap { $0["content"]?.objectValue?["id"]?.stringValue }, by: device)
        return try #require(reply.body["next_batch"]?.stringValue)
    }

    /// Syncs from `since` until the queue is empty, acknowledging each batch.
    func drainMessages(from since: String?) async throws {
        var since = since
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
    func drainKeys(of clients: [ScaleOutLoadClient]) async throws {
        for peer in clients.map(\.user) {
            var rounds = 0
            while try await claim(from: peer) {
                rounds += 1
                try #require(rounds < 5000, "keys of \(peer.deviceID) never ran out")
            }
        }
    }

    /// One request to the next live instance; nil when it gave no answer (killed).
    func call(_ method: String, _ path: String, json: JSONObject?) async -> RawHTTP.Reply? {
        let (instance, port) = await route.next()
        do {
            let reply = try await ScaleOutHTTP.request(port: port, method, path, token: user.token, json: json, timeout: 30)
            await route.record(instance, status: reply.status)
            return reply
        } catch {
            await route.record(instance, status: nil)
            await ledger.failed()
            try? await Task.sleep(for: .milliseconds(50))
            return nil
        }
    }

    /// The same request until an instance answers it (below 500), for up to a minute.
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
