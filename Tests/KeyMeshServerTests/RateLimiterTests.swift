// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Testing

@testable import KeyMeshServer

@Suite("RateLimiter: a token bucket per user")
struct RateLimiterTests {
    @Test("a burst, then the rate; waits are exact; users are independent; rate 0 is off")
    func bucket() {
        let limiter = RateLimiter(rate: 2, burst: 4)
        #expect((0..<4).allSatisfy { _ in limiter.take("a", now: 100) == nil })
        #expect(limiter.take("a", now: 100) == 500)        // half a second for one more unit at 2/s
        #expect(limiter.take("b", now: 100) == nil)
        #expect(limiter.take("a", now: 100.5) == nil)      // refilled one
        #expect(limiter.take("a", cost: 3, now: 101) == 1000)  // has 1, needs 3: two more units = 1 s
        #expect(limiter.take("a", now: 1000) == nil)       // long idle: back to the burst, not beyond
        #expect((0..<3).allSatisfy { _ in limiter.take("a", now: 1000) == nil })
        #expect(limiter.take("a", now: 1000) != nil)
        // a cost above the burst is charged the burst: it passes on a full bucket, never 429 forever
        #expect(limiter.take("big", cost: 10, now: 100) == nil)
        #expect(limiter.take("big", cost: 10, now: 100) == 2000)  // the whole burst again: 4 units at 2 a second
        let off = RateLimiter(rate: 0, burst: 0)
        #expect((0..<1000).allSatisfy { _ in off.take("a") == nil })
    }
}
