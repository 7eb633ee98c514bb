// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// A user's device.
public struct DeviceRef: Hashable, Sendable, CustomStringConvertible {
    /// The Matrix user id, `@user:server`.
    public let userID: String
    /// The device id.
    public let deviceID: String

    public init(userID: String, deviceID: String) {
        self.userID = userID
        self.deviceID = deviceID
    }

    public var description: String { "\(userID)/\(deviceID)" }
}

/// A signed one-time or fallback key object as stored.
public struct StoredKeyObject: Hashable, Sendable {
    /// The algorithm, e.g. `signed_curve25519`.
    public let algorithm: String
    /// The key id after the colon.
    public let keyID: String
    /// The whole signed object as canonical JSON, returned verbatim by claims.
    public let json: String
    /// The object without `signatures` (canonical JSON): two uploads are "the same key" when
    /// these are equal, as Synapse compares them.
    public let identity: String

    public init(algorithm: String, keyID: String, json: String, identity: String) {
        self.algorithm = algorithm
        self.keyID = keyID
        self.json = json
        self.identity = identity
    }
}

/// One `/keys/claim` request: a key of `algorithm` from `device`.
public struct ClaimRequest: Hashable, Sendable {
    public let device: DeviceRef
    public let algorithm: String

    public init(device: DeviceRef, algorithm: String) {
        self.device = device
        self.algorithm = algorithm
    }
}

/// A claimed key.
public struct ClaimedKey: Hashable, Sendable {
    public let device: DeviceRef
    public let key: StoredKeyObject
    /// Whether this is the device's fallback key (kept, marked used) rather than a one-time key.
    public let isFallback: Bool

    public init(device: DeviceRef, key: StoredKeyObject, isFallback: Bool) {
        self.device = device
        self.key = key
        self.isFallback = isFallback
    }
}

/// Why a store refused a write.
public enum KeyStoreError: Error, Equatable, Sendable {
    /// A one-time key id was uploaded again with a different key (`algorithm:id`).
    case oneTimeKeyConflict(String)
}
