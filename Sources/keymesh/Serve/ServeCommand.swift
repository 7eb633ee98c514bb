// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshCrypto
import KeyMeshServer
import Logging

/// `keymesh serve`: the key server, on the embedded SQLite store or on PostgreSQL.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the KeyMesh key server (Matrix client-server API) on the embedded SQLite store, or on PostgreSQL with --database.",
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

    @Option(help: "File holding the secret for operator registration at /_synapse/admin/v1/register, Synapse's format; a trailing newline is ignored (or the secret itself in KEYMESH_REGISTRATION_SHARED_SECRET; default none: off). A file, not the secret, so it never shows in the process list.")
    var registrationSharedSecretFile: String?

    @Option(help: "One-time keys each user may claim per second, bursts of ten seconds' worth; 0 turns the limit off (KEYMESH_CLAIM_RATE; default 100).")
    var claimRate: Double?

    @Option(help: "Largest request body in bytes; larger ones get 413 M_TOO_LARGE (KEYMESH_MAX_REQUEST_BYTES; default 1048576).")
    var maxRequestBytes: Int?

    @Option(help: "Argon2id cost of stored passwords: interactive, moderate, or minimum (tests only) (KEYMESH_PASSWORD_STRENGTH; default interactive).")
    var passwordStrength: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (KEYMESH_LOG_LEVEL; default info).")
    var logLevel: String?

    @OptionGroup var databaseOptions: DatabaseOptions

    @OptionGroup var keyLimits: KeyLimitOptions

    @OptionGroup var httpLimits: HTTPLimitOptions

    @OptionGroup var mslIssuer: MSLIssuerOptions

    @Option(help: "Devices one user may have; more is refused at login (KEYMESH_MAX_DEVICES_PER_USER; default 1000).")
    var maxDevicesPerUser: Int?

    @Option(help: "Undelivered to-device messages queued per device; a send beyond is refused (KEYMESH_MAX_QUEUED_TO_DEVICE; default 10000).")
    var maxQueuedToDevice: Int?

    @Option(help: "Messages one sendToDevice request may queue (KEYMESH_MAX_TO_DEVICE_PER_REQUEST; default 10000).")
    var maxToDevicePerRequest: Int?

    @Option(help: "Users one user may follow by querying their keys (KEYMESH_MAX_FOLLOWS_PER_USER; default 10000).")
    var maxFollowsPerUser: Int?

    @Option(help: "To-device transaction ids remembered per device (KEYMESH_TO_DEVICE_TRANSACTION_IDS; default 1000).")
    var toDeviceTransactionIds: Int?

    @Option(help: "Device-list changes kept for /sync and /keys/changes (KEYMESH_DEVICE_LIST_HISTORY; default 100000).")
    var deviceListHistory: Int?

    @Option(help: "Largest content of one to-device message, in bytes (KEYMESH_MAX_TO_DEVICE_BYTES; default 65536).")
    var maxToDeviceBytes: Int?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let config = try resolve(environment: environment)
        let location = try databaseOptions.location(environment: environment, defaultSQLitePath: config.databasePath)
        var logger = Logger(label: "keymesh")
        logger.logLevel = config.logLevel
        let opened = try await OpenedStore.open(location, connections: try databaseOptions.connections(environment: environment),
                                                logger: logger)
        do {
            try await buildApplication(config: config, store: opened.store).runService()
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
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
        if let path = registrationSharedSecretFile {
            config.registrationSharedSecret = try SecretFile.read(path, what: "registration shared secret")
        } else if let secret = environment["KEYMESH_REGISTRATION_SHARED_SECRET"] {
            config.registrationSharedSecret = secret
        }
        if config.effectiveRegistration == .sharedSecret, config.registrationSharedSecret?.isEmpty ?? true {
            throw ValidationError("""
                registration is shared-secret (the default on a non-loopback host) but no secret is set: \
                give KEYMESH_REGISTRATION_SHARED_SECRET (or --registration-shared-secret-file), or choose --registration open or closed
                """)
        }
        if let v = try ServeSetting.number(claimRate, "KEYMESH_CLAIM_RATE", environment, minimum: 0) { config.claimRate = v }
        if let v = try ServeSetting.integer(maxRequestBytes, "KEYMESH_MAX_REQUEST_BYTES", environment, minimum: 1024) {
            config.maxRequestBytes = v
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
        try keyLimits.apply(to: &config, environment: environment)
        try httpLimits.apply(to: &config, environment: environment)
        try mslIssuer.apply(to: &config, environment: environment)
        try resolveEventLimits(environment: environment, into: &config)
        return config
    }
}

extension ServeCommand {
    /// The per-user and per-device limits of accounts, to-device messages and device lists.
    func resolveEventLimits(environment: [String: String], into config: inout ServerConfig) throws {
        if let v = try ServeSetting.integer(maxDevicesPerUser, "KEYMESH_MAX_DEVICES_PER_USER", environment) { config.maxDevicesPerUser = v }
        if let v = try ServeSetting.integer(maxQueuedToDevice, "KEYMESH_MAX_QUEUED_TO_DEVICE", environment) { config.maxQueuedToDevice = v }
        if let v = try ServeSetting.integer(maxToDevicePerRequest, "KEYMESH_MAX_TO_DEVICE_PER_REQUEST", environment) {
            config.maxToDevicePerRequest = v
        }
        if let v = try ServeSetting.integer(maxFollowsPerUser, "KEYMESH_MAX_FOLLOWS_PER_USER", environment) { config.maxFollowsPerUser = v }
        if let v = try ServeSetting.integer(toDeviceTransactionIds, "KEYMESH_TO_DEVICE_TRANSACTION_IDS", environment) {
            config.toDeviceTransactionIDs = v
        }
        if let v = try ServeSetting.integer(deviceListHistory, "KEYMESH_DEVICE_LIST_HISTORY", environment) { config.deviceListHistory = v }
        if let v = try ServeSetting.integer(maxToDeviceBytes, "KEYMESH_MAX_TO_DEVICE_BYTES", environment) { config.maxToDeviceBytes = v }
    }
}
