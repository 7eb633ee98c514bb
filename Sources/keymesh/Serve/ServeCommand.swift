// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshServer
import Logging

/// `keymesh serve`: the key server on the embedded SQLite store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the KeyMesh key server (Matrix client-server API) on the embedded SQLite store.",
        discussion: "Every option can also be set by the environment variable shown; a flag wins over the variable.")

    @Option(help: "Address to listen on (KEYMESH_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (KEYMESH_PORT; default 8008).")
    var port: Int?

    @Option(help: "Folder for the database, created on first start (KEYMESH_DATA_DIR; default ./data).")
    var dataDir: String?

    @Option(help: "Matrix server name used in user ids (KEYMESH_SERVER_NAME; default localhost). Used once registration is served.")
    var serverName: String?

    @Option(help: "Who may register: open, shared-secret or closed (KEYMESH_REGISTRATION; default open). Validated now; takes effect once registration is served.")
    var registration: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (KEYMESH_LOG_LEVEL; default info).")
    var logLevel: String?

    func run() async throws {
        let config = try resolve(environment: ProcessInfo.processInfo.environment)
        try await buildApplication(config: config).runService()
    }

    /// Flags first, then environment variables, then defaults.
    func resolve(environment: [String: String]) throws -> ServerConfig {
        var config = ServerConfig()
        if let host = host ?? environment["KEYMESH_HOST"] { config.host = host }
        if let text = port.map(String.init) ?? environment["KEYMESH_PORT"] {
            guard let value = Int(text), (1...65535).contains(value) else { throw ValidationError("invalid port: \(text)") }
            config.port = value
        }
        if let dir = dataDir ?? environment["KEYMESH_DATA_DIR"] { config.dataDirectory = dir }
        if let name = serverName ?? environment["KEYMESH_SERVER_NAME"] { config.serverName = name }
        if let text = registration ?? environment["KEYMESH_REGISTRATION"] {
            guard let value = ServerConfig.Registration(rawValue: text) else {
                throw ValidationError("invalid registration mode: \(text) (open, shared-secret or closed)")
            }
            config.registration = value
        }
        if let text = logLevel ?? environment["KEYMESH_LOG_LEVEL"] {
            guard let value = Logger.Level(rawValue: text) else { throw ValidationError("invalid log level: \(text)") }
            config.logLevel = value
        }
        return config
    }
}
