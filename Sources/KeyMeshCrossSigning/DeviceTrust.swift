// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// How far a device is trusted, with the reason when it is not.
public enum DeviceTrust: Equatable, Sendable {
    /// The whole chain verifies from our own master key: ours → our user-signing key → their
    /// master key → their self-signing key → the device (own devices: ours → our self-signing
    /// key → the device).
    case crossSignedTrusted
    /// The device is signed by its user's self-signing key under their master key, but we have
    /// not verified that master key (or our link to it is broken).
    case signedByUntrustedIdentity(reason: String)
    /// Not cross-signed, but the app verified this exact device key itself.
    case locallyVerified
    /// Nothing vouches for it (or its own keys are malformed), with the reason.
    case unverified(reason: String)

    /// Whether an app may treat the device as verified.
    public var isTrusted: Bool {
        switch self {
        case .crossSignedTrusted, .locallyVerified: true
        case .signedByUntrustedIdentity, .unverified: false
        }
    }
}

/// The trust of every device of one user, and whether their identity changed.
public struct UserTrust: Equatable, Sendable {
    public let userID: String
    /// The master public key seen in this query (base64), if any.
    public let masterKey: String?
    /// Whether the master key is verified from ours (or is ours).
    public let identityTrusted: Bool
    /// The user had a pinned (previously seen) master key and this one differs: warn the user.
    public let identityChanged: Bool
    /// By device id.
    public let devices: [String: DeviceTrust]

    public init(userID: String, masterKey: String?, identityTrusted: Bool, identityChanged: Bool, devices: [String: DeviceTrust]) {
        self.userID = userID
        self.masterKey = masterKey
        self.identityTrusted = identityTrusted
        self.identityChanged = identityChanged
        self.devices = devices
    }
}
