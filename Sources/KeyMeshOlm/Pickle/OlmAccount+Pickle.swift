// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Account pickle, version 1 (inside the seal):
/// `01 | ed25519 seed(32) | curve25519 secret(32) | varint next counter | varint n | n × (varint
/// counter, secret(32), published) | 2 × (present, [counter, secret(32), published])`.
extension OlmAccount {
    static let pickleVersion: UInt8 = 1

    /// Seals the whole account under `key`; the nonce comes from the account's random source.
    public func pickle(with key: SealingKey) -> Pickle { pickle(with: key, using: random) }

    /// Seals the whole account under `key`, drawing the nonce from `random`.
    public func pickle(with key: SealingKey, using random: some RandomSource) -> Pickle {
        var w = PickleWriter()
        w.byte(Self.pickleVersion)
        w.secret(signingKey.unsafeExportSecret())
        w.secret(identityKey.unsafeExportSecret())
        state.withLock { state in
            w.varint(state.nextKeyCounter)
            w.varint(UInt64(state.oneTimeKeys.keys.count))
            for stored in state.oneTimeKeys.keys { Self.write(stored, to: &w) }
            for slot in [state.fallbackKeys.current, state.fallbackKeys.previous] {
                w.bool(slot != nil)
                if let slot { Self.write(slot, to: &w) }
            }
        }
        var bytes = w.bytes
        return key.seal(&bytes, kind: .account, random: random)
    }

    /// Opens a pickle made by ``pickle(with:)``.
    /// - Throws: ``PickleError`` for a wrong key, corruption or an unknown version; never traps.
    public convenience init(pickle: Pickle, key: SealingKey,
                            random: some RandomSource = SystemRandom()) throws(PickleError) {
        var r = PickleReader(try key.open(pickle, kind: .account))
        let version = try r.byte()
        guard version == Self.pickleVersion else { throw .unsupportedVersion(version) }
        let signing: Ed25519SecretKey
        do { signing = try Ed25519SecretKey(seed: try r.secret()) } catch { throw .malformed }
        let identity = try r.curveSecret()
        var state = AccountState()
        state.nextKeyCounter = try r.varint()
        let count = try r.count(limit: OlmLimits.maxStoredOneTimeKeys)
        var keys: [StoredKey] = []
        for _ in 0..<count { keys.append(try Self.readKey(&r, below: state.nextKeyCounter)) }
        state.oneTimeKeys = OneTimeKeyStore(keys: keys)
        if try r.bool() { state.fallbackKeys.current = try Self.readKey(&r, below: state.nextKeyCounter) }
        if try r.bool() { state.fallbackKeys.previous = try Self.readKey(&r, below: state.nextKeyCounter) }
        try r.finish()
        self.init(signingKey: signing, identityKey: identity, state: state, random: random)
    }

    private static func write(_ key: StoredKey, to w: inout PickleWriter) {
        w.varint(key.counter)
        w.secret(key.secret.unsafeExportSecret())
        w.bool(key.published)
    }

    private static func readKey(_ r: inout PickleReader, below next: UInt64) throws(PickleError) -> StoredKey {
        let counter = try r.varint()
        // an id at or past the counter could be handed out again for another key
        guard counter < next else { throw .malformed }
        return StoredKey(counter: counter, secret: try r.curveSecret(), published: try r.bool())
    }
}
