// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Logging
import NIOSSL
import PostgresNIO

/// The scale-out store: the whole ``ServerStore`` in PostgreSQL, shared by any number of
/// `keymesh serve` processes (docs/STORE.md "PostgreSQL").
///
/// Every write is one transaction at PostgreSQL's READ COMMITTED level on a pooled
/// connection; what makes it enough is written where each write is (and summarised in
/// docs/STORE.md): one-time keys are claimed with `FOR UPDATE SKIP LOCKED` and deleted in the
/// same statement, and stream positions are handed out under the row lock of the single
/// `stream_position` row, held to commit, so positions commit in order. A transaction that
/// PostgreSQL aborts as a deadlock or serialization failure is run again, whole.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    let location: PostgresLocation
    let feed: PostgresChangeFeed
    /// Concurrent claims share transactions (``PostgresClaimBatch``).
    let claims = PostgresClaimBatch()
    private let runner: Task<Void, Never>

    /// How often a transaction PostgreSQL aborted (deadlock, serialization failure) is tried.
    static let attempts = 8

    /// Connects (the pool opens connections as requests need them, up to `maxConnections`),
    /// applies pending schema migrations and starts listening for other instances' wake-ups.
    /// - Throws: a PostgreSQL error if the database cannot be reached or migrated.
    public init(_ location: PostgresLocation, maxConnections: Int = 16,
                logger: Logger = Logger(label: "keymesh.postgres")) async throws {
        let configuration = Self.configuration(location, maxConnections: maxConnections)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.location = location
        runner = Task { await client.run() }
        feed = PostgresChangeFeed(client: client, logger: logger)
        do {
            try await PostgresSchema.migrate(self)
            try await feed.start()
        } catch {
            await close()
            throw error
        }
    }

    /// Stops listening and closes every connection.
    public func close() async {
        await feed.close()
        runner.cancel()
        await runner.value
    }

    static func configuration(_ location: PostgresLocation, maxConnections: Int) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch location.tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: location.host, port: location.port, username: location.user,
                                                         password: location.password, database: location.database, tls: tls)
        // one connection listens for wake-ups for the store's lifetime (PostgresChangeFeed): at least one more serves requests
        configuration.options.maximumConnections = max(2, maxConnections + 1)
        configuration.options.minimumConnections = 0
        return configuration
    }

    // MARK: - Transactions

    /// Runs `body` in one READ COMMITTED transaction on a pooled connection: committed if it
    /// returns, rolled back if it throws (the error is rethrown as is, typed). A transaction
    /// PostgreSQL aborted as a deadlock or serialization failure runs again from the start.
    func write<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    try await Self.transaction(connection, begin: "BEGIN", logger: logger, body)
                }
            } catch let error as PSQLError where attempt < Self.attempts && Self.isRetryable(error) {
                continue
            }
        }
    }

    /// Runs `body` in one REPEATABLE READ, READ ONLY transaction: every statement sees the same
    /// snapshot (a sync batch and the position it ends at agree).
    func snapshot<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await Self.transaction(connection, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger, body)
        }
    }

    /// Runs `body` on a pooled connection outside a transaction: each statement is its own
    /// snapshot. For reads of one statement.
    func read<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in try await body(connection) }
    }

    private static func transaction<T>(_ connection: PostgresConnection, begin: PostgresQuery, logger: Logger,
                                       _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await connection.query(begin, logger: logger)
        let value: T
        do {
            value = try await body(connection)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        try await connection.query("COMMIT", logger: logger)
        return value
    }

    /// Deadlock (40P01) or serialization failure (40001): PostgreSQL rolled the transaction
    /// back and running it again is correct.
    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }


    // MARK: - Shared statements

    /// Refuses text holding NUL (PostgreSQL refuses it too, with a less useful error;
    /// docs/SECURITY.md "Identifiers"). Every text this store binds goes through here.
    static func text(_ value: String) throws -> String {
        try StoredText.check(value)
        return value
    }

    /// Refuses a write for a device that no longer exists; call inside the write transaction.
    /// `FOR SHARE` holds the device row to commit, so a concurrent delete of the device waits
    /// for this write (or this write waits for the delete and then finds no row).
    static func requireDevice(_ connection: PostgresConnection, _ device: DeviceRef, logger: Logger) async throws {
        try StoredText.check(device)
        let rows = try await connection.query("""
            SELECT 1 FROM devices WHERE user_id = \(device.userID) AND device_id = \(device.deviceID) FOR SHARE
            """, logger: logger)
        for try await _ in rows { return }
        throw StoreError.deviceNotFound(device)
    }

    /// Hands out the next stream position; call inside a write transaction, as late as the
    /// transaction allows: the row lock it takes is held to commit, so a later writer waits
    /// here and positions become visible in order (docs/STORE.md "Stream positions").
    static func nextPosition(_ connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query(
            "UPDATE stream_position SET position = position + 1 WHERE only_row = 0 RETURNING position", logger: logger)
        for try await position in rows.decode(Int64.self) { return position }
        throw PostgresStoreError.corrupt("stream_position row missing")
    }

    /// Appends `userID` to the device-list stream; call inside a write transaction.
    static func recordDeviceListChange(_ connection: PostgresConnection, userID: String, ownerOnly: Bool = false,
                                       logger: Logger) async throws {
        let position = try await nextPosition(connection, logger: logger)
        try await connection.query("""
            INSERT INTO device_list_changes (position, user_id, owner_only) VALUES (\(position), \(try text(userID)), \(ownerOnly))
            """, logger: logger)
    }
}
