// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Where the key server keeps what `/sync` delivers: to-device messages, the device-list stream
/// and account data, all ordered by one **stream position** that grows with every write.
///
/// Positions are allocated inside the write transaction, so a reader that sees position `p`
/// sees every write at or below `p` (sync tokens never skip an event).
public protocol EventStore: Sendable {
    /// The highest position written so far.
    func currentPosition() async throws -> Int64

    /// Queues one message per recipient device (a named device beats `*` in one request), in
    /// one transaction and idempotently: if `transaction` was already used (same sending device
    /// and txnId, as the spec scopes it) nothing is queued and an empty set is returned. A
    /// recipient device id of `*` means every device the user has at that moment; unknown users
    /// and devices are skipped. Returns the users that got a message.
    /// - Throws: ``StoreError/deviceNotFound(_:)`` if the sending device no longer exists;
    ///   ``StoreError/limitExceeded(what:limit:)`` if the request would queue more than
    ///   `limits.toDevicePerRequest` messages, or a recipient device would hold more than
    ///   `limits.queuedToDevicePerDevice`; ``StoreError/invalidText(_:)`` for NUL. A refusal
    ///   queues nothing and records no transaction id.
    func sendToDevice(_ messages: [ToDeviceMessage], transaction: ToDeviceTransaction, limits: StoreLimits) async throws -> Set<String>

    /// Deletes the device's messages at or below `position`: the client has acknowledged them
    /// by syncing with a token at least that far.
    /// - Throws: ``StoreError/deviceNotFound(_:)`` if the device no longer exists.
    func acknowledgeToDevice(_ device: DeviceRef, upTo position: Int64) async throws

    /// Reads what a sync from `since` reports, in one consistent snapshot: at most `limit`
    /// to-device messages after `since`, the users whose device lists changed in
    /// (`since`, `upTo`] among those `device`'s user follows, the user's account data written in
    /// (`since`, `upTo`] (every type when `since` is 0), and the position the batch ends at.
    /// A `since` older than the pruned device-list history reports every followed user.
    func syncBatch(for device: DeviceRef, since: Int64, limit: Int) async throws -> SyncBatch

    /// Users followed by `userID` (and `userID` itself) whose device lists changed in
    /// (`from`, `to`]; every followed user when `from` is older than the kept history.
    func deviceListChanges(for userID: String, from: Int64, to: Int64) async throws -> [String]

    /// Records that `watcher`'s user follows `targets`' device lists (it queried their keys).
    /// Only registered users are followed; ids nobody registered record nothing. Returns the
    /// targets followed now (the registered ones), so a caller caches only those.
    /// - Throws: ``StoreError/deviceNotFound(_:)`` if `watcher` no longer exists;
    ///   ``StoreError/limitReached(what:limit:)`` if the user would follow more than `limit` users.
    func follow(_ watcher: DeviceRef, targets: [String], limit: Int) async throws -> [String]

    /// The users who follow `userID` (those a change of its device list concerns, besides itself).
    func followers(of userID: String) async throws -> [String]

    /// Deletes all but the newest `keep` device-list changes, moving the history horizon up
    /// (docs/STORE.md "Device-list history"). Cheap when there is nothing to prune.
    func pruneDeviceListChanges(keep: Int) async throws
}

/// One to-device message to queue.
public struct ToDeviceMessage: Hashable, Sendable {
    public let sender: String
    public let recipient: DeviceRef
    public let type: String
    /// The `content` object as JSON.
    public let contentJSON: String

    public init(sender: String, recipient: DeviceRef, type: String, contentJSON: String) {
        self.sender = sender
        self.recipient = recipient
        self.type = type
        self.contentJSON = contentJSON
    }
}

extension StoredText {
    /// Checks every text of one `sendToDevice` call before anything is written, for every
    /// backend. - Throws: ``StoreError/invalidText(_:)`` naming the field that holds NUL.
    public static func check(_ messages: [ToDeviceMessage], transaction: ToDeviceTransaction) throws(StoreError) {
        try check(transaction.sender)
        try check(naming: "transaction id", transaction.transactionID)
        for message in messages {
            try check(message.recipient)
            try check(naming: "to-device message", message.sender, message.type, message.contentJSON)
        }
    }
}

/// The idempotency key of a `PUT /sendToDevice` request: the sending device and its txnId.
/// The spec scopes transaction ids per device, so a re-login of the same device id does not
/// make a replayed request new.
public struct ToDeviceTransaction: Hashable, Sendable {
    public let sender: DeviceRef
    public let transactionID: String

    public init(sender: DeviceRef, transactionID: String) {
        self.sender = sender
        self.transactionID = transactionID
    }
}

/// A delivered to-device message.
public struct DeliveredMessage: Hashable, Sendable {
    public let position: Int64
    public let sender: String
    public let type: String
    public let contentJSON: String

    public init(position: Int64, sender: String, type: String, contentJSON: String) {
        self.position = position
        self.sender = sender
        self.type = type
        self.contentJSON = contentJSON
    }
}

/// What one sync reports.
public struct SyncBatch: Hashable, Sendable {
    /// Messages in arrival order.
    public let toDevice: [DeliveredMessage]
    /// Followed users (and the syncing user) whose device lists changed.
    public let changedUsers: [String]
    /// Whether some of the device's keys were claimed in the batch (its one-time key count or
    /// unused fallback key types changed, and the client may need to upload more).
    public let keysClaimed: Bool
    /// The user's account data written in the batch (every type on a sync from 0), the latest
    /// content of each type once, ordered by type; at most ``AccountDataLimits/typesPerUser``.
    public let accountData: [AccountDataEntry]
    /// The position the next sync starts from.
    public let nextPosition: Int64

    public init(toDevice: [DeliveredMessage], changedUsers: [String], keysClaimed: Bool,
                accountData: [AccountDataEntry] = [], nextPosition: Int64) {
        self.toDevice = toDevice
        self.changedUsers = changedUsers
        self.keysClaimed = keysClaimed
        self.accountData = accountData
        self.nextPosition = nextPosition
    }

    /// Whether the batch reports nothing (a long-poll keeps waiting).
    public var isEmpty: Bool { toDevice.isEmpty && changedUsers.isEmpty && !keysClaimed && accountData.isEmpty }
}

/// Everything the key server stores, in one backend.
public typealias ServerStore = KeyStore & AccountStore & EventStore & CrossSigningStore & AccountDataStore & MSLLineageStore
    & ChangeFeed
