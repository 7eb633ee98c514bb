// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Which client long-term keys a server accepts (docs/channel-protocol.md §7). The decision uses
/// the key the client's vouch proves, never its address.
public enum ClientPolicy: Sendable {
    /// Any client key; the application sees which one.
    case open
    /// Only these pinned keys.
    case allowList(Set<Curve25519PublicKey>)

    /// Whether `key` may connect.
    public func allows(_ key: Curve25519PublicKey) -> Bool {
        switch self {
        case .open: true
        case .allowList(let keys): keys.contains(key)
        }
    }
}
