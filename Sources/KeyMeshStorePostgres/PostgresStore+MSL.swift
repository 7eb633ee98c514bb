// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshStore
import PostgresNIO

// STUB: helper B replaces this file.
extension PostgresStore: MSLLineageStore {
    public func mslLineage(of device: DeviceRef) async throws -> MSLStoredLineage? { throw PostgresStoreError.corrupt("not implemented yet") }
    public func commitMSLToken(_ device: DeviceRef, identity: String, token: MSLTokenStamp,
                               replacing: MSLTokenStamp?) async throws -> Bool { throw PostgresStoreError.corrupt("not implemented yet") }
}
