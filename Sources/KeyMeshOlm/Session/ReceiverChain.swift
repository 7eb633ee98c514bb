// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// A receiving chain: the peer's ratchet key, the next chain key, and the message keys of
/// skipped indices so late messages still decrypt (docs/OLM.md).
struct ReceiverChain: Sendable {
    let ratchetKey: Curve25519PublicKey
    private(set) var chainKey: ChainKey
    private(set) var skippedKeys: [MessageKey]

    init(ratchetKey: Curve25519PublicKey, chainKey: ChainKey, skippedKeys: [MessageKey] = []) {
        self.ratchetKey = ratchetKey
        self.chainKey = chainKey
        self.skippedKeys = skippedKeys
    }

    /// Takes the message key for `index`, advancing the chain and storing skipped keys.
    /// Callers run this on a copy and keep the copy only after the MAC verifies.
    /// - Throws: ``DecryptionError/missingMessageKey(index:)`` for a replayed or too-old index,
    ///   ``DecryptionError/tooBigMessageGap(gap:limit:)`` for a jump past ``OlmLimits/maxMessageGap``.
    mutating func takeMessageKey(for index: UInt64) throws(DecryptionError) -> MessageKey {
        if index < chainKey.index {
            guard let position = skippedKeys.firstIndex(where: { $0.index == index }) else {
                throw .missingMessageKey(index: index)
            }
            return skippedKeys.remove(at: position)
        }
        let gap = index - chainKey.index
        guard gap <= OlmLimits.maxMessageGap else {
            throw .tooBigMessageGap(gap: gap, limit: OlmLimits.maxMessageGap)
        }
        while chainKey.index < index {
            // Keep only the keys just below the target (vodozemac): older ones could never fit.
            if index - chainKey.index <= UInt64(OlmLimits.maxSkippedMessageKeys) {
                let (skipped, next) = chainKey.step
                skippedKeys.append(skipped)
                if skippedKeys.count > OlmLimits.maxSkippedMessageKeys { skippedKeys.removeFirst() }
                chainKey = next
            } else {
                chainKey = chainKey.next
            }
        }
        let (key, next) = chainKey.step
        chainKey = next
        return key
    }
}
