// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshStore
import Logging
import PostgresNIO
import Synchronization

/// Wake-ups between instances through PostgreSQL `LISTEN`/`NOTIFY` on the channel
/// `keymesh_sync` (docs/STORE.md "Wake-ups across instances").
///
/// A payload is this instance's id, then the user ids, one per line, cut into notifications of
/// at most ``payloadBytes`` (PostgreSQL's limit is 8000). One pooled connection listens for
/// the process's lifetime; when it drops, the feed reconnects with back-off and then yields an
/// empty array, so the server wakes every waiter (announcements in the gap were lost).
final class PostgresChangeFeed: Sendable {
    static let channel = "keymesh_sync"
    static let payloadBytes = 7_000

    private let client: PostgresClient
    private let logger: Logger
    /// Distinguishes this process's own notifications, which it skips.
    private let instanceID = UUID().uuidString
    private let subscribers = Mutex<[UUID: AsyncStream<[String]>.Continuation]>([:])
    private let listener = Mutex<Task<Void, Never>?>(nil)

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Starts listening and returns once the first `LISTEN` is in place, so an announcement
    /// made after the store opened reaches this instance.
    func start() async throws {
        let (ready, readySignal) = AsyncStream<Result<Void, any Error>>.makeStream()
        let task = Task { [self] in await self.listen(ready: readySignal) }
        listener.withLock { $0 = task }
        for await outcome in ready {
            try outcome.get()
            return
        }
    }

    func close() async {
        let task = listener.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        let continuations = subscribers.withLock { subscribers in
            defer { subscribers = [:] }
            return Array(subscribers.values)
        }
        continuations.forEach { $0.finish() }
    }

    private func listen(ready: AsyncStream<Result<Void, any Error>>.Continuation) async {
        var delay = Duration.milliseconds(100)
        var first = true
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        if first {
                            ready.yield(.success(()))
                            ready.finish()
                            first = false
                        } else {
                            logger.info("wake-up listener reconnected")
                            deliver([])  // announcements while disconnected are lost: wake everyone
                        }
                        delay = .milliseconds(100)
                        for try await notification in notifications { receive(notification.payload) }
                    }
                }
            } catch {
                if first {
                    ready.yield(.failure(error))
                    ready.finish()
                    return
                }
                guard !Task.isCancelled else { return }
                logger.warning("wake-up listener lost its connection", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    private func receive(_ payload: String) {
        var lines = payload.split(separator: "\n", omittingEmptySubsequences: true)
        guard let sender = lines.first, sender != instanceID else { return }
        lines.removeFirst()
        deliver(lines.map(String.init))
    }

    private func deliver(_ users: [String]) {
        let continuations = subscribers.withLock { Array($0.values) }
        for continuation in continuations { continuation.yield(users) }
    }

    func announce(_ users: [String]) async {
        for payload in Self.payloads(instanceID: instanceID, users: users) {
            do {
                try await client.query("SELECT pg_notify(\(Self.channel), \(payload))", logger: logger)
            } catch {
                logger.warning("wake-up announcement failed", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    func announcements() -> AsyncStream<[String]> {
        let (stream, continuation) = AsyncStream<[String]>.makeStream(bufferingPolicy: .bufferingNewest(1_024))
        let id = UUID()
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        return stream
    }

    /// The notification payloads announcing `users`: the instance id first, then as many ids
    /// as fit. Ids holding NUL or a line break cannot be sent and name nobody real; skipped.
    static func payloads(instanceID: String, users: [String]) -> [String] {
        var payloads: [String] = []
        var current = instanceID
        for user in Set(users) where !user.utf8.contains(0) && !user.contains("\n") && user.utf8.count < payloadBytes / 2 {
            if current.utf8.count + 1 + user.utf8.count > payloadBytes {
                payloads.append(current)
                current = instanceID
            }
            current += "\n" + user
        }
        if current != instanceID { payloads.append(current) }
        return payloads
    }
}

extension PostgresStore: ChangeFeed {
    public func announce(_ users: [String]) async { await feed.announce(users) }

    public func announcements() -> AsyncStream<[String]> { feed.announcements() }
}
