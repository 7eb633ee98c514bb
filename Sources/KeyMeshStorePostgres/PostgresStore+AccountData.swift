// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshStore
import PostgresNIO

// STUB: helper C replaces this file.
extension PostgresStore: AccountDataStore {
    public func accountData(of userID: String, type: String) async throws -> String? { throw PostgresStoreError.corrupt("not implemented yet") }
    public func accountData(of userID: String) async throws -> [AccountDataEntry] { throw PostgresStoreError.corrupt("not implemented yet") }
    public func putAccountData(_ device: DeviceRef, type: String, contentJSON: String, limits: AccountDataLimits) async throws { throw PostgresStoreError.corrupt("not implemented yet") }
}
