// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Synchronization

/// An in-memory ``KeyStore`` for tests. One lock guards everything, so every operation is
/// atomic and the claim contract holds within the process.
public final class MemoryKeyStore: KeyStore {
    private struct State {
        var deviceKeys: [DeviceRef: String] = [:]
        var oneTimeKeys: [DeviceRef: [StoredKeyObject]] = [:]  // upload order
        var fallbackKeys: [DeviceRef: [String: (key: StoredKeyObject, used: Bool)]] = [:]
        var claimed: [DeviceRef: [String: String]] = [:]  // "algorithm:id" → identity
    }

    private let state = Mutex(State())

    public init() {}

    public func putDeviceKeys(_ device: DeviceRef, json: String) async throws {
        state.withLock { $0.deviceKeys[device] = json }
    }

    public func deviceKeys(_ devices: [String: [String]]) async throws -> [String: [String: String]] {
        state.withLock { state in
            var out: [String: [String: String]] = [:]
            for (user, wanted) in devices {
                for (device, json) in state.deviceKeys where device.userID == user {
                    if wanted.isEmpty || wanted.contains(device.deviceID) { out[user, default: [:]][device.deviceID] = json }
                }
            }
            return out
        }
    }

    public func addOneTimeKeys(_ device: DeviceRef, keys: [StoredKeyObject]) async throws {
        try state.withLock { (state: inout State) throws(KeyStoreError) in
            var stored = state.oneTimeKeys[device] ?? []
            for key in keys {
                let claimed = state.claimed[device]?["\(key.algorithm):\(key.keyID)"]
                let identity = stored.first(where: { $0.algorithm == key.algorithm && $0.keyID == key.keyID })?.identity ?? claimed
                if let existing = identity {
                    // same key again: a retry after a lost response (or of a claimed key): nothing to do
                    guard existing == key.identity else {
                        throw .oneTimeKeyConflict("\(key.algorithm):\(key.keyID)")
                    }
                    continue
                }
                stored.append(key)
            }
            state.oneTimeKeys[device] = stored
        }
    }

    public func oneTimeKeyCounts(_ device: DeviceRef) async throws -> [String: Int] {
        state.withLock { state in
            (state.oneTimeKeys[device] ?? []).reduce(into: [:]) { $0[$1.algorithm, default: 0] += 1 }
        }
    }

    public func setFallbackKey(_ device: DeviceRef, key: StoredKeyObject) async throws {
        state.withLock { state in
            if let current = state.fallbackKeys[device]?[key.algorithm], current.key.json == key.json { return }
            state.fallbackKeys[device, default: [:]][key.algorithm] = (key, false)
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
                    return ClaimedKey(device: request.device, key: key, isFallback: false)
                }
                guard let fallback = state.fallbackKeys[request.device]?[request.algorithm] else { return nil }
                state.fallbackKeys[request.device]?[request.algorithm]?.used = true
                return ClaimedKey(device: request.device, key: fallback.key, isFallback: true)
            }
        }
    }

    public func deleteDeviceKeys(_ device: DeviceRef) async throws {
        state.withLock { state in
            state.deviceKeys[device] = nil
            state.oneTimeKeys[device] = nil
            state.fallbackKeys[device] = nil
            state.claimed[device] = nil
        }
    }
}
