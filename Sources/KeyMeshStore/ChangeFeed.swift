// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// How server processes sharing one store tell each other that a user has something new to
/// sync (docs/STORE.md "Wake-ups across instances"). The process that wrote announces the
/// users after its transaction commits; every other process sharing the store receives them
/// and wakes its `/sync` long-polls for those users.
///
/// A wake-up is a hint, never the data: a woken long-poll re-reads the store, so a duplicate
/// announcement costs one read and a lost one costs at most the long-poll's re-check interval
/// (docs/SERVER.md "/sync").
public protocol ChangeFeed: Sendable {
    /// Tells the other processes that these users have something new. Returns once sent (or
    /// once sending failed: the failure is logged, never thrown, because the write it follows
    /// has committed already).
    func announce(_ users: [String]) async

    /// The announcements of the other processes, as they arrive, until the store closes. An
    /// empty array means "announcements may have been missed" (the feed reconnected): wake
    /// every waiter.
    func announcements() -> AsyncStream<[String]>
}

/// The feed of a store only one process writes to, or whose processes rely on the long-poll's
/// re-check interval alone (the embedded SQLite store): announces nothing, hears nothing.
public struct SilentChangeFeed: ChangeFeed {
    public init() {}

    public func announce(_ users: [String]) async {}

    public func announcements() -> AsyncStream<[String]> { AsyncStream { $0.finish() } }
}
