// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Where the key server keeps device keys, one-time keys and fallback keys.
///
/// One protocol, one conformance suite (`Tests/KeyMeshStoreTests`), two backends: `SQLiteStore`
/// (embedded, the default of `keymesh serve`) and `PostgresStore` (several instances on one
/// database, docs/STORE.md "PostgreSQL").
/// The server needs the whole ``ServerStore`` (keys, accounts, events) from one backend.
/// Controllers talk only to this protocol.
///
/// ## The atomic-claim contract
///
/// ``claim(_:)`` hands out **each one-time key at most once**, across every task, connection
/// and server process sharing the store:
/// - for each request it removes and returns the **oldest** unclaimed one-time key of that
///   device and algorithm, in upload order (docs/SERVER.md "Endpoints"; synapse#17903); keys uploaded
///   in one call are ordered as the call listed them;
/// - removal and return are one atomic step: a key is either returned to exactly one caller or
///   still stored; a crash in between loses no key and duplicates none;
/// - with no one-time key left it returns the device's fallback key for that algorithm, keeps
///   it, and marks it used (a fallback key may be handed out many times);
/// - a device with neither gets no entry.
///
/// Uploads follow docs/STORE.md "The atomic-claim contract": re-uploading a one-time key id with the same key
/// is a no-op; with a different key it is ``KeyStoreError/oneTimeKeyConflict(_:)`` and nothing
/// of that call is stored; re-uploading an identical fallback key keeps its `used` flag.
/// A write for a device is bound to the device existing when it commits: a device deleted (or
/// logged out) while the request was in flight gets ``StoreError/deviceNotFound(_:)`` and
/// nothing is stored (docs/SECURITY.md "Requests"). Text holding NUL is refused with
/// ``StoreError/invalidText(_:)``; no read traps on stored rows, whatever they hold.
public protocol KeyStore: Sendable {
    /// Writes one `/keys/upload` in one transaction: the device keys (a backend that is also an
    /// ``EventStore`` records a device-list change when they differ from the stored ones), the
    /// fallback keys (an identical object keeps its `used` flag; anything else replaces it,
    /// unused) and the one-time keys in the given order; then deletes the oldest one-time keys
    /// above `write.maxOneTimeKeys`. All or nothing.
    /// - Throws: ``StoreError/deviceNotFound(_:)`` if `device` does not exist at commit;
    ///   ``KeyStoreError/oneTimeKeyConflict(_:)`` if a one-time key id exists with another key;
    ///   ``KeyStoreError/deviceKeysChanged`` if `write.precondition` no longer holds;
    ///   ``StoreError/limitExceeded(what:limit:)`` above `write.maxFallbackKeys`.
    func upload(_ device: DeviceRef, _ write: KeyUploadWrite) async throws

    /// The `device_keys` objects of `devices`, by user then device id. An empty device list for a
    /// user means all of that user's devices; unknown users and devices are absent.
    /// - Throws: ``StoreError/limitExceeded(what:limit:)`` if the answer would hold more than
    ///   `limit` devices (it stops reading there, so memory stays bounded).
    func deviceKeys(_ devices: [String: [String]], limit: Int) async throws -> [String: [String: String]]

    /// Unclaimed one-time keys per algorithm.
    func oneTimeKeyCounts(_ device: DeviceRef) async throws -> [String: Int]

    /// Algorithms whose fallback key has not been handed out.
    func unusedFallbackKeyTypes(_ device: DeviceRef) async throws -> [String]

    /// Claims one key per request under the atomic-claim contract above.
    func claim(_ requests: [ClaimRequest]) async throws -> [ClaimedKey]

    /// Removes a device's device keys, one-time keys and fallback keys.
    func deleteDeviceKeys(_ device: DeviceRef) async throws
}

extension KeyStore {
    /// Stores or replaces a device's `device_keys` object (one ``upload(_:_:)``).
    public func putDeviceKeys(_ device: DeviceRef, json: String) async throws {
        try await upload(device, KeyUploadWrite(deviceKeys: json))
    }

    /// Adds one-time keys in the given order, all or none (one ``upload(_:_:)``).
    public func addOneTimeKeys(_ device: DeviceRef, keys: [StoredKeyObject]) async throws {
        try await upload(device, KeyUploadWrite(oneTimeKeys: keys))
    }

    /// Sets the fallback key for its algorithm (one ``upload(_:_:)``).
    public func setFallbackKey(_ device: DeviceRef, key: StoredKeyObject) async throws {
        try await upload(device, KeyUploadWrite(fallbackKeys: [key]))
    }

    /// ``deviceKeys(_:limit:)`` without a limit.
    public func deviceKeys(_ devices: [String: [String]]) async throws -> [String: [String: String]] {
        try await deviceKeys(devices, limit: .max)
    }
}
