// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Where the key server keeps per-user account data (`PUT`/`GET
/// /user/{userId}/account_data/{type}`): small JSON objects a user's devices share through the
/// server, such as what P2P device enrolment publishes (docs/SERVER.md "Account data").
///
/// A user may hold at most ``AccountDataLimits/typesPerUser`` types of at most
/// ``AccountDataLimits/contentBytes`` each, so one account cannot grow the table without bound
/// (docs/SECURITY.md "Limits").
public protocol AccountDataStore: Sendable {
    /// The stored content (canonical JSON) of `userID`'s account data of `type`, or nil.
    func accountData(of userID: String, type: String) async throws -> String?

    /// Every type of `userID`'s account data with its content JSON, ordered by type.
    func accountData(of userID: String) async throws -> [AccountDataEntry]

    /// Stores `contentJSON` as `device`'s user's account data of `type`, replacing what was
    /// there, in one transaction bound to `device`. The write takes the next position of the
    /// ``EventStore`` stream in that transaction, so `/sync` reports it after any token below it.
    /// - Throws: ``StoreError/deviceNotFound(_:)`` if `device` no longer exists at commit (its
    ///   token was revoked while the request was in flight);
    ///   ``StoreError/limitExceeded(what:limit:)`` if the content is larger than
    ///   `limits.contentBytes` or a new type would exceed `limits.typesPerUser`;
    ///   ``StoreError/invalidText(_:)`` for NUL. A refusal stores nothing.
    func putAccountData(_ device: DeviceRef, type: String, contentJSON: String, limits: AccountDataLimits) async throws
}

/// One type of a user's account data.
public struct AccountDataEntry: Hashable, Sendable {
    public let type: String
    /// The content object as canonical JSON.
    public let contentJSON: String

    public init(type: String, contentJSON: String) {
        self.type = type
        self.contentJSON = contentJSON
    }
}

/// The bounds on one user's account data (docs/SECURITY.md "Limits").
public struct AccountDataLimits: Hashable, Sendable {
    /// The largest content of one type, in bytes of canonical JSON.
    public var contentBytes: Int
    /// The most types one user may hold; replacing an existing type is always allowed.
    public var typesPerUser: Int

    public init(contentBytes: Int = 65_536, typesPerUser: Int = 100) {
        self.contentBytes = contentBytes
        self.typesPerUser = typesPerUser
    }

    /// The documented defaults: 64 KiB per type, 100 types per user.
    public static let standard = AccountDataLimits()
}
