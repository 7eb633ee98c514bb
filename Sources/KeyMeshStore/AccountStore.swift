// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Where the key server keeps accounts: users, devices, access tokens and user-interactive-auth
/// sessions. Implemented by the same backend as ``KeyStore`` and ``EventStore`` (see
/// ``ServerStore``), because deleting a device touches all three atomically.
public protocol AccountStore: Sendable {
    /// Creates a user. - Throws: ``AccountStoreError/userExists`` if the id is taken.
    func createUser(_ userID: String, passwordHash: String) async throws

    /// The stored password hash of `userID`, or nil for an unknown user.
    func passwordHash(of userID: String) async throws -> String?

    /// Creates the device if new (with `displayName`) and issues an access token for it, in one
    /// transaction. A new device is a device-list change of its user.
    /// - Throws: ``StoreError/limitReached(what:limit:)`` if the device is new and its user
    ///   already has `maxDevices` devices (nothing is written).
    func openDevice(_ device: DeviceRef, displayName: String?, tokenHash: String, maxDevices: Int) async throws

    /// The device an access token (by its hash) belongs to, or nil.
    func device(forTokenHash tokenHash: String) async throws -> DeviceRef?

    /// All devices of a user, ordered by id.
    func devices(of userID: String) async throws -> [DeviceRecord]

    /// The display names of these users' named devices, by user then device id, in one read.
    func displayNames(of userIDs: [String]) async throws -> [String: [String: String]]

    /// One device, or nil.
    func device(_ device: DeviceRef) async throws -> DeviceRecord?

    /// Renames a device; returns false if it does not exist. A rename is a device-list change.
    func setDisplayName(_ device: DeviceRef, to name: String?) async throws -> Bool

    /// Deletes a device, atomically with everything that belongs to it: its access tokens, device
    /// keys, one-time and fallback keys and undelivered to-device messages; and records a
    /// device-list change. Returns false if it did not exist.
    func deleteDevice(_ device: DeviceRef) async throws -> Bool

    /// Stores a user-interactive-auth session (or admin-registration nonce).
    func putAuthSession(_ session: AuthSession) async throws

    /// A stored session, or nil (unknown or expired sessions are the caller's to judge).
    func authSession(_ id: String) async throws -> AuthSession?

    /// Removes a session, returning whether it existed (so a session is consumed at most once).
    func consumeAuthSession(_ id: String) async throws -> Bool
}

extension AccountStore {
    /// ``openDevice(_:displayName:tokenHash:maxDevices:)`` with the default device limit.
    public func openDevice(_ device: DeviceRef, displayName: String?, tokenHash: String) async throws {
        try await openDevice(device, displayName: displayName, tokenHash: tokenHash,
                             maxDevices: StoreLimits.standard.devicesPerUser)
    }
}

/// A device as listed by `GET /devices`.
public struct DeviceRecord: Hashable, Sendable {
    public let device: DeviceRef
    public let displayName: String?

    public init(device: DeviceRef, displayName: String?) {
        self.device = device
        self.displayName = displayName
    }
}

/// A user-interactive-auth session: what it is for, who it is for, and when it was made.
public struct AuthSession: Hashable, Sendable {
    public let id: String
    /// `register`, `delete_device`, `admin_register`, …
    public let purpose: String
    /// The user the session authenticates, when known.
    public let userID: String?
    /// Seconds since 1970.
    public let createdAt: Int64

    public init(id: String, purpose: String, userID: String?, createdAt: Int64) {
        self.id = id
        self.purpose = purpose
        self.userID = userID
        self.createdAt = createdAt
    }
}

/// Why an account write was refused.
public enum AccountStoreError: Error, Equatable, Sendable {
    /// The user id is already registered.
    case userExists
}
