// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Synchronization

/// An in-memory ``KeyStore`` for tests. One lock guards everything, so every operation is
/// atomic and the claim contract holds within the process. It has no accounts: a device
/// exists once ``addDevice(_:)`` named it, until ``removeDevice(_:)``.
public final class MemoryKeyStore: KeyStore {
    private struct State {
        var devices: Set<DeviceRef> = []
        var deviceKeys: [DeviceRef: String] = [:]
        var oneTimeKeys: [DeviceRef: [StoredKeyObject]] = [:]  // upload order
        var fallbackKeys: [DeviceRef: [String: (key: StoredKeyObject, used: Bool)]] = [:]
        var claimed: [DeviceRef: [String: String]] = [:]  // "algorithm:id" → identity
        var claimOrder: [DeviceRef: [String]] = [:]  // "algorithm:id", oldest first
    }

    private let state = Mutex(State())

    public init() {}

    /// Makes `device` exist, so writes for it are accepted.
    public func addDevice(_ device: DeviceRef) {
        state.withLock { _ = $0.devices.insert(device) }
    }

    /// Deletes `device` and its keys: later writes for it are ``StoreError/deviceNotFound(_:)``.
    public func removeDevice(_ device: DeviceRef) {
        state.withLock { state in
            state.devices.remove(device)
            Self.forget(device, in: &state)
        }
    }

    public func upload(_ device: DeviceRef, _ write: KeyUploadWrite) async throws {
        try StoredText.check(device.userID, device.deviceID, write.deviceKeys ?? "")
        try StoredText.check(write.fallbackKeys + write.oneTimeKeys)
        try state.withLock { (state: inout State) throws in
            guard state.devices.contains(device) else { throw StoreError.deviceNotFound(device) }
            if case .storedDeviceKeys(let expected) = write.precondition, state.deviceKeys[device] != expected {
                throw KeyStoreError.deviceKeysChanged
            }
            var next = state  // written back only if every check passes: all or nothing
            if let json = write.deviceKeys { next.deviceKeys[device] = json }
            for key in write.fallbackKeys {
                if let current = next.fallbackKeys[device]?[key.algorithm], current.key.json == key.json { continue }
                next.fallbackKeys[device, default: [:]][key.algorithm] = (key, false)
            }
            if (next.fallbackKeys[device]?.count ?? 0) > write.maxFallbackKeys {
                throw StoreError.limitExceeded(what: "fallback keys per device", limit: write.maxFallbackKeys)
            }
            var stored = next.oneTimeKeys[device] ?? []
            for key in write.oneTimeKeys {
                let claimed = next.claimed[device]?["\(key.algorithm):\(key.keyID)"]
                let identity = stored.first(where: { $0.algorithm == key.algorithm && $0.keyID == key.keyID })?.identity ?? claimed
                if let existing = identity {
                    // same key again: a retry after a lost response (or of a claimed key): nothing to do
                    guard existing == key.identity else { throw KeyStoreError.oneTimeKeyConflict("\(key.algorithm):\(key.keyID)") }
                    continue
                }
                stored.append(key)
            }
            if stored.count > write.maxOneTimeKeys { stored.removeFirst(stored.count - write.maxOneTimeKeys) }  // oldest first
            next.oneTimeKeys[device] = stored
            if let order = next.claimOrder[device], order.count > write.maxClaimedIDs {
                for id in order.prefix(order.count - write.maxClaimedIDs) { next.claimed[device]?[id] = nil }
                next.claimOrder[device] = Array(order.suffix(write.maxClaimedIDs))
            }
            state = next
        }
    }

    public func deviceKeys(_ devices: [String: [String]], limit: Int) async throws -> [String: [String: String]] {
        try state.withLock { (state: inout State) throws(StoreError) in
            var out: [String: [String: String]] = [:]
            var count = 0
            for (user, wanted) in devices {
                let wanted = Set(wanted)
                for (device, json) in state.deviceKeys where device.userID == user {
                    guard wanted.isEmpty || wanted.contains(device.deviceID) else { continue }
                    count += 1
                    guard count <= limit else { throw .limitExceeded(what: "devices in one answer", limit: limit) }
                    out[user, default: [:]][device.deviceID] = json
                }
            }
            return out
        }
    }

    public func oneTimeKeyCounts(_ device: DeviceRef) async throws -> [String: Int] {
        state.withLock { state in
            (state.oneTimeKeys[device] ?? []).reduce(into: [:]) { $0[$1.algorithm, default: 0] += 1 }
        }
    }

    public func unusedFallbackKeyTypes(_ device: DeviceRef) async throws -> [String] {
        state.withLock { state in
            (state.fallbackKeys[device] ?? [:]).filter { !$0.value.used }.map(\.key).sorted()
        }
    }

    public func claim(_ requests: [ClaimRequest]) async throws -> [ClaimedKey] {
        state.withLock { state in
            requests.compactMap { request in
                if var keys = state.oneTimeKeys[request.device],
                   let index = keys.firstIndex(where: { $0.algorithm == request.algorithm }) {
                    let key = keys.remove(at: index)
                    state.oneTimeKeys[request.device] = keys
                    state.claimed[request.device, default: [:]]["\(key.algorithm):\(key.keyID)"] = key.identity
                    state.claimOrder[request.device, default: []].append("\(key.algorithm):\(key.keyID)")
                    return ClaimedKey(device: request.device, key: key, isFallback: false)
                }
                guard let fallback = state.fallbackKeys[request.device]?[request.algorithm] else { return nil }
                state.fallbackKeys[request.device]?[request.algorithm]?.used = true
                return ClaimedKey(device: request.device, key: fallback.key, isFallback: true)
            }
        }
    }

    public func deleteDeviceKeys(_ device: DeviceRef) async throws {
        state.withLock { Self.forget(device, in: &$0) }
    }

    private static func forget(_ device: DeviceRef, in state: inout State) {
        state.deviceKeys[device] = nil
        state.oneTimeKeys[device] = nil
        state.fallbackKeys[device] = nil
        state.claimed[device] = nil
        state.claimOrder[device] = nil
    }
}
