// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import HummingbirdTesting
import KeyMeshStoreSQLite
import Logging
import Testing

@testable import KeyMeshServer

/// `keymesh serve`'s application in this process on a real socket (port 0), so requests have
/// a peer address (the per-address rate limits key on it) and connections have deadlines.
enum LiveServer {
    static func run<T: Sendable>(_ config: ServerConfig, _ body: @Sendable (Int, SQLiteStore) async throws -> T) async throws -> T {
        var config = config
        config.host = "127.0.0.1"
        config.port = 0
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
        var logger = Logger(label: "live-test")
        logger.logLevel = .critical
        let store = try SQLiteStore(path: config.databasePath)
        let app = makeApplication(config: config, store: store, logger: logger)
        return try await app.test(.live) { client in try await body(try #require(client.port), store) }
    }
}
