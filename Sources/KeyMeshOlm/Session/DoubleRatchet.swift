// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The sending side of the double ratchet, as vodozemac models it: either we hold a sending
/// chain (`active`), or we last received a new ratchet key and create our next one lazily on
/// the next send (`inactive`).
enum DoubleRatchet: Sendable {
    /// We can send: root key, our ratchet key `T`, and the sending chain built on it.
    case active(ActiveRatchet)
    /// We must ratchet before sending: root key and the peer's latest ratchet key.
    case inactive(root: RootKey, remoteRatchetKey: Curve25519PublicKey)
}

/// The state of a ratchet that holds a sending chain.
struct ActiveRatchet: Sendable {
    let root: RootKey
    let ratchetKey: Curve25519SecretKey
    var chainKey: ChainKey

    /// A peer's new ratchet key: derive the new root and its receiving chain (docs/OLM.md).
    /// The caller commits the result only after the message authenticates.
    func advance(to remoteRatchetKey: Curve25519PublicKey) throws(KeyError) -> (DoubleRatchet, ReceiverChain) {
        let (newRoot, chain) = try root.advance(ours: ratchetKey, theirs: remoteRatchetKey)
        return (.inactive(root: newRoot, remoteRatchetKey: remoteRatchetKey),
                ReceiverChain(ratchetKey: remoteRatchetKey, chainKey: chain))
    }
}

extension DoubleRatchet {
    /// Returns the ratchet ready to send, creating a new ratchet key if inactive.
    func activated(using random: some RandomSource) throws(KeyError) -> ActiveRatchet {
        switch self {
        case .active(let active):
            return active
        case .inactive(let root, let remoteRatchetKey):
            let ratchetKey = Curve25519SecretKey(using: random)
            let (newRoot, chain) = try root.advance(ours: ratchetKey, theirs: remoteRatchetKey)
            return ActiveRatchet(root: newRoot, ratchetKey: ratchetKey, chainKey: chain)
        }
    }
}
