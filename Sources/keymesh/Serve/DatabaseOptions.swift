// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshStore
import KeyMeshStorePostgres
import KeyMeshStoreSQLite
import Logging

/// Which store `keymesh serve` runs on (docs/DEPLOY.md "Configuration"): the embedded SQLite
/// file in the data directory by default, or PostgreSQL with `--database postgres://…`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "The store: postgres://USER@HOST:PORT/DATABASE[?sslmode=disable|prefer|require] for PostgreSQL, or sqlite:PATH (KEYMESH_DATABASE; default the SQLite file keymesh.sqlite in the data directory). A password is taken from KEYMESH_DATABASE (the URL in the environment), --database-password-file, KEYMESH_DATABASE_PASSWORD or PGPASSWORD, never from this flag.")
    var database: String?

    @Option(help: "File holding the PostgreSQL password; a trailing newline is ignored (KEYMESH_DATABASE_PASSWORD_FILE).")
    var databasePasswordFile: String?

    @Option(help: "PostgreSQL connections this instance keeps at most (KEYMESH_DATABASE_CONNECTIONS; default 16).")
    var databaseConnections: Int?

    /// Where the store is, from the flags, then the environment, then the default.
    func location(environment: [String: String], defaultSQLitePath: String) throws -> StoreLocation {
        try StoreLocation.resolve(flag: database, environment: environment, passwordFile: databasePasswordFile,
                                  defaultSQLitePath: defaultSQLitePath)
    }

    /// The PostgreSQL pool size.
    func connections(environment: [String: String]) throws -> Int {
        try ServeSetting.integer(databaseConnections, "KEYMESH_DATABASE_CONNECTIONS", environment, minimum: 1) ?? 16
    }
}

/// A store to open: the embedded file or a PostgreSQL database.
enum StoreLocation: Equatable {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// Parses `sqlite:PATH` or a `postgres://` URL given as `text`; `fromFlag` refuses a
    /// password inside the URL (a flag's value shows in the process list).
    static func parse(_ text: String, fromFlag: Bool) throws -> StoreLocation {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ValidationError("sqlite: needs a path, as in sqlite:./data/keymesh.sqlite") }
            return .sqlite(path: path)
        }
        let location: PostgresLocation
        do { location = try PostgresLocation(url: text) } catch { throw ValidationError("\(error)") }
        if fromFlag, location.password != nil {
            throw ValidationError("""
                the --database URL holds a password, which every user of this machine can read in the process list: \
                put the URL in KEYMESH_DATABASE, or the password in --database-password-file or KEYMESH_DATABASE_PASSWORD
                """)
        }
        return .postgres(location)
    }

    static func resolve(flag: String?, environment: [String: String], passwordFile: String?,
                        defaultSQLitePath: String) throws -> StoreLocation {
        let text = flag ?? environment["KEYMESH_DATABASE"]
        guard let text, !text.isEmpty else { return .sqlite(path: defaultSQLitePath) }
        var location = try parse(text, fromFlag: flag != nil)
        if case .postgres(var postgres) = location, postgres.password == nil {
            if let path = passwordFile ?? environment["KEYMESH_DATABASE_PASSWORD_FILE"] {
                postgres.password = try SecretFile.read(path, what: "database password")
            } else {
                postgres.password = environment["KEYMESH_DATABASE_PASSWORD"] ?? environment["PGPASSWORD"]
            }
            location = .postgres(postgres)
        }
        return location
    }
}

/// An opened store and how to close it.
struct OpenedStore {
    let store: any ServerStore
    let close: @Sendable () async -> Void

    /// Opens (and migrates) the store at `location`; the data directory is created for SQLite.
    static func open(_ location: StoreLocation, connections: Int, logger: Logger) async throws -> OpenedStore {
        switch location {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let store = try SQLiteStore(path: path)
            logger.info("store opened", metadata: ["database": "sqlite:\(path)"])
            return OpenedStore(store: store, close: {})
        case .postgres(let postgres):
            let store = try await PostgresStore(postgres, maxConnections: connections, logger: logger)
            logger.info("store opened", metadata: ["database": "\(postgres)"])
            return OpenedStore(store: store, close: { await store.close() })
        }
    }
}
