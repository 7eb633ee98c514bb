// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import ServiceLifecycle

/// Wakes this process's `/sync` long-polls for the users other instances announce through the
/// store's ``ChangeFeed`` (docs/STORE.md "Wake-ups across instances"). Runs beside the HTTP
/// server for the application's lifetime; an empty announcement (the feed reconnected and may
/// have missed some) wakes every waiter.
struct WakeupListener: Service {
    let store: any ChangeFeed
    let notifier: SyncNotifier

    func run() async throws {
        let announcements = store.announcements()
        let notifier = self.notifier
        // cancelled at graceful shutdown: the store closes only after the services stop, so the
        // stream must not be what ends the loop (SIGTERM would wait for ever)
        await cancelWhenGracefulShutdown {
            for await users in announcements {
                if users.isEmpty { notifier.notifyAll() } else { notifier.notify(users, announce: false) }
            }
        }
        // the stream ends when the store closes; cancellation ends the loop through the stream.
        // A feed that never announces (SQLite's) ends at once: stay until shutdown, because a
        // service that returns early fails the whole service group
        try? await gracefulShutdown()
    }
}
