// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrossSigning
import KeyMeshTestSupport
import Testing

@Suite("Device-list tracking")
struct DeviceListTrackerTests {
    @Test("tracked users start outdated; a query clears them; untracked changes are ignored")
    func basics() {
        var tracker = DeviceListTracker()
        tracker.track(["@b:hs", "@c:hs"])
        #expect(tracker.outdatedUsers == ["@b:hs", "@c:hs"])
        tracker.markOutdated(["@stranger:hs"])
        #expect(!tracker.isTracked("@stranger:hs") && !tracker.isOutdated("@stranger:hs"))
        let query = tracker.beginQuery()
        tracker.finishQuery(query)
        #expect(tracker.outdatedUsers.isEmpty)
        tracker.untrack(["@b:hs"])
        tracker.markOutdated(["@b:hs"])
        #expect(!tracker.isOutdated("@b:hs"))
    }

    @Test("an older query response never clears a newer outdated flag (reference 2.9)")
    func olderResponse() {
        var tracker = DeviceListTracker()
        tracker.track(["@b:hs"])
        let first = tracker.beginQuery()
        tracker.markOutdated(["@b:hs"])  // a change arrives while the first query is in flight
        let second = tracker.beginQuery()
        tracker.finishQuery(first)  // stale: must not clear
        #expect(tracker.isOutdated("@b:hs"))
        tracker.finishQuery(second)
        #expect(!tracker.isOutdated("@b:hs"))
    }

    @Test("random interleavings: a user is outdated exactly when a mark came after the start of every finished query", arguments: [UInt64(1), 2, 3])
    func property(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var tracker = DeviceListTracker()
        let users = ["@a:hs", "@b:hs", "@c:hs"]
        tracker.track(users)
        var lastMark: [String: Int] = [:]
        var covered: [String: Int] = [:]  // newest mark step covered by a finished query
        var inFlight: [(query: DeviceListTracker.Query, started: Int)] = []
        for user in users { lastMark[user] = 0 }
        for step in 1...400 {
            switch random.bytes(count: 1)[0] % 3 {
            case 0:
                let user = users[Int(random.bytes(count: 1)[0]) % users.count]
                tracker.markOutdated([user])
                lastMark[user] = step
            case 1:
                inFlight.append((tracker.beginQuery(), step))
            default:
                guard !inFlight.isEmpty else { continue }
                let (query, started) = inFlight.remove(at: Int(random.bytes(count: 1)[0]) % inFlight.count)
                tracker.finishQuery(query)
                for user in query.users where (lastMark[user] ?? 0) < started {
                    covered[user] = max(covered[user] ?? -1, lastMark[user] ?? 0)
                }
            }
            for user in users {
                let expected = (covered[user] ?? -1) < (lastMark[user] ?? 0)
                #expect(tracker.isOutdated(user) == expected, "seed \(seed) step \(step) \(user)")
            }
        }
        // it survives a round trip through the client's store
        let data = try JSONEncoder().encode(tracker)
        #expect(try JSONDecoder().decode(DeviceListTracker.self, from: data) == tracker)
    }
}
