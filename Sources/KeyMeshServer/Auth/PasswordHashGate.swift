// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Synchronization

/// At most `concurrency` password hashes at once; up to `queue` more wait their turn in
/// arrival order, and any beyond are refused at once with 429 `M_LIMIT_EXCEEDED`. Argon2id at
/// `interactive` takes 64 MiB per hash, so this bounds the memory an unauthenticated flood of
/// `/login` or `/register` can make the server use (docs/SECURITY.md "Limits").
final class PasswordHashGate: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Int?, Never>] = []
        /// Exponential average of a hash's duration, for a truthful `retry_after_ms`.
        var averageSeconds = 0.05
    }

    let concurrency: Int
    let queue: Int
    private let state = Mutex(State())

    init(concurrency: Int, queue: Int) {
        self.concurrency = max(1, concurrency)
        self.queue = max(0, queue)
    }

    /// Runs `work` in a slot, waiting for one if needed.
    /// - Throws: 429 `M_LIMIT_EXCEEDED` if the queue is full; `CancellationError` if the
    ///   request was cancelled while it waited; whatever `work` throws.
    func run<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        let start = ContinuousClock.now
        defer { release(took: ContinuousClock.now - start) }
        try Task.checkCancellation()
        return try await work()
    }

    private func acquire() async throws {
        // One lock decides and enqueues, so a release can never miss a waiter.
        let refusedRetryMs: Int? = await withCheckedContinuation { (continuation: CheckedContinuation<Int?, Never>) in
            let immediate: Int?? = state.withLock { state in
                if state.running < concurrency {
                    state.running += 1
                    return .some(nil)
                }
                guard state.waiting.count < queue else {
                    // the queue drains `concurrency` hashes per average hash time
                    let ahead = Double(state.waiting.count + state.running) / Double(concurrency)
                    return .some(max(1, Int((ahead * state.averageSeconds * 1000).rounded(.up))))
                }
                state.waiting.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        if let refusedRetryMs { throw RateLimiter.limited(retryAfterMs: refusedRetryMs) }
    }

    /// Hands the slot to the first waiter, or frees it.
    private func release(took duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let next: CheckedContinuation<Int?, Never>? = state.withLock { state in
            state.averageSeconds = state.averageSeconds * 0.8 + seconds * 0.2
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()  // the slot passes on: running stays
        }
        next?.resume(returning: nil)
    }

    /// Hashes running and waiting now (tests).
    var load: (running: Int, waiting: Int) { state.withLock { ($0.running, $0.waiting.count) } }
}
