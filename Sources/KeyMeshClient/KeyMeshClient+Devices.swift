// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI

extension KeyMeshClient {
    /// The user's devices whose keys verify (self-signed, under their own user and device id),
    /// querying the server when the list is unknown or outdated.
    public func devices(of userID: String) async throws -> [DeviceIdentity] {
        try await exclusively {
            try await refreshKeys(for: [userID])
            return (devices[userID] ?? [:]).values.sorted { $0.deviceID < $1.deviceID }
        }
    }

    /// Marks the users' device lists outdated, so the next call that needs them queries the
    /// server. For servers that report device-list changes only between users who share a room
    /// (Synapse), which a room-less app never does (docs/CLIENT.md "Device lists").
    public func markDeviceListsOutdated(_ userIDs: [String]) async throws {
        try await exclusively {
            state.tracker.markOutdated(userIDs)
            pending.append(.tracker(state.tracker))
        }
    }

    /// How far the user's devices are trusted (cross-signing, hand verification), and whether
    /// their master key changed since first seen.
    public func trust(of userID: String) async throws -> UserTrust {
        try await exclusively { try await evaluateTrust(of: userID) }
    }

    /// The devices of `userID` that the ``trustPolicy`` sends to (not this device).
    func recipients(_ userID: String) async throws -> [DeviceIdentity] {
        let me = try identity()
        let candidates = try await refreshedDevices(userID).filter { $0.curve25519 != me.curve25519 }
        guard trustPolicy != .selfSigned else { return candidates }
        let verdict = try await evaluateTrust(of: userID)
        return candidates.filter { device in
            verdict.devices[device.deviceID].map { trustPolicy.allows($0, identityChanged: verdict.identityChanged) } ?? false
        }
    }

    func refreshedDevices(_ userID: String) async throws -> [DeviceIdentity] {
        try await refreshKeys(for: [userID])
        return (devices[userID] ?? [:]).values.sorted { $0.deviceID < $1.deviceID }
    }

    /// Evaluates trust from the stored query answers of the user and of ourselves (our
    /// user-signing key), refreshing both first; pins a master key seen for the first time.
    func evaluateTrust(of userID: String) async throws -> UserTrust {
        let me = try requireSession().userID
        try await refreshKeys(for: Array(Set([userID, me])))
        var response: [String: JSONObject] = [:]
        for (user, keys) in [(userID, state.userKeys[userID] ?? [:]), (me, state.userKeys[me] ?? [:])] {
            response["device_keys", default: [:]][user] = keys["device_keys"] ?? .object([:])
            for (field, member) in [("master_keys", "master_key"), ("self_signing_keys", "self_signing_key"),
                                    ("user_signing_keys", "user_signing_key")] {
                if let key = keys[member] { response[field, default: [:]][user] = key }
            }
        }
        var verified = Set<TrustEvaluator.LocalVerification>()
        for (user, byDevice) in state.trust.verifiedDevices {
            for (device, key) in byDevice { verified.insert(.init(userID: user, deviceID: device, ed25519: key)) }
        }
        let evaluator = TrustEvaluator(ownUserID: me, ownMaster: state.crossSigning?.master.publicKey, locallyVerified: verified,
                                       pinnedMasters: state.trust.pinnedMasters)
        let result = evaluator.evaluate(JSONObject(response.map { ($0.key, JSONValue.object($0.value)) }))
        let userTrust = result[userID] ?? UserTrust(userID: userID, masterKey: nil, identityTrusted: false, identityChanged: false, devices: [:])
        if let master = userTrust.masterKey, state.trust.pinnedMasters[userID] == nil {
            state.trust.pinnedMasters[userID] = master  // trust on first use: a later different key is a change
            pending.append(.trust(state.trust))
        }
        return userTrust
    }

    /// Queries the users whose keys are unknown or outdated, and stores their slices.
    func refreshKeys(for users: [String]) async throws {
        state.tracker.track(users)
        let stale = users.filter { state.tracker.isOutdated($0) || state.userKeys[$0] == nil }
        guard !stale.isEmpty else { return }
        let query = state.tracker.beginQuery(for: stale)
        let answer = try await connection.call("POST", "keys/query", token: try requireSession().accessToken,
                                               body: ["device_keys": .object(JSONObject(stale.map { ($0, JSONValue.array([])) }))])
        for user in stale {
            var slice: JSONObject = ["user_id": .string(user)]
            slice["device_keys"] = answer["device_keys"]?.objectValue?[user] ?? .object([:])
            for (field, member) in [("master_keys", "master_key"), ("self_signing_keys", "self_signing_key"),
                                    ("user_signing_keys", "user_signing_key")] {
                if let key = answer[field]?.objectValue?[user] { slice[member] = key }
            }
            state.userKeys[user] = slice
            devices[user] = Self.verifiedDevices(slice)
            pending.append(.userKeys(userID: user, slice))
        }
        state.tracker.finishQuery(query)
        pending.append(.tracker(state.tracker))
    }

    /// The devices of a stored slice whose keys verify.
    static func verifiedDevices(_ slice: JSONObject) -> [String: DeviceIdentity] {
        var found: [String: DeviceIdentity] = [:]
        guard let userID = slice["user_id"]?.stringValue else { return [:] }
        for (deviceID, value) in slice["device_keys"]?.objectValue ?? [:] {
            if let object = value.objectValue, let device = DeviceIdentity(parsing: object, userID: userID, deviceID: deviceID) {
                found[deviceID] = device
            }
        }
        return found
    }
}
