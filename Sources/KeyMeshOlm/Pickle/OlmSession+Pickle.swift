// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Session pickle, version 1 (inside the seal):
/// `01 | I_A E_A E_B (3 × 32) | received | ratchet (0 inactive: root, remote key |
/// 1 active: root, ratchet secret, chain index, chain key) | varint n ≤ 5 | n × (ratchet key,
/// chain index, chain key, varint m ≤ 40, m × (index, key))`.
extension OlmSession {
    static let pickleVersion: UInt8 = 1

    /// Seals the session under `key`.
    public func pickle(with key: SealingKey, using random: some RandomSource = SystemRandom()) -> Pickle {
        var w = PickleWriter()
        w.byte(Self.pickleVersion)
        w.curvePublic(sessionKeys.identityKey)
        w.curvePublic(sessionKeys.baseKey)
        w.curvePublic(sessionKeys.oneTimeKey)
        w.bool(hasReceivedMessage)
        switch ratchet {
        case .inactive(let root, let remote):
            w.byte(0)
            w.secret(root.secret)
            w.curvePublic(remote)
        case .active(let active):
            w.byte(1)
            w.secret(active.root.secret)
            w.secret(active.ratchetKey.unsafeExportSecret())
            w.varint(active.chainKey.index)
            w.secret(active.chainKey.secret)
        }
        w.varint(UInt64(receivingChains.count))
        for chain in receivingChains {
            w.curvePublic(chain.ratchetKey)
            w.varint(chain.chainKey.index)
            w.secret(chain.chainKey.secret)
            w.varint(UInt64(chain.skippedKeys.count))
            for skipped in chain.skippedKeys {
                w.varint(skipped.index)
                w.secret(skipped.secret)
            }
        }
        var bytes = w.bytes
        return key.seal(&bytes, kind: .session, random: random)
    }

    /// Opens a pickle made by ``pickle(with:using:)``.
    /// - Throws: ``PickleError`` for a wrong key, corruption or an unknown version; never traps.
    public init(pickle: Pickle, key: SealingKey) throws(PickleError) {
        var r = PickleReader(try key.open(pickle, kind: .session))
        let version = try r.byte()
        guard version == Self.pickleVersion else { throw .unsupportedVersion(version) }
        let keys = SessionKeys(identityKey: try r.curvePublic(), baseKey: try r.curvePublic(),
                               oneTimeKey: try r.curvePublic())
        let received = try r.bool()
        let ratchet: DoubleRatchet
        switch try r.byte() {
        case 0:
            ratchet = .inactive(root: RootKey(secret: try r.secret()), remoteRatchetKey: try r.curvePublic())
        case 1:
            let root = RootKey(secret: try r.secret())
            let ratchetKey = try r.curveSecret()
            let index = try r.varint()
            ratchet = .active(ActiveRatchet(root: root, ratchetKey: ratchetKey,
                                            chainKey: ChainKey(secret: try r.secret(), index: index)))
        default:
            throw .malformed
        }
        var chains: [ReceiverChain] = []
        for _ in 0..<(try r.count(limit: OlmLimits.maxReceivingChains)) {
            let ratchetKey = try r.curvePublic()
            let index = try r.varint()
            let chainKey = ChainKey(secret: try r.secret(), index: index)
            var skipped: [MessageKey] = []
            for _ in 0..<(try r.count(limit: OlmLimits.maxSkippedMessageKeys)) {
                let skippedIndex = try r.varint()
                skipped.append(MessageKey(secret: try r.secret(), index: skippedIndex))
            }
            chains.append(ReceiverChain(ratchetKey: ratchetKey, chainKey: chainKey, skippedKeys: skipped))
        }
        try r.finish()
        self.init(sessionKeys: keys, ratchet: ratchet, receivingChains: chains, hasReceivedMessage: received)
    }
}
