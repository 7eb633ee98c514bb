// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Synchronization

/// A token bucket per key (a requesting user, a client address): `rate` units a second, up to
/// `burst` saved. A rate of 0 turns the limit off. Kept in process memory: with several server
/// processes each enforces its own buckets (docs/SERVER.md).
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: TimeInterval
    }

    let rate: Double
    let burst: Double
    /// Keys remembered at most; beyond, the fullest buckets are forgotten (a forgotten key
    /// starts again with a full bucket, which it nearly had).
    let maxKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    init(rate: Double, burst: Double, maxKeys: Int = 100_000) {
        self.rate = rate
        self.burst = max(burst, rate > 0 ? 1 : 0)
        self.maxKeys = max(1, maxKeys)
    }

    convenience init(_ limit: AuthLimits.Rate) {
        self.init(rate: limit.perSecond, burst: limit.burst)
    }

    /// Takes `cost` units for `key`; returns nil if allowed, else how long to wait (ms) before
    /// the same request would pass. A cost above the burst is charged as the burst (it passes
    /// when the bucket is full and empties it), so no request is refused forever.
    func take(_ key: String, cost: Double = 1, now: TimeInterval = Date().timeIntervalSinceReferenceDate) -> Int? {
        guard rate > 0 else { return nil }
        let cost = min(cost, burst)
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now - bucket.updated) * rate)
            bucket.updated = now
            defer {
                buckets[key] = bucket
                if buckets.count > maxKeys { prune(&buckets, now: now) }
            }
            guard bucket.tokens >= cost else { return max(1, Int(((cost - bucket.tokens) / rate * 1000).rounded(.up))) }
            bucket.tokens -= cost
            return nil
        }
    }

    /// Gives back `cost` units taken for `key` (a login that turned out to be right).
    func refund(_ key: String, cost: Double = 1) {
        guard rate > 0 else { return }
        buckets.withLock { buckets in
            if var bucket = buckets[key] {
                bucket.tokens = min(burst, bucket.tokens + cost)
                buckets[key] = bucket
            }
        }
    }

    /// Forgets refilled buckets; if that is not enough, keeps the half that are emptiest (the
    /// keys being limited). Runs once per `maxKeys / 2` new keys at most, so its cost is amortised.
    private func prune(_ buckets: inout [String: Bucket], now: TimeInterval) {
        let level: (Bucket) -> Double = { min(self.burst, $0.tokens + max(0, now - $0.updated) * self.rate) }
        buckets = buckets.filter { level($0.value) < burst }
        if buckets.count > maxKeys / 2 {
            let kept = buckets.sorted { level($0.value) < level($1.value) }.prefix(maxKeys / 2)
            var smaller: [String: Bucket] = [:]
            for (key, bucket) in kept { smaller[key] = bucket }  // keys are unique: they came from a dictionary
            buckets = smaller
        }
    }

    /// Number of keys remembered (tests).
    var keyCount: Int { buckets.withLock { $0.count } }

    /// 429 `M_LIMIT_EXCEEDED` with `retry_after_ms` and `Retry-After`.
    static func limited(retryAfterMs: Int) -> MatrixError {
        MatrixError(.tooManyRequests, "M_LIMIT_EXCEEDED", "Too many requests",
                    extra: ["retry_after_ms": .int(Int64(retryAfterMs))],
                    headers: [.retryAfter: String((retryAfterMs + 999) / 1000)])
    }
}
