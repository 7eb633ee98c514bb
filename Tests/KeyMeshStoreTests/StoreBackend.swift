// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshStore
import KeyMeshStoreSQLite
import Testing

/// The backends every conformance test runs against.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqlite

    var testDescription: String { rawValue }

    /// A fresh, empty store (SQLite in a new temporary file).
    func make() throws -> any KeyStore {
        switch self {
        case .memory: MemoryKeyStore()
        case .sqlite: try SQLiteStore(path: Self.temporaryPath())
        }
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
