// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import HummingbirdTesting
import KeyMeshMatrixAPI
import Testing

@Suite("Concurrent claims over HTTP")
struct ClaimConcurrencyTests {
    @Test("300 concurrent claims over real sockets against 40 keys: each key handed out once, none lost, the rest get the fallback")
    func concurrentClaims() async throws {
        try await Homeserver.run(mode: .live) { api in
            let alice = try await api.register("alice")
            try await api.uploadKeys(alice, oneTimeKeys: 40, fallback: true)
            let claimers = try await withThrowingTaskGroup(of: TestUser.self) { group in
                for n in 0..<10 { group.addTask { try await api.register("claimer\(n)") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // each claim yields (key id, is the fallback key) or nil
            let results = try await withThrowingTaskGroup(of: (String, Bool)?.self) { group in
                for n in 0..<300 {
                    group.addTask {
                        let reply = try await api.claim(by: claimers[n % claimers.count], [(alice.userID, alice.deviceID)])
                        let keys = reply["one_time_keys"]?.objectValue?[alice.userID]?.objectValue?[alice.deviceID]?.objectValue
                        guard let entry = keys?.firstEntry else { return nil }
                        return (entry.key, entry.value.objectValue?["fallback"] == true)
                    }
                }
                return try await group.reduce(into: [(String, Bool)?]()) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0 != nil })  // nobody left empty-handed
            let oneTime = results.compactMap { $0 }.filter { !$0.1 }.map(\.0)
            let fallback = results.compactMap { $0 }.filter(\.1).map(\.0)
            #expect(oneTime.count == 40)
            #expect(Set(oneTime).count == 40)  // no key twice
            #expect(oneTime.allSatisfy { $0.hasPrefix("signed_curve25519:") })
            #expect(fallback.count == 260)
            #expect(Set(fallback).count == 1)
            #expect(try await api.sync(alice)["device_one_time_keys_count"] == ["signed_curve25519": 0])
        }
    }
}
