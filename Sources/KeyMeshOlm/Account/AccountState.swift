// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The mutable part of an account, guarded by the account's lock.
struct AccountState: Sendable {
    var oneTimeKeys = OneTimeKeyStore()
    var fallbackKeys = FallbackKeys()
    /// The next key id counter; never reused, so an id never names two keys.
    var nextKeyCounter: UInt64 = 0

    mutating func newKey(using random: some RandomSource) -> StoredKey {
        defer { nextKeyCounter += 1 }
        return StoredKey(counter: nextKeyCounter, secret: Curve25519SecretKey(using: random), published: false)
    }
}
