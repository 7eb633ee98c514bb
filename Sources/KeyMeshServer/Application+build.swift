// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshStore
import Logging

/// Builds the KeyMesh key server on an opened store (the `keymesh` command chooses and opens
/// the backend, so migrations run and a bad database fails before the port is bound): the
/// Matrix error middleware and one controller per API area. `config.dataDirectory` is created
/// if missing (it holds the MSL issuer key file). Run it with
/// `try await buildApplication(config:store:).runService()`, which stops gracefully on
/// SIGINT/SIGTERM after in-flight requests finish.
public func buildApplication(config: ServerConfig, store: any ServerStore) throws -> some ApplicationProtocol {
    var logger = Logger(label: "keymesh")
    logger.logLevel = config.logLevel
    try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
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
    let state = ServerState(config: config, store: store)
    return Application(
        router: buildRouter(state: state),
        server: .http1(deadlines: config.deadlines),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "KeyMesh"),
        services: [WakeupListener(store: store, notifier: state.notifier)],
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
