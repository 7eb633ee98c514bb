// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshStore
import KeyMeshStorePostgres
import KeyMeshStoreSQLite
import KeyMeshTestSupport
import Testing

/// The backends every conformance test runs against (docs/STORE.md).
///
/// PostgreSQL runs when `KEYMESH_TEST_POSTGRES` names a cluster. When it is unset the
/// `.postgres` case is left out of ``allCases`` (the arguments are computed from
/// ``PostgresTestDatabase/availability``) and `PostgresAvailabilityTests` shows as skipped
/// with the reason; with `CI=true` it stays in, and every PostgreSQL case fails in ``make()``
/// (CI installs PostgreSQL: a missing one is a defect, never a silent pass).
///
/// Suites that call ``make()`` carry the ``StoreCleanup`` trait (`@Suite(.storeCleanup)`):
/// it closes the PostgreSQL stores a test made and drops their databases.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    static var allCases: [StoreBackend] {
        if case .skip = PostgresTestDatabase.availability { return [.sqlite] }
        return [.sqlite, .postgres]
    }

    var testDescription: String { rawValue }

    /// The devices every fresh store has: writes are accepted only for existing devices.
    static let devices = [DeviceRef(userID: "@bob:hs", deviceID: "BOBDEV"), DeviceRef(userID: "@bob:hs", deviceID: "PHONE"),
                          DeviceRef(userID: "@a:hs", deviceID: "D")]

    /// A fresh, empty store (SQLite in a new temporary file, PostgreSQL in a new database) with
    /// `devices` existing (opened with a random token; their users are not created).
    func make(devices: [DeviceRef] = StoreBackend.devices) async throws -> any ServerStore {
        try await makeShared(instances: 1, devices: devices)[0]
    }

    /// `instances` stores on ONE fresh backing store, as several `keymesh serve` processes
    /// would open it (SQLite: one file; PostgreSQL: one database); `devices` exist.
    func makeShared(instances: Int, devices: [DeviceRef] = StoreBackend.devices) async throws -> [any ServerStore] {
        precondition(instances >= 1)
        var stores: [any ServerStore] = []
        switch self {
        case .sqlite:
            let path = Self.temporaryPath()
            for _ in 0..<instances { stores.append(try SQLiteStore(path: path)) }
        case .postgres:
            let database = try await Self.postgresDatabase()
            for _ in 0..<instances { stores.append(try await Self.postgres(database)) }
        }
        for device in devices {
            try await stores[0].openDevice(device, displayName: nil, tokenHash: UUID().uuidString)
        }
        return stores
    }

    /// Deletes `device` (account and keys) from a store made by ``make()``.
    static func deleteDevice(_ device: DeviceRef, from store: any ServerStore) async throws {
        _ = try await store.deleteDevice(device)
    }

    /// A SQLite store at `path` with ``devices`` existing.
    static func sqlite(path: String) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: path)
        for device in devices { try await store.openDevice(device, displayName: nil, tokenHash: UUID().uuidString) }
        return store
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-test-\(UUID().uuidString).sqlite").path
    }

    // MARK: - PostgreSQL

    /// A fresh database on the test cluster, dropped when the test ends. When PostgreSQL is
    /// not configured locally the calling test is cancelled (shown as skipped, with the
    /// reason); when it is required (CI=true) the test fails: an issue, then an error.
    static func postgresDatabase() async throws -> PostgresTestDatabase {
        switch PostgresTestDatabase.availability {
        case .available: break
        case .skip(let why):
            try Test.cancel(Comment(rawValue: why))
        case .fail(let why):
            Issue.record(Comment(rawValue: why))
            throw PostgresTestDatabaseError.notConfigured
        }
        let cleanup = try await StoreCleanup.current()
        let database = try await PostgresTestDatabase.create()
        cleanup.register(database)
        return database
    }

    /// One more `PostgresStore` on `database` (another "instance"), closed when the test ends.
    static func postgres(_ database: PostgresTestDatabase) async throws -> PostgresStore {
        let cleanup = try await StoreCleanup.current()
        let location = PostgresLocation(host: database.host, port: database.port, user: database.user,
                                        database: database.database, password: database.password,
                                        tls: PostgresLocation.TLSMode(rawValue: database.sslmode) ?? .disable)
        let store = try await PostgresStore(location, maxConnections: 4)
        cleanup.register(store)
        return store
    }
}

extension StoredKeyObject {
    /// A test key object: `identity` depends only on `key`, `json` also on `signature`.
    static func test(_ id: String, key: String? = nil, signature: String = "sig", algorithm: String = "signed_curve25519") -> StoredKeyObject {
        let keyText = key ?? "key-\(id)"
        return StoredKeyObject(algorithm: algorithm, keyID: id,
                               json: #"{"key":"\#(keyText)","signatures":{"@a:hs":{"ed25519:D":"\#(signature)"}}}"#,
                               identity: #"{"key":"\#(keyText)"}"#)
    }
}
