// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
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
    // Opened at start so migrations run and a bad data directory fails before the port is bound.
    // The key endpoints' controllers (next in issue 3) will hold this store.
    _ = try SQLiteKeyStore(path: config.databasePath)
    logger.info("store opened", metadata: ["database": "\(config.databasePath)"])
    return Application(
        router: buildRouter(),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "KeyMesh"),
        logger: logger
    )
}

/// The routes, separate from the network so tests can drive them in-process.
func buildRouter() -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: MatrixErrorMiddleware())
    VersionsController().addRoutes(to: router)
    return router
}
