// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshStore
import PostgresNIO

// STUB: helper C replaces this file.
extension PostgresStore: CrossSigningStore {
    public func crossSigningKeys(of userIDs: [String]) async throws -> [String: [CrossSigningUsage: String]] { throw PostgresStoreError.corrupt("not implemented yet") }
    public func putCrossSigningKeys(by requester: DeviceRef, keys: [CrossSigningUsage: String]) async throws { throw PostgresStoreError.corrupt("not implemented yet") }
    public func addSignatures(by requester: DeviceRef, _ signatures: [StoredSignature]) async throws { throw PostgresStoreError.corrupt("not implemented yet") }
    public func signatures(on userIDs: [String]) async throws -> [StoredSignature] { throw PostgresStoreError.corrupt("not implemented yet") }
}
