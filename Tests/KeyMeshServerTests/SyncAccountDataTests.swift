// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import Hummingbird
import KeyMeshMatrixAPI
import KeyMeshStore
import Testing

@testable import KeyMeshServer
@testable import KeyMeshStoreSQLite

@Suite("/sync account_data: the user's global account data on the one stream")
struct SyncAccountDataTests {
    static func put(_ api: API, _ user: TestUser, _ type: String, _ content: JSONObject) async throws {
        let reply = try await api.call(.put, AccountDataRouteTests.path(user, type), token: user.token, json: content)
        try #require(reply.status == .ok, "PUT \(type): \(reply.body)")
    }

    /// The stream position of a `next_batch` token (`s<position>`, docs/SERVER.md "/sync").
    static func position(_ token: String?) throws -> Int64 {
        try #require(token.flatMap { $0.hasPrefix("s") ? Int64($0.dropFirst()) : nil }, "token \(token ?? "nil")")
    }

    @Test("an initial sync lists every type with its exact content, and only the syncing user's")
    func initial() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let phone = try await api.login(alice)
            let bob = try await api.register("bob")
            #expect(try await api.sync(alice).accountDataEvents == [])
            try await Self.put(api, alice, "org.keymesh.enrolment", ["devices": ["PHONE": ["enrolled": true]]])
            try await Self.put(api, alice, "m.direct", [:])
            try await Self.put(api, alice, "m.direct", ["@bob:localhost": ["!r:localhost"]])  // replaced: latest only
            try await Self.put(api, bob, "x.bob.secret", ["k": "bob only"])
            let expected: [JSONObject] = [
                ["type": "m.direct", "content": ["@bob:localhost": ["!r:localhost"]]],
                ["type": "org.keymesh.enrolment", "content": ["devices": ["PHONE": ["enrolled": true]]]],
            ]
            #expect(try await api.sync(alice).accountDataEvents == expected)
            #expect(try await api.sync(phone).accountDataEvents == expected)  // any device of the user
            #expect(try await api.sync(bob).accountDataEvents == [["type": "x.bob.secret", "content": ["k": "bob only"]]])
            // m.push_rules is the push-rules API's and is never stored, so never listed
            #expect(try await api.sync(alice).accountDataEvents.allSatisfy { $0["type"] != "m.push_rules" })
        }
    }

    @Test("an incremental sync lists exactly the types written after the token, once each; the next token lists nothing")
    func incremental() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let phone = try await api.login(alice)
            let bob = try await api.register("bob")
            try await Self.put(api, alice, "x.old", ["v": 1])
            let start = try #require(try await api.sync(phone).nextBatch)
            #expect(try await api.sync(phone, since: start).accountDataEvents == [])

            try await Self.put(api, alice, "x.new", ["v": 1])
            try await Self.put(api, alice, "x.new", ["v": 2])
            try await Self.put(api, bob, "x.bob", ["v": 9])  // another user's write is not alice's
            let changed = try await api.sync(phone, since: start)
            #expect(changed.accountDataEvents == [["type": "x.new", "content": ["v": 2]]])
            let next = try #require(changed.nextBatch)
            #expect(try Self.position(next) > Self.position(start))

            let quiet = try await api.sync(phone, since: next)
            #expect(quiet.accountDataEvents == [])
            #expect(quiet.nextBatch == next)

            // a PUT alone moves the token: it takes a position of the one stream
            try await Self.put(api, alice, "x.old", ["v": 3])
            let moved = try await api.sync(phone, since: next)
            #expect(moved.accountDataEvents == [["type": "x.old", "content": ["v": 3]]])
            #expect(try Self.position(moved.nextBatch) > Self.position(next))
        }
    }

    @Test("account data and to-device messages share one stream: a token never skips a write of either")
    func oneStream() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let bob = try await api.register("bob")
            let start = try #require(try await api.sync(alice).nextBatch)
            var expectedTypes: [String] = []
            var token = start
            for n in 0..<4 {
                try await Self.put(api, alice, "x.t\(n)", ["n": .int(Int64(n))])
                expectedTypes.append("x.t\(n)")
                _ = try await api.call(.put, "sendToDevice/m.test/s\(n)", token: bob.token,
                                       json: ["messages": [alice.userID: [alice.deviceID: ["n": .int(Int64(n))]]]])
                let reply = try await api.sync(alice, since: token)
                #expect(reply.accountDataEvents.map { $0["type"] } == [.string("x.t\(n)")])
                #expect(reply.toDeviceEvents.count == 1)
                token = try #require(reply.nextBatch)
            }
            // from the first token, every type written since comes (latest content)
            #expect(try await api.sync(alice, since: start).accountDataEvents.compactMap { $0["type"]?.stringValue } == expectedTypes)
        }
    }

    @Test("a long-poll wakes promptly for another device's PUT of the user's account data, not for another user's")
    func longPoll() async throws {
        try await Homeserver.run { api in
            let alice = try await api.register("alice")
            let laptop = try await api.login(alice)
            let bob = try await api.register("bob")
            let since = try #require(try await api.sync(alice).nextBatch)
            let clock = ContinuousClock()

            // bob's write must not end alice's wait: it reports nothing to her
            let started = clock.now
            async let idle = api.sync(alice, since: since, timeoutMs: 2_500)
            try await Task.sleep(for: .milliseconds(300))
            try await Self.put(api, bob, "x.bob", ["v": 1])
            let idleReply = try await idle
            #expect(clock.now - started >= .milliseconds(2_400))
            #expect(idleReply.accountDataEvents == [])
            #expect(idleReply.toDeviceEvents == [])
            let bobToken = try #require(idleReply.nextBatch)

            async let woken = api.sync(alice, since: bobToken, timeoutMs: 20_000)
            try await Task.sleep(for: .milliseconds(300))
            let written = clock.now
            try await Self.put(api, laptop, "org.keymesh.enrolment", ["by": "laptop"])
            let reply = try await woken
            #expect(clock.now - written < .seconds(5))
            #expect(reply.accountDataEvents == [["type": "org.keymesh.enrolment", "content": ["by": "laptop"]]])
            #expect(reply.nextBatch != bobToken)
        }
    }

    @Test("a PUT wakes its user's waiters through the notifier at once (not the 1 s recheck), and nobody else's")
    func notifierWake() async throws {
        let config = Homeserver.config()
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
        let state = ServerState(config: config, store: try SQLiteStore(path: config.databasePath))
        let app = Application(router: buildRouter(state: state))
        try await app.test(.router) { client in
            let api = API(client: client)
            let alice = try await api.register("alice")
            let laptop = try await api.login(alice)
            let bob = try await api.register("bob")
            // waits far longer than the test: only a notify can end them
            let aliceWait = Task { await state.notifier.wait(for: alice.userID, timeout: .seconds(120)) }
            let bobWait = Task { await state.notifier.wait(for: bob.userID, timeout: .seconds(120)) }
            while state.notifier.waiterCount < 2 { try await Task.sleep(for: .milliseconds(5)) }
            try await Self.put(api, laptop, "x.enrolment", ["v": 1])
            #expect(await Self.waiters(state, dropTo: 1))  // alice's was woken by the PUT
            try await Self.put(api, alice, "x.other", ["v": 2])
            #expect(state.notifier.waiterCount == 1)  // bob still waits: alice's writes are not his
            try await Self.put(api, bob, "x.bob", ["v": 3])
            #expect(await Self.waiters(state, dropTo: 0))
            aliceWait.cancel()
            bobWait.cancel()
            _ = await (aliceWait.value, bobWait.value)
        }
    }

    /// Whether the notifier's waiters drop to `count` within 5 s (far less than their timeout).
    static func waiters(_ state: ServerState, dropTo count: Int) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while state.notifier.waiterCount > count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return state.notifier.waiterCount == count
    }

    @Test("the store reports account data at its stream position; a refused write takes none")
    func storePositions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-sync-account-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("keymesh.sqlite").path)
        let phone = DeviceRef(userID: "@alice:localhost", deviceID: "PHONE")
        try await store.createUser(phone.userID, passwordHash: "x")
        try await store.openDevice(phone, displayName: nil, tokenHash: "h")
        let before = try await store.currentPosition()
        try await store.putAccountData(phone, type: "x.a", contentJSON: "{\"v\":1}", limits: .standard)
        let after = try await store.currentPosition()
        #expect(after == before + 1)
        let batch = try await store.syncBatch(for: phone, since: before, limit: 100)
        #expect(batch.accountData == [AccountDataEntry(type: "x.a", contentJSON: "{\"v\":1}")])
        #expect(batch.nextPosition == after)
        #expect(!batch.isEmpty)
        #expect(try await store.syncBatch(for: phone, since: after, limit: 100).isEmpty)
        // a refused write takes no position
        await #expect(throws: StoreError.self) {
            try await store.putAccountData(phone, type: "x.b", contentJSON: "{\"v\":\"\(String(repeating: "a", count: 70_000))\"}",
                                           limits: .standard)
        }
        #expect(try await store.currentPosition() == after)
    }

    @Test("v6-account-data-stream: account data stored before the upgrade is reported once, to initial and old tokens")
    func migrationFromV5() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-v6-migration-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("keymesh.sqlite").path
        let old = try DatabaseQueue(path: path)
        try SQLiteSchema.migrator.migrate(old, upTo: "v5-account-data")
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO users (user_id, password_hash, created_ts) VALUES ('@alice:hs', 'h', 0);
                INSERT INTO devices (user_id, device_id) VALUES ('@alice:hs', 'A');
                UPDATE stream_position SET position = 7;
                INSERT INTO account_data (user_id, type, content_json) VALUES ('@alice:hs', 'x.kept', '{"v":1}');
                """)
        }
        try old.close()
        let store = try SQLiteStore(path: path)
        let alice = DeviceRef(userID: "@alice:hs", deviceID: "A")
        let kept = [AccountDataEntry(type: "x.kept", contentJSON: "{\"v\":1}")]
        #expect(try await store.currentPosition() == 8)
        #expect(try await store.syncBatch(for: alice, since: 0, limit: 100).accountData == kept)
        // a client that synced to 7 before the upgrade hears of it once, at 8
        let fromOld = try await store.syncBatch(for: alice, since: 7, limit: 100)
        #expect(fromOld.accountData == kept)
        #expect(fromOld.nextPosition == 8)
        #expect(try await store.syncBatch(for: alice, since: 8, limit: 100).isEmpty)
    }
}

extension Reply {
    /// `account_data.events` of a sync.
    var accountDataEvents: [JSONObject] {
        (body["account_data"]?.objectValue?["events"]?.arrayValue ?? []).compactMap(\.objectValue)
    }
}
