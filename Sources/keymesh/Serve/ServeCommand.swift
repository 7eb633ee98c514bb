// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshCrypto
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

    @Option(help: "Matrix server name used in user ids, @name:<server-name> (KEYMESH_SERVER_NAME; default localhost).")
    var serverName: String?

    @Option(help: "Who may register through POST /register: open (m.login.dummy), shared-secret (operators only) or closed (KEYMESH_REGISTRATION; default open on a loopback host, shared-secret elsewhere).")
    var registration: String?

    @Option(help: "Secret for operator registration at /_synapse/admin/v1/register, Synapse's format (KEYMESH_REGISTRATION_SHARED_SECRET; default none: off).")
    var registrationSharedSecret: String?

    @Option(help: "One-time keys each user may claim per second, bursts of ten seconds' worth; 0 turns the limit off (KEYMESH_CLAIM_RATE; default 100).")
    var claimRate: Double?

    @Option(help: "Largest request body in bytes; larger ones get 413 M_TOO_LARGE (KEYMESH_MAX_REQUEST_BYTES; default 1048576).")
    var maxRequestBytes: Int?

    @Option(help: "Argon2id cost of stored passwords: interactive, moderate, or minimum (tests only) (KEYMESH_PASSWORD_STRENGTH; default interactive).")
    var passwordStrength: String?

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
        if let secret = registrationSharedSecret ?? environment["KEYMESH_REGISTRATION_SHARED_SECRET"] {
            config.registrationSharedSecret = secret
        }
        if config.effectiveRegistration == .sharedSecret, config.registrationSharedSecret?.isEmpty ?? true {
            throw ValidationError("""
                registration is shared-secret (the default on a non-loopback host) but no secret is set: \
                give KEYMESH_REGISTRATION_SHARED_SECRET (or --registration-shared-secret), or choose --registration open or closed
                """)
        }
        if let text = claimRate.map({ String($0) }) ?? environment["KEYMESH_CLAIM_RATE"] {
            guard let value = Double(text), value >= 0, value.isFinite else { throw ValidationError("invalid claim rate: \(text)") }
            config.claimRate = value
        }
        if let text = maxRequestBytes.map(String.init) ?? environment["KEYMESH_MAX_REQUEST_BYTES"] {
            guard let value = Int(text), value >= 1024 else { throw ValidationError("invalid max request bytes: \(text) (at least 1024)") }
            config.maxRequestBytes = value
        }
        if let text = passwordStrength ?? environment["KEYMESH_PASSWORD_STRENGTH"] {
            guard let value = PasswordHash.Strength(rawValue: text) else {
                throw ValidationError("invalid password strength: \(text) (interactive, moderate or minimum)")
            }
            config.passwordStrength = value
        }
        if let text = logLevel ?? environment["KEYMESH_LOG_LEVEL"] {
            guard let value = Logger.Level(rawValue: text) else { throw ValidationError("invalid log level: \(text)") }
            config.logLevel = value
        }
        return config
    }
}
