// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Synchronization
import Testing

/// Several stores on one backing store, as several `keymesh serve` processes open it (SQLite:
/// one file; PostgreSQL: one database), and the ChangeFeed between them
/// (docs/STORE.md "Wake-ups across instances").
@Suite("Several instances on one store (every backend)", .storeCleanup)
struct SharedStoreTests {
    typealias F = ConformanceFixture
    static let device = DeviceRef(userID: "@a:hs", deviceID: "D")

    @Test("four instances on one store never hand out a key twice and lose none", arguments: StoreBackend.allCases)
    func severalWriters(backend: StoreBackend) async throws {
        let stores = try await backend.makeShared(instances: 4)
        try await stores[0].addOneTimeKeys(Self.device, keys: (0..<100).map { .test("K\($0)") })
        let request = ClaimRequest(device: Self.device, algorithm: "signed_curve25519")
        let claimed = try await withThrowingTaskGroup(of: [ClaimedKey].self) { group in
            for n in 0..<300 { group.addTask { try await stores[n % 4].claim([request]) } }
            return try await group.reduce(into: [ClaimedKey]()) { $0 += $1 }
        }
        let ids = claimed.map(\.key.keyID)
        #expect(ids.count == 100)
        #expect(Set(ids) == Set((0..<100).map { "K\($0)" }))
        for store in stores { #expect(try await store.oneTimeKeyCounts(Self.device) == [:]) }
    }

    @Test("a write through one instance is read through another, at the same position", arguments: StoreBackend.allCases)
    func sharedStream(backend: StoreBackend) async throws {
        let stores = try await backend.makeShared(instances: 3)
        let bob = DeviceRef(userID: "@bob:hs", deviceID: "BOBDEV")
        try await F.send(stores[0], [F.message("hello", from: Self.device, to: bob)], txn: "t", from: Self.device)
        let position = try await stores[0].currentPosition()
        #expect(try await stores[2].currentPosition() == position)
        let batch = try await stores[2].syncBatch(for: bob, since: 0, limit: 10)
        #expect(batch.toDevice.map(\.contentJSON) == ["hello"])
        #expect(batch.nextPosition == position)
        // the retry through another instance is still a retry
        #expect(try await F.send(stores[1], [F.message("hello", from: Self.device, to: bob)], txn: "t", from: Self.device).isEmpty)
        try await stores[1].acknowledgeToDevice(bob, upTo: position)
        #expect(try await F.inbox(stores[0], of: bob).isEmpty)
    }

    @Test("PostgreSQL: an announcement reaches the other instances' announcements(), not the announcer's own",
          arguments: StoreBackend.allCases.filter { $0 == .postgres })
    func postgresFeed(backend: StoreBackend) async throws {
        let stores = try await backend.makeShared(instances: 3)
        let heard = stores.map { Heard(listening: $0) }
        defer { heard.forEach { $0.stop() } }
        await stores[0].announce([])  // nothing to say: nothing sent
        await stores[0].announce(["@x:hs", "@y:hs", "@nul\u{0}:hs"])
        // the NUL id names nobody: not sent
        #expect(await heard[1].wait(count: 1).map(Set.init) == [["@x:hs", "@y:hs"]])
        #expect(await heard[2].wait(count: 1).map(Set.init) == [["@x:hs", "@y:hs"]])
        // NOTIFYs arrive in commit order: had A heard its own, it would come before B's
        await stores[1].announce(["@z:hs"])
        #expect(await heard[0].wait(count: 1) == [["@z:hs"]])
        #expect(await heard[2].wait(count: 2).last == ["@z:hs"])
        #expect(heard[1].all.count == 1)  // B did not hear its own either
    }

    @Test("SQLite: the feed is silent: announcements() ends at once, nothing crosses instances",
          arguments: StoreBackend.allCases.filter { $0 == .sqlite })
    func sqliteFeedIsSilent(backend: StoreBackend) async throws {
        let stores = try await backend.makeShared(instances: 2)
        let stream = stores[1].announcements()
        await stores[0].announce(["@x:hs"])
        var heard: [[String]] = []
        for await users in stream { heard.append(users) }
        #expect(heard.isEmpty)
    }
}

/// Collects a store's announcements in the background (an AsyncStream iterator cannot wait
/// with a timeout itself).
final class Heard: Sendable {
    private final class Items: Sendable {
        let list = Mutex<[[String]]>([])
    }

    private let items = Items()
    private let task: Task<Void, Never>

    init(listening store: any ServerStore) {
        let stream = store.announcements()  // subscribed now, before any announcement
        let items = items
        task = Task { for await users in stream { items.list.withLock { $0.append(users) } } }
    }

    var all: [[String]] { items.list.withLock { $0 } }

    /// What was heard once `count` announcements arrived, or after 20 s (a NOTIFY takes
    /// milliseconds; the bound only ends a test of a broken feed).
    func wait(count: Int, within limit: Duration = .seconds(20)) async -> [[String]] {
        let deadline = ContinuousClock.now + limit
        while all.count < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return all
    }

    func stop() { task.cancel() }
}
