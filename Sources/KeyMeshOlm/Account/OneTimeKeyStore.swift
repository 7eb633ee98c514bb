// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// A Curve25519 key pair with its opaque id and whether it was published to the server.
struct StoredKey: Sendable {
    /// The counter the id encodes.
    let counter: UInt64
    let secret: Curve25519SecretKey
    var published: Bool

    /// vodozemac's id: unpadded base64 of the 8-byte big-endian counter (`AAAAAAAAAAA` = 0).
    var keyID: String { Self.keyID(counter) }

    static func keyID(_ counter: UInt64) -> String {
        Base64.encode((0..<8).reversed().map { UInt8(truncatingIfNeeded: counter >> (8 * UInt64($0))) })
    }
}

/// The account's one-time private keys, oldest first, capped at ``OlmLimits/maxStoredOneTimeKeys``
/// with the oldest evicted (vodozemac's storage rule).
struct OneTimeKeyStore: Sendable {
    private(set) var keys: [StoredKey] = []
    private var positions: [Curve25519PublicKey: UInt64] = [:]

    init(keys: [StoredKey] = []) {
        for key in keys { insert(key) }
    }

    /// Adds a key, evicting the oldest beyond the cap. Returns the evicted public key, if any.
    @discardableResult
    mutating func insert(_ key: StoredKey) -> Curve25519PublicKey? {
        var evicted: Curve25519PublicKey?
        if keys.count >= OlmLimits.maxStoredOneTimeKeys {
            let oldest = keys.removeFirst()
            positions[oldest.secret.publicKey] = nil
            evicted = oldest.secret.publicKey
        }
        keys.append(key)
        positions[key.secret.publicKey] = key.counter
        return evicted
    }

    /// The private key for `publicKey`, if held.
    func secret(for publicKey: Curve25519PublicKey) -> Curve25519SecretKey? {
        guard positions[publicKey] != nil else { return nil }
        return keys.first { $0.secret.publicKey == publicKey }?.secret
    }

    /// Removes the key for `publicKey`; returns whether it was held.
    @discardableResult
    mutating func remove(_ publicKey: Curve25519PublicKey) -> Bool {
        guard let counter = positions.removeValue(forKey: publicKey) else { return false }
        keys.removeAll { $0.counter == counter }
        return true
    }

    /// Unpublished keys, by id.
    var unpublished: [StoredKey] { keys.filter { !$0.published } }

    mutating func markAllPublished() {
        for i in keys.indices { keys[i].published = true }
    }
}

/// The fallback keys: the current one and the one it replaced, kept until forgotten so late
/// pre-key messages built on it still decrypt (docs/OLM.md).
struct FallbackKeys: Sendable {
    var current: StoredKey?
    var previous: StoredKey?

    func secret(for publicKey: Curve25519PublicKey) -> Curve25519SecretKey? {
        if let current, current.secret.publicKey == publicKey { return current.secret }
        if let previous, previous.secret.publicKey == publicKey { return previous.secret }
        return nil
    }
}
