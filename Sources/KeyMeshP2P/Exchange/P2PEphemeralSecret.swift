// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import Synchronization

/// The initiator's ephemeral secret AEs, shared by every copy of one ``P2PInitiator`` and taken
/// out exactly once (docs/P2P.md §1: a key is used for one session, then erased). Once taken,
/// every copy of the initiator has lost it.
final class P2PEphemeralSecret: Sendable {
    private let slot: Mutex<Curve25519SecretKey?>

    init(_ key: Curve25519SecretKey?) { slot = Mutex(key) }

    /// The key, leaving nothing behind; nil if it was taken already.
    func take() -> Curve25519SecretKey? { slot.withLock { key in defer { key = nil }; return key } }

    /// The key, still held (for storage and checks before it is used).
    func peek() -> Curve25519SecretKey? { slot.withLock { $0 } }
}
