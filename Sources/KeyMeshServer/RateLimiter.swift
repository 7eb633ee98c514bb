// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Synchronization

/// A token bucket per key (the requesting user): `rate` units a second, up to `burst` saved.
/// A rate of 0 turns the limit off. Kept in process memory: with several server processes each
/// enforces its own bucket (docs/SERVER.md).
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: TimeInterval
    }

    let rate: Double
    let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Takes `cost` units for `key`; returns nil if allowed, else how long to wait (ms).
    func take(_ key: String, cost: Double = 1, now: TimeInterval = Date().timeIntervalSinceReferenceDate) -> Int? {
        guard rate > 0 else { return nil }
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            defer {
                buckets[key] = bucket
                if buckets.count > 100_000 { buckets = buckets.filter { $0.value.tokens < burst } }  // forget idle users
            }
            guard bucket.tokens >= cost else { return Int(((cost - bucket.tokens) / rate * 1000).rounded(.up)) }
            bucket.tokens -= cost
            return nil
        }
    }

    /// 429 `M_LIMIT_EXCEEDED` with `retry_after_ms` and `Retry-After`.
    static func limited(retryAfterMs: Int) -> MatrixError {
        MatrixError(.tooManyRequests, "M_LIMIT_EXCEEDED", "Too many requests",
                    extra: ["retry_after_ms": .int(Int64(retryAfterMs))],
                    headers: [.retryAfter: String((retryAfterMs + 999) / 1000)])
    }
}
