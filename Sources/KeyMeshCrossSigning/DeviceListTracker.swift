// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Which users' device lists a client tracks and which are outdated (docs/SERVER.md "Endpoints").
///
/// Every "outdated" mark gets a new generation number; a `/keys/query` records the generations
/// it started from, and its response clears a user's outdated flag only if no newer mark arrived
/// meanwhile. So an older response can never clear a newer outdated flag, however responses
/// and `device_lists.changed` interleave. A value type: persist it with the client's store.
public struct DeviceListTracker: Sendable, Equatable, Codable {
    /// A query in flight: the users it asks for and the generations they had when it started.
    public struct Query: Sendable, Equatable, Codable {
        public let generations: [String: UInt64]
        public var users: [String] { generations.keys.sorted() }
    }

    private var tracked: Set<String> = []
    private var outdated: [String: UInt64] = [:]  // user → generation of the newest mark
    private var nextGeneration: UInt64 = 1

    public init() {}

    /// Starts tracking users (new ones are outdated: their devices are not known yet).
    public mutating func track(_ users: some Sequence<String>) {
        for user in users where tracked.insert(user).inserted { mark(user) }
    }

    /// Stops tracking (e.g. `device_lists.left`).
    public mutating func untrack(_ users: some Sequence<String>) {
        for user in users {
            tracked.remove(user)
            outdated[user] = nil
        }
    }

    /// Marks tracked users outdated (`device_lists.changed`, `/keys/changes`); untracked users
    /// are ignored.
    public mutating func markOutdated(_ users: some Sequence<String>) {
        for user in users where tracked.contains(user) { mark(user) }
    }

    /// Marks every tracked user outdated: after a sync without `since` (an initial sync reports
    /// no changes, so anything may have changed while we were not following).
    public mutating func markAllOutdated() {
        for user in tracked { mark(user) }
    }

    public func isTracked(_ user: String) -> Bool { tracked.contains(user) }
    public func isOutdated(_ user: String) -> Bool { outdated[user] != nil }

    /// The outdated users, sorted: what the next `/keys/query` should ask for.
    public var outdatedUsers: [String] { outdated.keys.sorted() }

    /// Begins a query for the outdated users (or `users`, if given and outdated).
    public func beginQuery(for users: [String]? = nil) -> Query {
        let wanted = users.map { Set($0) } ?? Set(outdated.keys)
        return Query(generations: outdated.filter { wanted.contains($0.key) })
    }

    /// The query's response arrived and was stored: clears each user's outdated flag unless a
    /// newer mark came in after the query began.
    public mutating func finishQuery(_ query: Query) {
        for (user, generation) in query.generations where outdated[user] == generation {
            outdated[user] = nil
        }
    }

    private mutating func mark(_ user: String) {
        outdated[user] = nextGeneration
        nextGeneration += 1
    }
}
