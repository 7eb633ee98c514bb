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
    let notifier = SyncNotifier()
    let claimLimiter: RateLimiter

    init(config: ServerConfig, store: any ServerStore) {
        self.config = config
        self.store = store
        users = UserIDs(serverName: config.serverName)
        hasher = PasswordHasher(strength: config.passwordStrength)
        authenticator = Authenticator(store: store)
        interactiveAuth = InteractiveAuth(store: store, hasher: hasher, users: users)
        claimLimiter = RateLimiter(rate: config.claimRate, burst: config.claimBurst ?? config.claimRate * 10)
    }
}

extension ServerState {
    /// Unclaimed one-time keys per algorithm, as `/keys/upload` and `/sync` report them:
    /// `signed_curve25519` is always present (0 included), as Synapse does and clients expect.
    func oneTimeKeyCounts(_ device: DeviceRef) async throws -> JSONObject {
        var counts: JSONObject = ["signed_curve25519": 0]
        for (algorithm, count) in try await store.oneTimeKeyCounts(device) { counts[algorithm] = .int(Int64(count)) }
        return counts
    }
}
