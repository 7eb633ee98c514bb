// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshStoreSQLite
import Testing

@testable import KeyMeshServer

/// Devices per user, follows, device-list history and who a change wakes
/// (docs/SECURITY.md "Limits", docs/SERVER.md "Device lists").
@Suite("Device-list and account limits")
struct DeviceListLimitTests {
    @Test("a device beyond the per-user limit is 403 M_FORBIDDEN at login; a re-login of an existing device is not")
    func devicesPerUser() async throws {
        try await AttackBench.run({ $0.maxDevicesPerUser = 2 }) { bench in
            let alice = try await bench.api.register("alice")
            let phone = try await bench.api.login(alice)
            let login: JSONObject = ["type": "m.login.password", "password": .string(alice.password),
                                     "identifier": ["type": "m.id.user", "user": .string(alice.userID)]]
            try await bench.expectRefused("third device", status: [403], errcodes: ["M_FORBIDDEN"], still: alice) {
                try await bench.send("POST", "login", json: login)
            }
            _ = try await bench.api.login(alice, deviceID: phone.deviceID)
            let devices = try await bench.api.call(.get, "devices", token: alice.token)
            #expect(devices["devices"]?.arrayValue?.count == 2)
        }
    }

    @Test("/keys/query follows only registered users, and at most the per-user limit (403 beyond, nothing stored)")
    func follows() async throws {
        try await AttackBench.run({ $0.maxFollowsPerUser = 1 }) { bench in
            let alice = try await bench.api.register("alice")
            let bob = try await bench.api.register("bob")
            let carol = try await bench.api.register("carol")
            let invented = (0..<20).map { "@invented\($0):localhost" }
            var query = JSONObject()
            for user in invented { query[user] = [] }
            #expect(try await bench.api.call(.post, "keys/query", token: alice.token, json: ["device_keys": .object(query)]).status == .ok)
            #expect(try bench.snapshot().rows("device_list_followers").isEmpty)
            #expect(try await bench.api.call(.post, "keys/query", token: alice.token, json: ["device_keys": [bob.userID: []]]).status == .ok)
            #expect(try bench.snapshot().rows("device_list_followers").count == 1)
            try await bench.expectRefused("second follow", status: [403], errcodes: ["M_FORBIDDEN"], still: alice) {
                try await bench.send("POST", "keys/query", token: alice.token, json: ["device_keys": [carol.userID: []]])
            }
        }
    }

    @Test("device_list_changes is pruned to its limit; a since before the horizon reports every followed user")
    func history() async throws {
        try await AttackBench.run({ $0.deviceListHistory = 4 }) { bench in
            let alice = try await bench.api.register("alice")
            let bob = try await bench.api.register("bob")
            _ = try await bench.api.call(.post, "keys/query", token: bob.token, json: ["device_keys": [alice.userID: []]])
            let since = try #require(try await bench.api.sync(bob).nextBatch)
            for n in 0..<30 {
                _ = try await bench.api.call(.put, "devices/\(bob.deviceID)", token: bob.token, json: ["display_name": .string("b\(n)")])
            }
            #expect(try bench.snapshot().rows("device_list_changes").count <= 5)
            // alice never changed after `since`, but the history that could prove it is gone
            let changed = try await bench.api.sync(bob, since: since).changedUsers
            #expect(changed == [alice.userID, bob.userID])
        }
    }

    @Test("a device-list change wakes the user's and its followers' long-polls, not strangers'")
    func wakesOnlyWhoCares() async throws {
        let config = Homeserver.config()
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
        let store = try SQLiteStore(path: config.databasePath)
        let state = ServerState(config: config, store: store)
        for (user, device) in [("@alice:localhost", "A"), ("@bob:localhost", "B"), ("@eve:localhost", "E")] {
            try await store.createUser(user, passwordHash: "x")
            try await store.openDevice(.init(userID: user, deviceID: device), displayName: nil, tokenHash: device)
        }
        _ = try await store.follow(.init(userID: "@bob:localhost", deviceID: "B"), targets: ["@alice:localhost"], limit: 10)
        let eve = Task { await state.notifier.wait(for: "@eve:localhost", timeout: .seconds(60)) }
        let bob = Task { await state.notifier.wait(for: "@bob:localhost", timeout: .seconds(60)) }
        while state.notifier.waiterCount < 2 { await Task.yield() }
        await state.deviceListChanged("@alice:localhost")
        await bob.value  // woken: bob follows alice
        #expect(state.notifier.waiterCount == 1)  // eve still waits
        await state.deviceListChanged("@eve:localhost")
        await eve.value
        #expect(state.notifier.waiterCount == 0)
    }
}
