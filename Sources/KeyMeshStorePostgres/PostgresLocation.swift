// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation

/// Where a PostgreSQL store lives: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`
/// (docs/DEPLOY.md "Configuration"). `postgresql://` is accepted too. The password is kept out
/// of ``description``, so a location can be logged.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable {
        /// Plain TCP (loopback, or a private network the operator trusts).
        case disable
        /// TLS when the server offers it (PostgreSQL's default).
        case prefer
        /// TLS or no connection.
        case require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, user: String, database: String, password: String? = nil,
                tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.tls = tls
    }

    /// Parses a `postgres://` URL. - Throws: ``PostgresLocationError``.
    public init(url text: String) throws {
        guard text.utf8.count <= 2048, !text.utf8.contains(0) else { throw PostgresLocationError.malformed("too long or holds NUL") }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"),
              let components = URLComponents(string: text) else {
            throw PostgresLocationError.malformed("expected postgres://user@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresLocationError.malformed("no host") }
        guard let user = components.user, !user.isEmpty else { throw PostgresLocationError.malformed("no user") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else { throw PostgresLocationError.malformed("no database name") }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else { throw PostgresLocationError.malformed("unknown parameter \(item.name)") }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw PostgresLocationError.malformed("sslmode must be disable, prefer or require")
            }
            tls = mode
        }
        self.init(host: host, port: components.port ?? 5432, user: user, database: path,
                  password: components.password, tls: tls)
        if let port = components.port, !(1...65535).contains(port) { throw PostgresLocationError.malformed("bad port") }
    }

    /// The URL without its password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)" }
}

/// Why a PostgreSQL location was refused.
public enum PostgresLocationError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let why): "invalid PostgreSQL URL: \(why)"
        }
    }
}
