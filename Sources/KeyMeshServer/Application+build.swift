// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshStore
import KeyMeshStoreSQLite
import Logging

/// Builds the KeyMesh key server: the SQLite store under `config.dataDirectory` (created on
/// first start), the Matrix error middleware, and one controller per API area.
/// Run it with `try await buildApplication(config:).runService()`, which stops gracefully on
/// SIGINT/SIGTERM after in-flight requests finish.
public func buildApplication(config: ServerConfig) throws -> some ApplicationProtocol {
    var logger = Logger(label: "keymesh")
    logger.logLevel = config.logLevel
    try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
    // Opened before the port is bound, so migrations run and a bad data directory fails first.
    let store = try SQLiteStore(path: config.databasePath)
    logger.info("store opened", metadata: ["database": "\(config.databasePath)"])
    var config = config
    if config.msl.issuerKeys == nil {
        // docs/MSL.md §8: a single instance works out of the box; several are given this file
        config.msl.issuerKeys = try MSLKeyFile.readOrCreate(config.dataDirectory + "/" + MSLSettings.keyFileName)
    }
    _ = try MSLService(settings: config.msl, store: store)  // a policy the issuer refuses stops the server here
    logger.info("MSL issuer", metadata: ["key_id": "\(config.msl.issuerKeys?.keyID ?? "")"])
    logger.info("registration", metadata: ["mode": "\(config.effectiveRegistration.rawValue)",
                                           "shared_secret": "\(config.registrationSharedSecret == nil ? "off" : "on")"])
    return makeApplication(config: config, store: store, logger: logger)
}

/// The application on an opened store: the routes, on HTTP/1.1 with connection deadlines
/// (docs/SECURITY.md "Connections and deadlines").
func makeApplication(config: ServerConfig, store: any ServerStore, logger: Logger) -> some ApplicationProtocol {
    Application(
        router: buildRouter(state: ServerState(config: config, store: store)),
        server: .http1(deadlines: config.deadlines),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "KeyMesh"),
        logger: logger
    )
}

/// The routes, separate from the network so tests can drive them in-process: CORS, `OPTIONS`
/// and 405 around them (``MatrixRouter``), then the error middleware and one controller per area.
func buildRouter(state: ServerState) -> MatrixRouter<KeyMeshRequestContext> {
    let router = Router(context: KeyMeshRequestContext.self)
    let matrixRouter = MatrixRouter(router)
    router.add(middleware: MatrixErrorMiddleware())
    VersionsController().addRoutes(to: router)
    let account = AccountController<KeyMeshRequestContext>(state: state)
    account.addRoutes(to: router)
    AdminRegisterController(state: state, account: account).addRoutes(to: router)
    DevicesController(state: state).addRoutes(to: router)
    KeysController(state: state).addRoutes(to: router)
    CrossSigningController(state: state).addRoutes(to: router)
    ToDeviceController(state: state).addRoutes(to: router)
    SyncController(state: state).addRoutes(to: router)
    PushRulesController(state: state).addRoutes(to: router)
    FilterController(state: state).addRoutes(to: router)
    CapabilitiesController(state: state).addRoutes(to: router)
    ProfileController(state: state).addRoutes(to: router)
    RoomKeysController(state: state).addRoutes(to: router)
    AccountDataController(state: state).addRoutes(to: router)
    MSLController(state: state).addRoutes(to: router)
    return matrixRouter
}
