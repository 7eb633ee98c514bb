// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshStore
import PostgresNIO

// STUB: helper C replaces this file (and adds PostgresStore+DeviceLists.swift).
extension PostgresStore: EventStore {
    public func currentPosition() async throws -> Int64 { throw PostgresStoreError.corrupt("not implemented yet") }
    public func sendToDevice(_ messages: [ToDeviceMessage], transaction: ToDeviceTransaction, limits: StoreLimits) async throws -> Set<String> { throw PostgresStoreError.corrupt("not implemented yet") }
    public func acknowledgeToDevice(_ device: DeviceRef, upTo position: Int64) async throws { throw PostgresStoreError.corrupt("not implemented yet") }
    public func syncBatch(for device: DeviceRef, since: Int64, limit: Int) async throws -> SyncBatch { throw PostgresStoreError.corrupt("not implemented yet") }
    public func deviceListChanges(for userID: String, from: Int64, to: Int64) async throws -> [String] { throw PostgresStoreError.corrupt("not implemented yet") }
    public func follow(_ watcher: DeviceRef, targets: [String], limit: Int) async throws -> [String] { throw PostgresStoreError.corrupt("not implemented yet") }
    public func followers(of userID: String) async throws -> [String] { throw PostgresStoreError.corrupt("not implemented yet") }
    public func pruneDeviceListChanges(keep: Int) async throws { throw PostgresStoreError.corrupt("not implemented yet") }
}
