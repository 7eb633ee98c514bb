// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Testing

/// One measured wake-up: a `/sync` long-poll waits on one instance while a write goes through
/// another (docs/STORE.md "Wake-ups across instances").
///
/// The write starts 300 ms after the long-poll was sent, early in the poll's first 1 s
/// re-check slice (SyncController): woken by the change feed, the poll returns tens of
/// milliseconds after the write; relying on the re-check alone, about 700 ms after it. A median
/// under 500 ms over several rounds therefore shows the feed at work.
struct ScaleOutWake: Sendable {
    let reply: RawHTTP.Reply
    /// From the start of the write's request to the long-poll's answer.
    let fromWrite: Duration
    /// From the write's answer to the long-poll's answer.
    let fromAcknowledged: Duration

    static let pause = Duration.milliseconds(300)

    /// Long-polls `user`'s sync on `port` from `since` (30 s), runs `write` after ``pause``, and
    /// times the poll's answer.
    static func measure(_ user: TestUser, on port: Int, since: String,
                        write: @Sendable () async throws -> Void) async throws -> ScaleOutWake {
        try await measuring(user, on: port, since: since, write: write).wake
    }

    /// ``measure(_:on:since:write:)`` for a write with a result.
    static func measuring<T: Sendable>(_ user: TestUser, on port: Int, since: String,
                                       write: @Sendable () async throws -> T) async throws -> (wake: ScaleOutWake, result: T) {
        async let poll = timedSync(user, port: port, since: since)
        try await Task.sleep(for: pause)
        let writeStarted = ContinuousClock.now
        let result = try await write()
        let acknowledged = ContinuousClock.now
        let (reply, answered) = try await poll
        return (ScaleOutWake(reply: reply, fromWrite: answered - writeStarted, fromAcknowledged: answered - acknowledged), result)
    }

    private static func timedSync(_ user: TestUser, port: Int, since: String) async throws -> (RawHTTP.Reply, ContinuousClock.Instant) {
        let reply = try await ScaleOutHTTP.sync(port: port, user, since: since, timeoutMs: 30_000)
        return (reply, ContinuousClock.now)
    }
}

extension Duration {
    /// Whole milliseconds, for messages.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

extension Array where Element == ScaleOutWake {
    /// The median delay from the write's start, in milliseconds.
    var medianMilliseconds: Int {
        let sorted = map(\.fromWrite.milliseconds).sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    var maxMilliseconds: Int { map(\.fromWrite.milliseconds).max() ?? 0 }

    /// "write→answer / ack→answer" of each round, in milliseconds.
    var summary: String {
        "median \(medianMilliseconds) ms, max \(maxMilliseconds) ms; rounds (write→answer/ack→answer ms): "
            + map { "\($0.fromWrite.milliseconds)/\($0.fromAcknowledged.milliseconds)" }.joined(separator: " ")
    }
}
