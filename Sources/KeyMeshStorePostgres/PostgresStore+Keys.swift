// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshStore
import PostgresNIO

// STUB: helper B replaces this file.
extension PostgresStore: KeyStore {
    public func upload(_ device: DeviceRef, _ write: KeyUploadWrite) async throws { throw PostgresStoreError.corrupt("not implemented yet") }
    public func deviceKeys(_ devices: [String: [String]], limit: Int) async throws -> [String: [String: String]] { throw PostgresStoreError.corrupt("not implemented yet") }
    public func oneTimeKeyCounts(_ device: DeviceRef) async throws -> [String: Int] { throw PostgresStoreError.corrupt("not implemented yet") }
    public func unusedFallbackKeyTypes(_ device: DeviceRef) async throws -> [String] { throw PostgresStoreError.corrupt("not implemented yet") }
    public func claim(_ requests: [ClaimRequest]) async throws -> [ClaimedKey] { throw PostgresStoreError.corrupt("not implemented yet") }
    public func deleteDeviceKeys(_ device: DeviceRef) async throws { throw PostgresStoreError.corrupt("not implemented yet") }
}
