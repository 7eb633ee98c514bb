// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshStore
import PostgresNIO

// STUB: helper B replaces this file (and adds PostgresStore+AuthSessions.swift).
extension PostgresStore: AccountStore {
    public func createUser(_ userID: String, passwordHash: String) async throws { throw PostgresStoreError.corrupt("not implemented yet") }
    public func passwordHash(of userID: String) async throws -> String? { throw PostgresStoreError.corrupt("not implemented yet") }
    public func openDevice(_ device: DeviceRef, displayName: String?, tokenHash: String, maxDevices: Int) async throws { throw PostgresStoreError.corrupt("not implemented yet") }
    public func device(forTokenHash tokenHash: String) async throws -> DeviceRef? { throw PostgresStoreError.corrupt("not implemented yet") }
    public func devices(of userID: String) async throws -> [DeviceRecord] { throw PostgresStoreError.corrupt("not implemented yet") }
    public func displayNames(of userIDs: [String]) async throws -> [String: [String: String]] { throw PostgresStoreError.corrupt("not implemented yet") }
    public func device(_ device: DeviceRef) async throws -> DeviceRecord? { throw PostgresStoreError.corrupt("not implemented yet") }
    public func setDisplayName(_ device: DeviceRef, to name: String?) async throws -> Bool { throw PostgresStoreError.corrupt("not implemented yet") }
    public func deleteDevice(_ device: DeviceRef) async throws -> Bool { throw PostgresStoreError.corrupt("not implemented yet") }
    public func putAuthSession(_ session: AuthSession) async throws { throw PostgresStoreError.corrupt("not implemented yet") }
    public func authSession(_ id: String) async throws -> AuthSession? { throw PostgresStoreError.corrupt("not implemented yet") }
    public func consumeAuthSession(_ id: String) async throws -> Bool { throw PostgresStoreError.corrupt("not implemented yet") }
}
