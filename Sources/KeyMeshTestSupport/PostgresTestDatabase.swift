// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Logging
import KeyMeshStorePostgres

/// A fresh, empty PostgreSQL database for one test (docs/STORE.md "PostgreSQL").
///
/// The cluster comes from the environment: `KEYMESH_TEST_POSTGRES` is a
/// `postgres://USER@HOST:PORT/DATABASE[?sslmode=disable|prefer|require]` URL of a role that may
/// `CREATE DATABASE` (no password in it), `KEYMESH_TEST_POSTGRES_PASSWORD` its password (may be
/// unset for trust authentication). ``create()`` makes a database `keymesh_test_<random>` on
/// that cluster; the fields are what `PostgresLocation(host:port:user:database:password:tls:)`
/// takes. The password is kept out of ``description``.
public struct PostgresTestDatabase: Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let user: String
    public let password: String?
    /// The new database's name.
    public let database: String
    /// `disable`, `prefer` or `require` (the URL's `sslmode`; `disable` when absent).
    public let sslmode: String

    /// Whether PostgreSQL-backed tests run, skip or fail (docs/TESTING.md: skip loudly when
    /// unset, but with `CI=true` a missing PostgreSQL is a defect).
    public enum Availability: Sendable, Equatable {
        case available
        case skip(String)
        case fail(String)

        public var isAvailable: Bool { self == .available }
    }

    /// What the environment of this process says.
    public static var availability: Availability {
        availability(environment: ProcessInfo.processInfo.environment)
    }

    /// ``availability`` for a given environment (a seam for tests of this rule).
    public static func availability(environment: [String: String]) -> Availability {
        let isCI = environment["CI"]?.lowercased() == "true"
        guard let url = environment["KEYMESH_TEST_POSTGRES"], !url.isEmpty else {
            let why = "KEYMESH_TEST_POSTGRES is not set: PostgreSQL store tests do not run"
            return isCI ? .fail(why + " (CI=true: CI installs PostgreSQL, so this is a defect)")
                        : .skip(why + " (source a pg.env or set it to run them)")
        }
        do {
            _ = try Server(url: url)
            return .available
        } catch {
            return .fail("KEYMESH_TEST_POSTGRES is not usable: \(error)")
        }
    }

    /// Creates `keymesh_test_<random>` on the cluster named by the environment.
    /// - Throws: ``PostgresTestDatabaseError`` when the environment names no usable cluster,
    ///   or PostgreSQL's error when it cannot be reached or refuses.
    public static func create(logger: Logger = Logger(label: "keymesh.test.postgres")) async throws -> PostgresTestDatabase {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["KEYMESH_TEST_POSTGRES"], !url.isEmpty else { throw PostgresTestDatabaseError.notConfigured }
        let server = try Server(url: url)
        let password = environment["KEYMESH_TEST_POSTGRES_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        let name = "keymesh_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresDatabaseAdmin.create(name, at: server.location(password: password), logger: logger)
        return PostgresTestDatabase(host: server.host, port: server.port, user: server.user, password: password,
                                    database: name, sslmode: server.sslmode)
    }

    /// Drops this database (optional: they are small and CI machines are fresh). Other
    /// connections to it are ended first (`WITH (FORCE)`, PostgreSQL 13 and later).
    public func drop(logger: Logger = Logger(label: "keymesh.test.postgres")) async throws {
        let server = Server(host: host, port: port, user: user, database: "postgres", sslmode: sslmode)
        guard database.hasPrefix("keymesh_test_"), database.utf8.allSatisfy({ $0 == 0x5F || $0.isASCIIAlphanumeric }) else {
            throw PostgresTestDatabaseError.malformed("refusing to drop \(database)")
        }
        try await PostgresDatabaseAdmin.drop(database, at: server.location(password: password), logger: logger)
    }

    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(sslmode)" }

    /// The administrative connection target parsed from the URL.
    struct Server {
        var host: String
        var port: Int
        var user: String
        var database: String
        var sslmode: String

        init(host: String, port: Int, user: String, database: String, sslmode: String) {
            self.host = host
            self.port = port
            self.user = user
            self.database = database
            self.sslmode = sslmode
        }

        init(url: String) throws {
            guard url.utf8.count <= 2048, url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
                  let components = URLComponents(string: url) else {
                throw PostgresTestDatabaseError.malformed("expected postgres://user@host:port/database")
            }
            guard components.password == nil else {
                throw PostgresTestDatabaseError.malformed("put the password in KEYMESH_TEST_POSTGRES_PASSWORD, not the URL")
            }
            guard let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty else {
                throw PostgresTestDatabaseError.malformed("no host or user")
            }
            var mode = "disable"
            for item in components.queryItems ?? [] {
                guard item.name == "sslmode", let value = item.value, ["disable", "prefer", "require"].contains(value) else {
                    throw PostgresTestDatabaseError.malformed("only sslmode=disable|prefer|require is understood")
                }
                mode = value
            }
            let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
            self.init(host: host, port: components.port ?? 5432, user: user, database: path.isEmpty ? "postgres" : path,
                      sslmode: mode)
        }

        /// This cluster's maintenance target, as the store module spells it.
        func location(password: String?) -> PostgresLocation {
            PostgresLocation(host: host, port: port, user: user, database: database, password: password,
                             tls: PostgresLocation.TLSMode(rawValue: sslmode) ?? .disable)
        }
    }
}

/// Why no test database could be made.
public enum PostgresTestDatabaseError: Error, Equatable, Sendable, CustomStringConvertible {
    case notConfigured
    case malformed(String)

    public var description: String {
        switch self {
        case .notConfigured: "KEYMESH_TEST_POSTGRES is not set"
        case .malformed(let why): "KEYMESH_TEST_POSTGRES: \(why)"
        }
    }
}

private extension UInt8 {
    var isASCIIAlphanumeric: Bool { (0x30...0x39).contains(self) || (0x61...0x7A).contains(self) || (0x41...0x5A).contains(self) }
}
