// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Synchronization

/// Wakes long-polling `/sync` requests of this process when something they may report was
/// written, and announces the same users to the other processes sharing the store through its
/// ``ChangeFeed`` (``WakeupListener`` wakes them there). A waiter always re-reads the store
/// after waking, so a spurious wake is harmless; a lost announcement is made up for because
/// ``SyncController`` waits in slices and re-reads between them.
final class SyncNotifier: Sendable {
    private struct Waiter {
        let userID: String
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var nextID: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        /// Ids finished (timed out, cancelled) before their continuation was stored.
        var finishedEarly: Set<UInt64> = []
    }

    private let state = Mutex(State())
    private let feed: any ChangeFeed

    init(feed: any ChangeFeed = SilentChangeFeed()) {
        self.feed = feed
    }

    /// Returns when `userID` is notified, `timeout` passes, or the task is cancelled.
    func wait(for userID: String, timeout: Duration) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task {
            do { try await Task.sleep(for: timeout) } catch { return }
            self.finish(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.finishedEarly.remove(id) != nil { return true }
                    state.waiters[id] = Waiter(userID: userID, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            finish(id)
        }
        timer.cancel()
        await timer.value
        state.withLock { _ = $0.finishedEarly.remove(id) }
    }

    /// How many long-polls are waiting now (for tests of who is woken).
    var waiterCount: Int { state.withLock { $0.waiters.count } }

    /// Wakes the waiters of these users here and, with `announce`, in the other processes.
    func notify(_ users: some Sequence<String>, announce: Bool = true) {
        let wanted = Set(users)
        if announce, !wanted.isEmpty {
            let feed = feed
            Task { await feed.announce(Array(wanted)) }
        }
        let woken = state.withLock { state in
            let ids = state.waiters.filter { wanted.contains($0.value.userID) }.map(\.key)
            return ids.compactMap { state.waiters.removeValue(forKey: $0)?.continuation }
        }
        woken.forEach { $0.resume() }
    }

    /// Wakes every waiter: only when the store cannot say who a change concerns
    /// (``ServerState/deviceListChanged(_:)`` wakes just the user and its followers).
    func notifyAll() {
        let woken = state.withLock { state in
            defer { state.waiters = [:] }
            return state.waiters.values.map(\.continuation)
        }
        woken.forEach { $0.resume() }
    }

    private func finish(_ id: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter.continuation }
            state.finishedEarly.insert(id)
            return nil
        }
        continuation?.resume()
    }
}
