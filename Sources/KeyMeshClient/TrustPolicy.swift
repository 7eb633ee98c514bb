// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning

/// Which of a user's devices ``KeyMeshClient/send(to:type:content:)`` encrypts for. Every
/// policy first requires a valid self-signature on the device keys.
public enum TrustPolicy: Sendable, Equatable {
    /// Every device with valid self-signed keys (what most Matrix clients do by default).
    case selfSigned
    /// Devices their owner cross-signed (self-signing key under their master key), or that
    /// were verified by hand, and only while the owner's master key is the one first seen:
    /// a changed identity is not sent to until it is verified again.
    case crossSigned
    /// Only devices we verified: cross-signed under a master key our user-signing key
    /// signed (or our own), or verified by hand.
    case verified

    /// Whether a device with this trust, of a user with this identity state, is sent to.
    func allows(_ trust: DeviceTrust, identityChanged: Bool) -> Bool {
        switch self {
        case .selfSigned:
            return true
        case .crossSigned:
            switch trust {
            case .crossSignedTrusted, .locallyVerified: return true
            case .signedByUntrustedIdentity: return !identityChanged
            case .unverified: return false
            }
        case .verified:
            return trust.isTrusted
        }
    }
}
