// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import KeyMeshStorePostgres
import KeyMeshTestSupport
import Testing

/// The atomic-claim contract across processes (docs/STORE.md "The atomic-claim contract",
/// "PostgreSQL"): two `PostgresStore`s, each with its own connection pool as two `keymesh
/// serve` processes would have, claim one device's keys concurrently through both.
@Suite("PostgreSQL claims racing across two instances", .storeCleanup)
struct PostgresClaimRaceTests {
    static let bob = DeviceRef(userID: "@bob:hs", deviceID: "BOBDEV")
    static let phone = DeviceRef(userID: "@bob:hs", deviceID: "PHONE")
    static let keys = 200

    @Test("many concurrent claims through two instances: each of 200 keys handed out exactly once, then the fallback",
          .enabled(if: !PostgresAvailabilityTests.isSkipped, "KEYMESH_TEST_POSTGRES is unset: SKIPPED"),
          .timeLimit(.minutes(3)))
    func race() async throws {
        let stores = try await StoreBackend.postgres.makeShared(instances: 2)
        let uploaded = (0..<Self.keys).map { StoredKeyObject.test("K\($0)") }
        try await stores[0].upload(Self.bob, KeyUploadWrite(fallbackKeys: [.test("FB")], oneTimeKeys: uploaded))
        try await stores[1].upload(Self.phone, KeyUploadWrite(oneTimeKeys: [.test("P0")]))
        #expect(try await stores[1].oneTimeKeyCounts(Self.bob) == ["signed_curve25519": Self.keys])

        // 160 claims, one in three asking for two of bob's keys at once: 214 keys asked for
        let request = ClaimRequest(device: Self.bob, algorithm: "signed_curve25519")
        let claims = 160
        let results = try await withThrowingTaskGroup(of: (Int, [ClaimedKey]).self) { group in
            for index in 0..<claims {
                let store = stores[index % 2]
                let requests = index % 3 == 0 ? [request, request] : [request]
                group.addTask { (requests.count, try await store.claim(requests)) }
            }
            var all: [(Int, [ClaimedKey])] = []
            for try await result in group { all.append(result) }
            return all
        }
        let asked = results.map(\.0).reduce(0, +)
        #expect(asked == 214)
        // every request got exactly one key
        #expect(results.allSatisfy { $0.0 == $0.1.count })
        let claimed = results.flatMap(\.1)
        let oneTime = claimed.filter { !$0.isFallback }
        let fallback = claimed.filter(\.isFallback)
        #expect(oneTime.count == Self.keys, "one-time keys handed out: \(oneTime.count)")
        #expect(Set(oneTime.map(\.key.keyID)).count == oneTime.count, "a one-time key was handed out twice")
        #expect(Set(oneTime.map(\.key)) == Set(uploaded), "a one-time key was lost or altered")
        #expect(fallback.count == asked - Self.keys)
        #expect(fallback.allSatisfy { $0.key == .test("FB") && $0.device == Self.bob })

        // none left on either instance; the next claims get the fallback; other devices untouched
        #expect(try await stores[0].oneTimeKeyCounts(Self.bob) == [:])
        #expect(try await stores[1].oneTimeKeyCounts(Self.phone) == ["signed_curve25519": 1])
        for store in stores {
            let next = try await store.claim([request])
            #expect(next.count == 1 && next.first?.isFallback == true && next.first?.key.keyID == "FB")
        }
        #expect(try await stores[1].unusedFallbackKeyTypes(Self.bob) == [])
        // a claimed key uploaded again is remembered as claimed, not handed out a second time
        try await stores[1].upload(Self.bob, KeyUploadWrite(oneTimeKeys: [uploaded[7]]))
        #expect(try await stores[0].oneTimeKeyCounts(Self.bob) == [:])
    }
}
