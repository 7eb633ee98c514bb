// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshStore

/// What the controllers share: the configuration, the store and the in-process helpers.
struct ServerState: Sendable {
    let config: ServerConfig
    let store: any ServerStore
    let users: UserIDs
    let hasher: PasswordHasher
    let authenticator: Authenticator
    let interactiveAuth: InteractiveAuth
    let notifier: SyncNotifier
    let claimLimiter: RateLimiter

    init(config: ServerConfig, store: any ServerStore) {
        self.config = config
        self.store = store
        notifier = SyncNotifier(feed: store)
        users = UserIDs(serverName: config.serverName)
        hasher = PasswordHasher(strength: config.passwordStrength, limits: config.authLimits)
        authenticator = Authenticator(store: store)
        interactiveAuth = InteractiveAuth(store: store, hasher: hasher, users: users)
        claimLimiter = RateLimiter(rate: config.claimRate, burst: config.claimBurst ?? config.claimRate * 10)
    }
}

extension ServerState {
    /// The limits the store enforces, from the configuration (docs/SECURITY.md "Limits").
    var storeLimits: StoreLimits {
        StoreLimits(devicesPerUser: config.maxDevicesPerUser, queuedToDevicePerDevice: config.maxQueuedToDevice,
                    toDevicePerRequest: config.maxToDevicePerRequest, followsPerUser: config.maxFollowsPerUser,
                    transactionIDsPerDevice: config.toDeviceTransactionIDs, deviceListHistory: config.deviceListHistory)
    }

    /// Call after a committed change of `userID`'s device list: wakes the long-polls that can
    /// report it (the user's own devices and its followers' devices, docs/SERVER.md "Device
    /// lists"), not every waiter, and prunes the device-list history to its limit.
    func deviceListChanged(_ userID: String) async {
        if let followers = try? await store.followers(of: userID) {
            notifier.notify(followers + [userID])
        } else {
            notifier.notifyAll()  // cannot tell who cares: a spurious wake only costs a re-read
        }
        // housekeeping, not part of the request: a failure is retried at the next change
        try? await store.pruneDeviceListChanges(keep: config.deviceListHistory)
    }

    /// Unclaimed one-time keys per algorithm, as `/keys/upload` and `/sync` report them:
    /// `signed_curve25519` is always present (0 included), as Synapse does and clients expect.
    func oneTimeKeyCounts(_ device: DeviceRef) async throws -> JSONObject {
        var counts: JSONObject = ["signed_curve25519": 0]
        for (algorithm, count) in try await store.oneTimeKeyCounts(device) { counts[algorithm] = .int(Int64(count)) }
        return counts
    }
}
