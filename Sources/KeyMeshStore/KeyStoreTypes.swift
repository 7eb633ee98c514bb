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
    /// The stored `device_keys` are no longer those the upload was checked against (a concurrent
    /// upload replaced them): nothing was written; check the upload again and retry.
    case deviceKeysChanged
}

/// One `/keys/upload`, written by ``KeyStore/upload(_:_:)`` in one transaction: all of it or
/// nothing (docs/STORE.md "Uploads").
public struct KeyUploadWrite: Sendable {
    /// What the stored `device_keys` must still be when the write commits.
    public enum Precondition: Sendable, Equatable {
        /// No condition (tests, benchmarks).
        case none
        /// Exactly this object (nil: none stored), the one the upload was checked against.
        case storedDeviceKeys(String?)
    }

    /// The new signed `device_keys` object (canonical JSON); nil keeps the stored one.
    public var deviceKeys: String?
    public var fallbackKeys: [StoredKeyObject]
    /// In upload order.
    public var oneTimeKeys: [StoredKeyObject]
    public var precondition: Precondition
    /// Unclaimed one-time keys kept per device: the oldest above this are deleted (the spec's
    /// `POST /keys/upload` lets a server do so; docs/SECURITY.md "Limits"), so a device can never fill the disk.
    public var maxOneTimeKeys: Int
    /// Fallback keys (one per algorithm) per device: more is ``StoreError/limitExceeded(what:limit:)``.
    public var maxFallbackKeys: Int
    /// Ids of claimed one-time keys remembered per device (so a re-upload after a lost response
    /// is not handed out twice): the oldest above this are forgotten.
    public var maxClaimedIDs: Int

    public init(deviceKeys: String? = nil, fallbackKeys: [StoredKeyObject] = [], oneTimeKeys: [StoredKeyObject] = [],
                precondition: Precondition = .none, maxOneTimeKeys: Int = .max, maxFallbackKeys: Int = .max,
                maxClaimedIDs: Int = .max) {
        self.deviceKeys = deviceKeys
        self.fallbackKeys = fallbackKeys
        self.oneTimeKeys = oneTimeKeys
        self.precondition = precondition
        self.maxOneTimeKeys = maxOneTimeKeys
        self.maxFallbackKeys = maxFallbackKeys
        self.maxClaimedIDs = maxClaimedIDs
    }
}

/// The store's defence in depth for text it keeps (docs/SECURITY.md "Identifiers"): SQLite
/// bindings cut text at the first NUL, so a NUL would make two different identifiers one, or
/// turn `signed_curve25519\0x` into `signed_curve25519`. Every backend refuses it before binding.
public enum StoredText {
    /// - Throws: ``StoreError/invalidText(_:)`` if any of `texts` holds NUL.
    public static func check(_ texts: String...) throws(StoreError) {
        for text in texts where text.utf8.contains(0) { throw .invalidText("Stored text") }
    }

    /// The same check, naming the field in the error; nil texts are skipped.
    /// - Throws: ``StoreError/invalidText(_:)`` naming `what` if any of `texts` holds NUL.
    public static func check(naming what: String, _ texts: String?...) throws(StoreError) {
        for case let text? in texts where text.utf8.contains(0) { throw .invalidText(what) }
    }

    /// Checks both parts of a device reference.
    public static func check(_ device: DeviceRef) throws(StoreError) {
        try check(naming: "user and device ids", device.userID, device.deviceID)
    }

    /// Checks every key object's algorithm, id, JSON and identity.
    public static func check(_ keys: [StoredKeyObject]) throws(StoreError) {
        for key in keys { try check(key.algorithm, key.keyID, key.json, key.identity) }
    }
}
