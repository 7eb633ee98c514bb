// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Logging
import NIOSSL
import PostgresNIO

/// Creating and dropping whole databases on the cluster a ``PostgresLocation`` names, for tools
/// that need a fresh database each (the tests, `keymesh bench store`). The role must have
/// `CREATEDB`. CREATE/DROP DATABASE take no bind parameters, so only names made of ASCII
/// letters, digits and `_` (at most 63 bytes, PostgreSQL's limit) are accepted.
public enum PostgresDatabaseAdmin {
    /// Creates `name` on the cluster of `location` (connecting to `location.database`).
    public static func create(_ name: String, at location: PostgresLocation,
                              logger: Logger = Logger(label: "keymesh.postgres.admin")) async throws {
        try await run("CREATE DATABASE \(try checked(name))", at: location, logger: logger)
    }

    /// Drops `name` if it exists, ending other connections to it first (`WITH (FORCE)`,
    /// PostgreSQL 13 and later).
    public static func drop(_ name: String, at location: PostgresLocation,
                            logger: Logger = Logger(label: "keymesh.postgres.admin")) async throws {
        try await run("DROP DATABASE IF EXISTS \(try checked(name)) WITH (FORCE)", at: location, logger: logger)
    }

    static func checked(_ name: String) throws -> String {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), bytes.allSatisfy({ $0 == 0x5F || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0)
            || (0x41...0x5A).contains($0) }), !(0x30...0x39).contains(bytes[0]) else {
            throw PostgresLocationError.malformed("a database name here is 1-63 ASCII letters, digits or _, not starting with a digit")
        }
        return name
    }

    private static func run(_ sql: String, at location: PostgresLocation, logger: Logger) async throws {
        let tls: PostgresConnection.Configuration.TLS = switch location.tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        let configuration = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                             password: location.password, database: location.database, tls: tls)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}
