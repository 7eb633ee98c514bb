// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Logging

/// Everything `keymesh serve` can be told. Each field has a flag and an environment variable
/// (`keymesh serve --help` lists them); the defaults start a usable server with no set-up.
public struct ServerConfig: Sendable {
    /// Who may create accounts.
    public enum Registration: String, Sendable, CaseIterable {
        /// Anyone, through the `m.login.dummy` flow.
        case open
        /// Only operators holding the shared secret.
        case sharedSecret = "shared-secret"
        /// Nobody.
        case closed
    }

    public var host = "127.0.0.1"
    public var port = 8008
    /// Folder for the SQLite database (`keymesh.sqlite`), created on first start.
    public var dataDirectory = "./data"
    /// The Matrix server name in user ids (`@alice:<serverName>`).
    public var serverName = "localhost"
    public var registration = Registration.open
    public var logLevel = Logger.Level.info

    public init() {}

    /// The database file inside ``dataDirectory``.
    public var databasePath: String { dataDirectory + "/keymesh.sqlite" }
}
