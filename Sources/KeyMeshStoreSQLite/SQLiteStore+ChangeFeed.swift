// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore

/// The embedded store has no channel between processes: several `keymesh serve` processes on
/// one SQLite file find each other's writes at the long-poll's re-check interval
/// (docs/STORE.md "Wake-ups across instances").
extension SQLiteStore: ChangeFeed {
    public func announce(_ users: [String]) async {}

    public func announcements() -> AsyncStream<[String]> { SilentChangeFeed().announcements() }
}
