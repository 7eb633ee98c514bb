// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import GRDB
import Synchronization

/// Group commit: write requests that arrive while a write transaction is running are gathered
/// and run together in the next one, so many concurrent claims or uploads share one commit (one
/// fsync) instead of paying one each. Durability is unchanged (`synchronous=FULL`: nobody hears
/// "done" before the commit is on disk) and so is atomicity: every request runs in its own
/// savepoint, so a request that throws is rolled back alone and gets its own error, while the
/// others in the batch commit. A failed commit fails every request of the batch.
final class GroupCommit: Sendable {
    private struct Job: Sendable {
        /// Runs the request inside its savepoint and keeps its result.
        let run: @Sendable (Database) throws -> Void
        /// Reports the outcome once the transaction is over: nil = committed.
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var draining = false
    }

    /// The most requests one transaction takes (bounds how long the write lock is held).
    static let maxBatch = 256

    private let pool: DatabasePool
    private let state = Mutex(State())

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` in a write transaction, possibly shared with other requests, and returns its
    /// result after the transaction has committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let result = Mutex<Result<T, any Error>?>(nil)
            let job = Job(
                run: { db in
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try body(db)
                            return .commit
                        }
                        if let value { result.withLock { $0 = .success(value) } }
                    } catch {
                        result.withLock { $0 = .failure(error) }  // rolled back alone
                    }
                },
                finish: { commitError in
                    if let commitError { return continuation.resume(throwing: commitError) }
                    switch result.withLock({ $0 }) {
                    case .success(let value): continuation.resume(returning: value)
                    case .failure(let error): continuation.resume(throwing: error)
                    case nil: continuation.resume(throwing: DatabaseError(resultCode: .SQLITE_ERROR, message: "write produced no result"))
                    }
                })
            let start = state.withLock { state in
                state.pending.append(job)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    /// Runs batches until nothing is pending.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Job] in
                let batch = Array(state.pending.prefix(Self.maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try await pool.write { db in
                    for job in batch { try job.run(db) }
                }
                for job in batch { job.finish(nil) }
            } catch {
                for job in batch { job.finish(error) }
            }
        }
    }
}
