// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshStore
import KeyMeshStoreSQLite
import Testing

/// The backends every conformance test runs against.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite

    var testDescription: String { rawValue }

    /// The devices every fresh store has: writes are accepted only for existing devices.
    static let devices = [DeviceRef(userID: "@bob:hs", deviceID: "BOBDEV"), DeviceRef(userID: "@bob:hs", deviceID: "PHONE"),
                          DeviceRef(userID: "@a:hs", deviceID: "D")]

    /// A fresh store with no keys (SQLite in a new temporary file) and ``devices`` existing.
    func make() async throws -> any KeyStore {
        switch self {
        case .sqlite:
            return try await Self.sqlite(path: Self.temporaryPath())
        }
    }

    /// Deletes `device` (account and keys) from a store made by ``make()``.
    static func deleteDevice(_ device: DeviceRef, from store: any KeyStore) async throws {
        if let sqlite = store as? SQLiteStore { _ = try await sqlite.deleteDevice(device) }
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
