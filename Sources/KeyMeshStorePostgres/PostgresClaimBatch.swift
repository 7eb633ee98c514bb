// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Logging
import PostgresNIO
import Synchronization

/// Group commit for `/keys/claim` on PostgreSQL (docs/STORE.md "PostgreSQL", "Claims share
/// commits"). Every claim takes a stream position, and the position row's lock is held until
/// the commit is on disk, so claims one transaction each would run one fsync after another.
/// Claims that arrive while a batch runs wait and then run together in the next transaction:
/// each claim's statements in arrival order, then one position for all of them, then one
/// commit. Nobody hears of a key before the commit (durability unchanged), and a key is still
/// taken by one statement that deletes it (PostgresStore+KeyClaims.swift), so sharing a
/// transaction changes nothing about who gets which key.
///
/// A claim's statements cannot fail on their own (the inputs were checked before, conflicts
/// are `DO NOTHING`); if a batch fails anyway, each of its claims is run again alone, so one
/// request's failure is its own. A batch PostgreSQL aborted as a deadlock or serialization
/// failure is run again whole (``PostgresStore/write(_:)``).
final class PostgresClaimBatch: Sendable {
    private struct Job: Sendable {
        let requests: [ClaimRequest]
        let continuation: CheckedContinuation<[ClaimedKey], any Error>
    }

    private struct State {
        var pending: [Job] = []
        var running = 0
    }

    /// The most claim requests one transaction takes (bounds how long the position lock is held).
    static let maxBatch = 64
    /// Batches running at once on one instance: one commits while the next gathers its claims
    /// and runs its statements, up to the position lock.
    static let maxRunning = 2

    private let state = Mutex(State())

    /// Claims `requests` (checked by the caller) in a transaction of `store` possibly shared with
    /// other claims, and returns the keys once it has committed.
    func claim(_ requests: [ClaimRequest], store: PostgresStore) async throws -> [ClaimedKey] {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { state in
                state.pending.append(Job(requests: requests, continuation: continuation))
                guard state.running < Self.maxRunning else { return false }
                state.running += 1
                return true
            }
            if start { Task { await self.drain(store) } }
        }
    }

    /// Runs batches until nothing is pending.
    private func drain(_ store: PostgresStore) async {
        while true {
            let batch = state.withLock { state -> [Job] in
                var taken = 0
                var count = 0
                for job in state.pending {
                    guard taken == 0 || count + job.requests.count <= Self.maxBatch else { break }
                    taken += 1
                    count += job.requests.count
                }
                let batch = Array(state.pending.prefix(taken))
                state.pending.removeFirst(taken)
                if batch.isEmpty { state.running -= 1 }
                return batch
            }
            guard !batch.isEmpty else { return }
            await run(batch, store)
        }
    }

    private func run(_ batch: [Job], _ store: PostgresStore) async {
        let logger = store.logger
        do {
            let results = try await store.write { connection in
                var results: [[ClaimedKey]] = []
                for job in batch { results.append(try await PostgresStore.claimKeys(connection, job.requests, logger: logger)) }
                try await PostgresStore.recordClaimPositions(connection, results.flatMap { $0 }, logger: logger)
                return results
            }
            for (job, claimed) in zip(batch, results) { job.continuation.resume(returning: claimed) }
        } catch where batch.count > 1 {
            // no request's failure is another's: each again on its own
            for job in batch { await run([job], store) }
        } catch {
            for job in batch { job.continuation.resume(throwing: error) }
        }
    }
}
